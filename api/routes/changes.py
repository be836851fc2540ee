"""The change-details feed: lesson changes with old and new values, in log order."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import PrincipalDep, ServicesDep, read_after
from api.io import encode, io
from api.policy import Action, authorize
from api.view_schemas import ChangesPage
from domain.errors import GroupNotFound, InvalidValue
from projections.changes import ChangeQueries

router = APIRouter(tags=["lesson changes"])
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/v1/lesson-changes", dependencies=[read_after("lesson_changes")],
            **io(ChangesPage))
def lesson_changes(
    request: Request, caller: PrincipalDep, container: ServicesDep,
    school_id: Annotated[UUID | None, Query(description="lessons of this school")] = None,
    class_id: Annotated[UUID | None, Query(description="a class (with its subgroups) "
                                                        "or a subgroup")] = None,
    teacher_id: Annotated[UUID | None, Query(description="the lesson's teacher or "
                                                          "substitute")] = None,
    start: Annotated[date | None, Query(description="lessons on or after (before or "
                                                     "after the change)")] = None,
    end: Annotated[date | None, Query(description="lessons on or before")] = None,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """Every substitution, cancellation, reinstatement, room, time, subject change and move,
    with old and new values, reason, who and when; school staff see their school's."""
    school = str(school_id) if school_id else None
    if school is None and class_id is not None:
        group = container.registries.document("group", str(class_id))
        if group is None:
            raise GroupNotFound(f"no class or subgroup with id {class_id}")
        school = str(group["school_id"])
    authorize(caller, Action.READ_JOURNAL, school)
    if start and end and end < start:
        raise InvalidValue("end", "the range ends on or after its start")
    items, next_cursor = ChangeQueries(container.registries.store).feed(
        cursor, limit, school, str(class_id) if class_id else None,
        str(teacher_id) if teacher_id else None,
        start.isoformat() if start else None, end.isoformat() if end else None,
    )
    return encode({"items": items, "next_cursor": next_cursor}, request=request)
