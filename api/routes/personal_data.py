"""Erasing a person's personal data (152-ФЗ): crypto-shredding with a legal ground and an act.

The erasure is recorded (`PersonalDataErased`), the person's key is destroyed, so the name,
birth date, documents and СНИЛС read as erased everywhere from then on; the log itself
never changes. The answer says whether the key is gone and whether the read models were
compacted (SQLite; when the views lag or on PostgreSQL, `zhurnal audit scrub` does it).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.audit_schemas import EraseRequest, ErasureResult
from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep, schools_of
from api.io import body, encode, io
from api.policy import Action, authorize_in_any
from projections.affiliations import scrub_views

router = APIRouter(tags=["people"])


def _key_destroyed(container: ServicesDep, person_id: UUID) -> bool:
    personal_data: Any = getattr(container.journal.mapper, "personal_data", None)
    return personal_data is not None and personal_data.keys.get(person_id) == b""


def _caught_up(container: ServicesDep, position: int) -> bool:
    """Every projection has blanked the person (bounded wait)."""
    return all(container.wait_for(name, position) for name in container.projection_names())


@router.post("/v1/people/{person_id}/erasure", **io(ErasureResult, request=EraseRequest))
def erase_personal_data(
    person_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[EraseRequest, Depends(body(EraseRequest))],
) -> Response:
    """Erase a person's personal data: administrators, or the administrators of the person's
    school; the legal ground and the act of destruction are recorded with it."""
    authorize_in_any(caller, Action.ERASE_PERSONAL_DATA,
                     schools_of(container, caller, str(person_id)))
    outcome = container.journal.erase_personal_data(
        command, person_id, payload.legal_ground, payload.act_reference, version)
    scrubbed = _caught_up(container, outcome.position) and scrub_views(
        container.registries.store)
    result = ErasureResult(
        position=outcome.position, id=person_id, version=int(outcome.answer["version"]),
        key_destroyed=_key_destroyed(container, person_id), views_scrubbed=scrubbed,
        replayed=outcome.replayed)
    headers = {"X-Log-Position": str(outcome.position), "ETag": f'"{result.version}"'}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return encode(result, headers=headers)
