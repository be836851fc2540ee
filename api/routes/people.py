"""People of any role: registration, personal data and documents, representatives."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.auth import Role
from api.deps import (
    CommandDep,
    IfMatchDep,
    PrincipalDep,
    ServicesDep,
    read_after,
    schools_of,
)
from api.io import body, encode, io
from api.masking import masked_person
from api.policy import Action, authorize, authorize_in_any, authorize_person, sees_documents
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
from projections.affiliations import represents

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
    authorize_in_any(caller, Action.MANAGE_PEOPLE, schools_of(container, caller, str(person_id)))
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
    authorize_in_any(caller, Action.MANAGE_PEOPLE, schools_of(container, caller, str(student_id)))
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
    authorize_in_any(caller, Action.MANAGE_PEOPLE, schools_of(container, caller, str(student_id)))
    outcome = container.journal.unlink_representative(
        command, student_id, payload.representative_id, payload.reason
    )
    return command_response(outcome)


@router.get("/{person_id}", dependencies=[read_after("registries")], **io(PersonView))
def get_person(
    person_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """A person with identification status; ETag is the version for If-Match. Documents are
    masked but for administrators and the administrators of the person's school."""
    schools = schools_of(container, caller, str(person_id))
    authorize_person(caller, str(person_id), schools, caller.role is Role.PARENT
                     and represents(container.registries.store, caller.subject, str(person_id)))
    person = container.registries.document("person", str(person_id))
    if person is None:
        raise PersonNotFound(f"no person with id {person_id}")
    if not sees_documents(caller, schools):
        person = masked_person(person)
    return encode(person, headers={"ETag": f'"{person["version"]}"'}, request=request)
