"""People of any role: registration, personal data and documents, representatives."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep, read_after
from api.io import body, encode, io
from api.policy import Action, authorize
from api.results import command_response
from api.schemas import (
    CommandResult,
    LinkRepresentative,
    PersonView,
    RegisterPerson,
    UnlinkRepresentative,
    UpdatePerson,
)
from domain.errors import PersonNotFound

router = APIRouter(prefix="/v1/people", tags=["people"])


@router.post("", **io(CommandResult, request=RegisterPerson, status=201))
def register_person(
    caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[RegisterPerson, Depends(body(RegisterPerson))],
) -> Response:
    """Register a person; each identity document given must be valid."""
    authorize(caller, Action.MANAGE_PEOPLE)
    outcome = container.journal.register_person(
        command, payload.name, payload.sex, payload.birth_date, payload.documents
    )
    return command_response(outcome, 201)


@router.patch("/{person_id}", **io(CommandResult, request=UpdatePerson))
def update_person(
    person_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[UpdatePerson, Depends(body(UpdatePerson))],
) -> Response:
    """Correct personal data or replace the identity documents (If-Match supported)."""
    authorize(caller, Action.MANAGE_PEOPLE)
    outcome = container.journal.update_person(
        command, person_id, version, payload.name, payload.sex, payload.birth_date,
        payload.documents,
    )
    return command_response(outcome)


@router.post("/{student_id}/representatives", **io(CommandResult, request=LinkRepresentative))
def link_representative(
    student_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[LinkRepresentative, Depends(body(LinkRepresentative))],
) -> Response:
    """Link a legal representative (mother, father, guardian, ...) to a student."""
    authorize(caller, Action.MANAGE_PEOPLE)
    outcome = container.journal.link_representative(
        command, student_id, payload.representative_id, payload.kind
    )
    return command_response(outcome)


@router.post(
    "/{student_id}/representatives/unlink", **io(CommandResult, request=UnlinkRepresentative)
)
def unlink_representative(
    student_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[UnlinkRepresentative, Depends(body(UnlinkRepresentative))],
) -> Response:
    """End a representative's link to a student, with a reason."""
    authorize(caller, Action.MANAGE_PEOPLE)
    outcome = container.journal.unlink_representative(
        command, student_id, payload.representative_id, payload.reason
    )
    return command_response(outcome)


@router.get("/{person_id}", dependencies=[read_after("registries")], **io(PersonView))
def get_person(
    person_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """A person with identification status; ETag is the version for If-Match."""
    authorize(caller, Action.READ_REGISTRY)
    person = container.registries.document("person", str(person_id))
    if person is None:
        raise PersonNotFound(f"no person with id {person_id}")
    return encode(person, headers={"ETag": f'"{person["version"]}"'}, request=request)
