"""Schools: registration, requisites, staff; the registries and the readiness report."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep, read_after
from api.io import body, encode, io
from api.masking import masked_person
from api.policy import Action, authorize, sees_documents
from api.results import command_response
from api.schemas import (
    AppointStaff,
    CommandResult,
    DismissStaff,
    Page,
    Readiness,
    RegisterSchool,
    SchoolPage,
    SchoolView,
    UpdateSchool,
)
from domain.errors import SchoolNotFound

router = APIRouter(prefix="/v1/schools", tags=["schools"])
Fresh = read_after("registries")
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("", **io(CommandResult, request=RegisterSchool, status=201))
def register_school(
    caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[RegisterSchool, Depends(body(RegisterSchool))],
) -> Response:
    """Register a school; requisites may be incomplete (it is then not exported)."""
    authorize(caller, Action.MANAGE_SCHOOLS)
    outcome = container.journal.register_school(
        command, payload.name, payload.time_zone, payload.shifts, payload.requisites
    )
    return command_response(outcome, 201)


@router.patch("/{school_id}", **io(CommandResult, request=UpdateSchool))
def update_school(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[UpdateSchool, Depends(body(UpdateSchool))],
) -> Response:
    """Change a school's name, time zone, shifts or requisites (If-Match supported)."""
    authorize(caller, Action.MANAGE_SCHOOL, str(school_id))
    outcome = container.journal.update_school(
        command, school_id, version, payload.name, payload.time_zone, payload.shifts,
        payload.requisites,
    )
    return command_response(outcome)


@router.post("/{school_id}/staff", **io(CommandResult, request=AppointStaff))
def appoint_staff(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AppointStaff, Depends(body(AppointStaff))],
) -> Response:
    """Appoint a person to a position (teacher, administrator, ...) in the school."""
    authorize(caller, Action.MANAGE_SCHOOL, str(school_id))
    outcome = container.journal.appoint_staff(
        command, school_id, payload.person_id, payload.position
    )
    return command_response(outcome)


@router.post("/{school_id}/staff/dismissals", **io(CommandResult, request=DismissStaff))
def dismiss_staff(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[DismissStaff, Depends(body(DismissStaff))],
) -> Response:
    """Dismiss a staff member from a position, with a reason."""
    authorize(caller, Action.MANAGE_SCHOOL, str(school_id))
    outcome = container.journal.dismiss_staff(
        command, school_id, payload.person_id, payload.position, payload.reason
    )
    return command_response(outcome)


@router.get("", dependencies=[Fresh], **io(SchoolPage))
def list_schools(
    request: Request, caller: PrincipalDep, container: ServicesDep,
    cursor: Cursor = None, limit: Limit = 50,
    ready: Annotated[bool | None, Query(description="only ready / not ready")] = None,
) -> Response:
    """The registry of schools, with their export readiness."""
    authorize(caller, Action.READ_REGISTRY)
    items, next_cursor = container.registries.schools(cursor, limit, ready)
    return encode({"items": items, "next_cursor": next_cursor}, request=request)


@router.get("/{school_id}", dependencies=[Fresh], **io(SchoolView))
def get_school(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """A school as the registry holds it; its ETag is the version for If-Match."""
    authorize(caller, Action.READ_REGISTRY, str(school_id))
    school = container.registries.document("school", str(school_id))
    if school is None:
        raise SchoolNotFound(f"no school with id {school_id}")
    return encode(school, headers={"ETag": f'"{school["version"]}"'}, request=request)


@router.get("/{school_id}/readiness", dependencies=[Fresh], **io(Readiness))
def readiness(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """What keeps the school, and which of its people, out of the federal export."""
    authorize(caller, Action.READ_REGISTRY, str(school_id))
    report = container.registries.readiness(str(school_id))
    if report is None:
        raise SchoolNotFound(f"no school with id {school_id}")
    return encode(report, request=request)


def _listing(kind: str, summary: str) -> None:
    def route(
        school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
        cursor: Cursor = None, limit: Limit = 50,
    ) -> Response:
        authorize(caller, Action.READ_REGISTRY, str(school_id))
        if container.registries.document("school", str(school_id)) is None:
            raise SchoolNotFound(f"no school with id {school_id}")
        items, next_cursor = getattr(container.registries, kind)(str(school_id), cursor, limit)
        if not sees_documents(caller, {str(school_id)}):  # auditors read documents masked
            items = [dict(i, person=masked_person(i["person"])) if "person" in i else i
                     for i in items]
        return encode({"items": items, "next_cursor": next_cursor}, request=request)

    route.__name__ = f"list_{kind}"
    route.__doc__ = summary
    router.get(f"/{{school_id}}/{kind}", dependencies=[Fresh], **io(Page))(route)


_listing("teachers", "The school's staff registry (teachers and other positions).")
_listing("students", "The school's students with their class.")
_listing("representatives", "The legal representatives of the school's students.")
_listing("classes", "The school's classes and subgroups.")
