"""The teacher journal: a class or subgroup x subject x attestation period grid."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import PrincipalDep, ServicesDep, read_after
from api.io import encode, io
from api.policy import Action, authorize_group
from api.view_schemas import JournalGrid
from domain.errors import GroupNotFound, NotFound
from projections.teacher_journal import JournalQueries

router = APIRouter(tags=["teacher journal"])


@router.get("/v1/classes/{class_id}/journal", dependencies=[read_after("teacher_journal")],
            **io(JournalGrid))
def teacher_journal(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    subject_id: Annotated[UUID, Query(description="the subject of the grid")],
    period: Annotated[str, Query(description="an attestation period, e.g. «1 четверть»")],
) -> Response:
    """Lessons held in the period as columns, students as rows, marks and absences in the
    cells, the period mark at the end of each row (class or subgroup id)."""
    queries = JournalQueries(container.registries.store)
    group = queries.group(str(class_id))
    if group is None:
        raise GroupNotFound(f"no class or subgroup with id {class_id}")
    authorize_group(caller, Action.READ_JOURNAL, group["school_id"], str(class_id),
                    container.registries)
    span = queries.period(group["school_id"], group["year"], period)
    if span is None:
        names = [p["name"] for p in queries.periods(group["school_id"], group["year"])]
        raise NotFound(f"the academic year has no attestation period {period!r}",
                       {"period": f"one of {names}" if names else "no periods are set"})
    return encode(queries.grid(group, str(subject_id), span), request=request)
