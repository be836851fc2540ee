"""Classes and subgroups: opening, homeroom teacher, roster moves, the roster on a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep, read_after
from api.io import body, encode, io
from api.policy import Action, authorize
from api.results import command_response
from api.schemas import (
    AssignHomeroomTeacher,
    ClassView,
    CommandResult,
    EnrolStudent,
    OpenClass,
    OpenSubgroup,
    ReleaseStudent,
    TransferStudent,
)
from domain.errors import GroupNotFound

router = APIRouter(tags=["classes"])


def _school_of(container: ServicesDep, group_id: UUID) -> str:
    """The school of a class, from the write side (commands must not trust a lagging view)."""
    return str(container.journal.get_group(group_id).school_id)


@router.post(
    "/v1/schools/{school_id}/classes", **io(CommandResult, request=OpenClass, status=201)
)
def open_class(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[OpenClass, Depends(body(OpenClass))],
) -> Response:
    """Open a class («5А») for an academic year, optionally with its homeroom teacher."""
    authorize(caller, Action.MANAGE_SCHOOL, str(school_id))
    outcome = container.journal.open_class(
        command, school_id, payload.academic_year, payload.name, payload.homeroom_teacher_id
    )
    return command_response(outcome, 201)


@router.post(
    "/v1/classes/{class_id}/subgroups", **io(CommandResult, request=OpenSubgroup, status=201)
)
def open_subgroup(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[OpenSubgroup, Depends(body(OpenSubgroup))],
) -> Response:
    """Open a subgroup of a class (e.g. an English group)."""
    authorize(caller, Action.MANAGE_SCHOOL, _school_of(container, class_id))
    return command_response(container.journal.open_subgroup(command, class_id, payload.name), 201)


@router.put(
    "/v1/classes/{class_id}/homeroom-teacher",
    **io(CommandResult, request=AssignHomeroomTeacher),
)
def assign_homeroom_teacher(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep,
    payload: Annotated[AssignHomeroomTeacher, Depends(body(AssignHomeroomTeacher))],
) -> Response:
    """Assign (or change, or clear) the class's homeroom teacher."""
    authorize(caller, Action.MANAGE_SCHOOL, _school_of(container, class_id))
    outcome = container.journal.assign_homeroom_teacher(
        command, class_id, payload.teacher_id, version
    )
    return command_response(outcome)


@router.post("/v1/classes/{class_id}/enrolments", **io(CommandResult, request=EnrolStudent))
def enrol_student(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[EnrolStudent, Depends(body(EnrolStudent))],
) -> Response:
    """Enrol a student in a class (or a subgroup of the student's class) from a date."""
    authorize(caller, Action.MANAGE_SCHOOL, _school_of(container, class_id))
    outcome = container.journal.enrol_student(command, class_id, payload.student_id, payload.on)
    return command_response(outcome)


@router.post("/v1/classes/{class_id}/departures", **io(CommandResult, request=ReleaseStudent))
def release_student(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[ReleaseStudent, Depends(body(ReleaseStudent))],
) -> Response:
    """A student leaves the class on a date, with a reason."""
    authorize(caller, Action.MANAGE_SCHOOL, _school_of(container, class_id))
    outcome = container.journal.release_student(
        command, class_id, payload.student_id, payload.on, payload.reason
    )
    return command_response(outcome)


@router.post("/v1/transfers", **io(CommandResult, request=TransferStudent))
def transfer_student(
    caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[TransferStudent, Depends(body(TransferStudent))],
) -> Response:
    """Transfer a student between classes; both classes change atomically."""
    authorize(caller, Action.MANAGE_SCHOOL, _school_of(container, payload.from_class_id))
    authorize(caller, Action.MANAGE_SCHOOL, _school_of(container, payload.to_class_id))
    outcome = container.journal.transfer_student(
        command, payload.student_id, payload.from_class_id, payload.to_class_id, payload.on,
        payload.reason,
    )
    return command_response(outcome)


@router.get("/v1/classes/{class_id}", dependencies=[read_after("registries")], **io(ClassView))
def get_class(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    on: Annotated[date | None, Query(description="also list the members on this date")] = None,
) -> Response:
    """A class with its roster history; with `on`, the members on that date."""
    group = container.registries.document("group", str(class_id))
    if group is None:
        raise GroupNotFound(f"no class with id {class_id}")
    authorize(caller, Action.READ_REGISTRY, group["school_id"])
    if on is not None:
        day = on.isoformat()
        group["members_on"] = sorted(
            stint["student_id"] for stint in group["roster"]
            if stint["start"] <= day and (stint["end"] is None or day < stint["end"])
        )
    return encode(group, headers={"ETag": f'"{group["version"]}"'}, request=request)
