"""The student diary: a week of lessons, changes, homework, marks and attendance."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from api.deps import PrincipalDep, ServicesDep, read_after
from api.io import encode, io
from api.policy import Action, authorize_student
from api.view_schemas import DiaryWeek
from domain.errors import PersonNotFound
from projections.diary import DiaryQueries
from projections.rosters import checked_week

router = APIRouter(tags=["diary"])
Week = Annotated[str, Path(description="ISO week, e.g. 2024-W36", examples=["2024-W36"])]


@router.get("/v1/students/{student_id}/diary/{week}", dependencies=[read_after("diary")],
            **io(DiaryWeek))
def diary_week(
    student_id: UUID, week: Week, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """A student's week: every lesson of the classes and subgroups they were in each day,
    with changes (substitute, move, cancellation), homework, marks and attendance."""
    student = str(student_id)
    registries = container.registries
    authorize_student(caller, Action.READ_DIARY, student, registries)
    week = checked_week(week)
    queries = DiaryQueries(registries.store)
    stored = queries.week(student, week)
    if stored is not None:  # served as stored: one lookup, no re-encoding
        return encode(msgspec.Raw(stored), request=request)
    if registries.document("person", student) is None:
        raise PersonNotFound(f"no person with id {student_id}")
    return encode(queries.empty(student, week), request=request)
