"""Deadline compliance: late marks and homework per school, teacher and class."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import PrincipalDep, ServicesDep, read_after
from api.io import encode, io
from api.policy import Action, authorize
from api.view_schemas import ComplianceLessonsPage, ComplianceReport, SchoolCompliancePage
from domain.errors import InvalidValue
from projections.compliance_queries import ComplianceQueries

router = APIRouter(tags=["compliance"])
Fresh = read_after("compliance")
Start = Annotated[date, Query(description="lessons on or after this day")]
End = Annotated[date, Query(description="lessons on or before this day")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]


def _range(start: date, end: date) -> tuple[str, str]:
    if end < start:
        raise InvalidValue("end", "the range ends on or after its start")
    return start.isoformat(), end.isoformat()


@router.get("/v1/schools/{school_id}/compliance", dependencies=[Fresh],
            **io(ComplianceReport))
def school_compliance(
    school_id: UUID, start: Start, end: End, request: Request, caller: PrincipalDep,
    container: ServicesDep,
) -> Response:
    """Marks of «Ответ на уроке», «Поведение», «Работа на уроке», «Наизусть» and homework of
    the lessons in the range: how many, how many late (or homework too early), for the
    school, per teacher and per class."""
    authorize(caller, Action.READ_COMPLIANCE, str(school_id))
    report = ComplianceQueries(container.registries.store).school(
        str(school_id), *_range(start, end))
    return encode(report, request=request)


@router.get("/v1/schools/{school_id}/compliance/lessons", dependencies=[Fresh],
            **io(ComplianceLessonsPage))
def compliance_lessons(
    school_id: UUID, start: Start, end: End, request: Request, caller: PrincipalDep,
    container: ServicesDep,
    teacher_id: Annotated[UUID | None, Query(description="items of this teacher")] = None,
    class_id: Annotated[UUID | None, Query(description="a class or subgroup")] = None,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """The lessons behind the report: those with late marks or homework out of its window."""
    authorize(caller, Action.READ_COMPLIANCE, str(school_id))
    items, next_cursor = ComplianceQueries(container.registries.store).lessons(
        str(school_id), *_range(start, end), cursor, limit,
        str(teacher_id) if teacher_id else None, str(class_id) if class_id else None,
    )
    return encode({"items": items, "next_cursor": next_cursor}, request=request)


@router.get("/v1/compliance", dependencies=[Fresh], **io(SchoolCompliancePage))
def region_compliance(
    start: Start, end: End, request: Request, caller: PrincipalDep, container: ServicesDep,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """Every school's totals over the range (auditors and administrators)."""
    authorize(caller, Action.READ_COMPLIANCE)
    items, next_cursor = ComplianceQueries(container.registries.store).schools(
        *_range(start, end), cursor, limit)
    return encode({"items": items, "next_cursor": next_cursor}, request=request)
