"""Statistics: a student's week or attestation period, and a class's summary."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.deps import PrincipalDep, ServicesDep, read_after
from api.io import encode, io
from api.policy import Action, authorize_group, authorize_student
from api.view_schemas import ClassStatistics, StudentStatistics
from domain.errors import GroupNotFound, InvalidValue, NotFound
from projections.rosters import checked_week, week_bounds
from projections.statistics_queries import StatisticsQueries

router = APIRouter(tags=["statistics"])
Fresh = read_after("statistics")
AsOf = Annotated[date | None, Query(description="lessons held up to this day (default: today)")]
PeriodName = Annotated[str, Query(description="an attestation period, e.g. «1 четверть»")]
Week = Annotated[str, Path(description="ISO week, e.g. 2024-W36", examples=["2024-W36"])]


def _week(week: str) -> tuple[str, str]:
    start = week_bounds(checked_week(week))[0]
    return start, (date.fromisoformat(start) + timedelta(days=6)).isoformat()


def _period(queries: StatisticsQueries, school_id: str, year: int, name: str) -> dict[str, Any]:
    span = queries.period(school_id, year, name)
    if span is None:
        raise NotFound(f"the academic year {year}/{year + 1} has no attestation period "
                       f"{name!r}", {"period": "unknown period"})
    return span


def _as_of(as_of: date | None) -> str:
    return (as_of or date.today()).isoformat()


@router.get("/v1/students/{student_id}/statistics/weeks/{week}", dependencies=[Fresh],
            **io(StudentStatistics))
def student_week(
    student_id: UUID, week: Week, request: Request, caller: PrincipalDep,
    container: ServicesDep, as_of: AsOf = None,
) -> Response:
    """A student's week per subject and over all subjects: marks, averages, absences."""
    authorize_student(caller, Action.READ_STATISTICS, str(student_id), container.registries)
    start, end = _week(week)
    queries = StatisticsQueries(container.registries.store)
    answer = queries.student(str(student_id), start, end, _as_of(as_of))
    return encode({**answer, "week": week}, request=request)


@router.get("/v1/students/{student_id}/statistics/period", dependencies=[Fresh],
            **io(StudentStatistics))
def student_period(
    student_id: UUID, period: PeriodName, request: Request, caller: PrincipalDep,
    container: ServicesDep, as_of: AsOf = None,
    year: Annotated[int | None, Query(description="academic year (default: the latest)")] = None,
) -> Response:
    """A student's attestation period: the week's figures plus the lessons in the period."""
    authorize_student(caller, Action.READ_STATISTICS, str(student_id), container.registries)
    queries = StatisticsQueries(container.registries.store)
    years = [(s, y) for s, y in queries.years(str(student_id)) if year in (None, y)]
    if not years:
        raise NotFound("the student was in no class that year", {"year": "no class"})
    span = _period(queries, *years[0], period)
    answer = queries.student(str(student_id), span["start"], span["end"], _as_of(as_of),
                             planned=True)
    return encode({**answer, "period": span}, request=request)


@router.get("/v1/classes/{class_id}/statistics", dependencies=[Fresh], **io(ClassStatistics))
def class_summary(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    week: Annotated[str | None, Query(description="an ISO week, e.g. 2024-W36")] = None,
    period: Annotated[str | None, Query(description="or an attestation period")] = None,
    as_of: AsOf = None,
) -> Response:
    """A class over a week or a period: each student over all subjects, each subject over
    the class, and the class's total."""
    queries = StatisticsQueries(container.registries.store)
    group = queries.group(str(class_id))
    if group is None:
        raise GroupNotFound(f"no class with id {class_id}")
    authorize_group(caller, Action.READ_STATISTICS, group["school_id"], str(class_id),
                    container.registries)
    if group["kind"] != "class":
        raise InvalidValue("class_id", "statistics are summed for a class, not a subgroup")
    if (week is None) == (period is None):
        raise InvalidValue("week", "give a week or a period")
    extra: dict[str, Any]
    if week is not None:
        (start, end), extra = _week(week), {"week": week}
    else:
        span = _period(queries, group["school_id"], group["year"], str(period))
        start, end, extra = span["start"], span["end"], {"period": span}
    answer = queries.class_summary(str(class_id), start, end, _as_of(as_of))
    return encode({**answer, **extra}, request=request)
