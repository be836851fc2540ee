"""Audit, read-only: an entity's history, a person's activity, views "as of" a past moment,
and the audit chain's latest checkpoint. Auditors and administrators only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.audit_schemas import ActivityPage, ChainHead, EntityHistory
from api.auth import Role
from api.deps import PrincipalDep, ServicesDep
from api.io import encode, io
from api.masking import mask_change
from api.policy import Action, authorize
from api.problems import ProblemError
from api.view_schemas import DiaryWeek, JournalGrid
from domain.errors import GroupNotFound, InvalidValue, NotFound
from projections.activity import ActivityQueries
from projections.as_of import ReplayBusy, replayed
from projections.audit_chain import ChainQueries
from projections.catalogue import all_projections
from projections.diary import Diary, DiaryQueries
from projections.history import history
from projections.rosters import checked_week
from projections.teacher_journal import JournalQueries, TeacherJournal

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Week = Annotated[str, Path(description="ISO week, e.g. 2024-W36", examples=["2024-W36"])]
At = Annotated[datetime | None, Query(description="the moment (ISO 8601; naive means UTC)")]
Position = Annotated[int | None, Query(ge=0, description="or a log position")]


@router.get("/entities/{entity_id}", **io(EntityHistory))
def entity_history(
    entity_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """Every change of an entity (a lesson, a person, a class, a school, ... or a mark) with
    who, when, the command and old -> new values, replayed from the event store."""
    authorize(caller, Action.READ_AUDIT)
    activity = ActivityQueries(container.registries.store)
    events = list(container.journal.events.get(entity_id))
    aggregate_id, part = entity_id, None
    if not events:
        owner = activity.owner_of(str(entity_id))
        if owner is None:
            raise NotFound(f"no entity with id {entity_id}")
        aggregate_id, part = UUID(owner), str(entity_id)
        events = list(container.journal.events.get(aggregate_id))
    positions = {row["version"]: row["position"] for row in activity.of_entity(str(aggregate_id))}
    items = history(events, positions, part)
    aggregate = type(events[0]).__qualname__.split(".")[0]
    if aggregate == "Person" and caller.role is not Role.ADMIN:
        for item in items:  # the auditor reads identity documents masked
            for change in item["changes"]:
                change["old"] = mask_change(change["field"], change["old"])
                change["new"] = mask_change(change["field"], change["new"])
    return encode({"entity_id": entity_id, "aggregate_id": aggregate_id,
                   "aggregate": aggregate, "items": items}, request=request)


@router.get("/activity", **io(ActivityPage))
def activity(
    request: Request, caller: PrincipalDep, container: ServicesDep,
    actor: Annotated[str, Query(min_length=1, description="a person id or a service name")],
    start: Annotated[datetime, Query(description="from this moment (inclusive)")],
    end: Annotated[datetime, Query(description="to this moment (exclusive)")],
    cursor: Annotated[int | None, Query(ge=0, description="next_cursor of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Everything an actor did in a range of time: each event with its command, in log order."""
    authorize(caller, Action.READ_AUDIT)
    if end <= start:
        raise InvalidValue("end", "the range ends after its start")
    items, next_cursor = ActivityQueries(container.registries.store).of_actor(
        actor, start, end, cursor, limit)
    return encode({"items": items, "next_cursor": next_cursor}, request=request)


@router.get("/chain", **io(ChainHead))
def chain_head(request: Request, caller: PrincipalDep, container: ServicesDep) -> Response:
    """The audit hash chain's latest checkpoint (`zhurnal audit verify` checks the log)."""
    authorize(caller, Action.READ_AUDIT)
    head = ChainQueries(container.registries.store).head()
    return encode({**head, "log_position": container.log_position()}, request=request)


def _position(container: ServicesDep, at: datetime | None, position: int | None) -> int:
    """The log position of the moment asked (or the position itself), within the log."""
    if (at is None) == (position is None):
        raise InvalidValue("at", "give a moment `at` or a log `position`")
    head = container.log_position()
    if position is not None:
        return min(position, head)
    container.wait_for("activity", head)  # bounded; a lagging view answers conservatively
    return min(ActivityQueries(container.registries.store).position_at(at), head)  # type: ignore[arg-type]


def _replay(container: ServicesDep, name: str, position: int) -> Any:
    journal = container.journal
    return replayed(journal.recorder, journal.mapper, container.registries.store,  # type: ignore[arg-type]
                    all_projections, [name], position)


def _busy() -> ProblemError:
    return ProblemError(503, "Busy", "another as-of replay is running; retry shortly",
                        "ReplayBusy", headers={"Retry-After": "5"})


@router.get("/students/{student_id}/diary/{week}", **io(DiaryWeek))
def diary_as_of(
    student_id: UUID, week: Week, request: Request, caller: PrincipalDep,
    container: ServicesDep, at: At = None, position: Position = None,
) -> Response:
    """A student's diary week exactly as it stood at a moment (or log position): the diary
    replayed up to there in temporary tables (projections/as_of.py bounds the cost)."""
    authorize(caller, Action.READ_AUDIT)
    week = checked_week(week)
    upto = _position(container, at, position)
    try:
        with _replay(container, "diary", upto) as shadows:
            shadow = shadows["diary"]
            queries = DiaryQueries(container.registries.store, shadow.table(Diary.WEEKS))
            stored = queries.week(str(student_id), week)
            answer = msgspec.Raw(stored) if stored is not None else queries.empty(
                str(student_id), week)
    except ReplayBusy:
        raise _busy() from None
    return encode(answer, headers={"X-As-Of-Position": str(upto)}, request=request)


@router.get("/classes/{class_id}/journal", **io(JournalGrid))
def journal_as_of(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    subject_id: Annotated[UUID, Query(description="the subject of the grid")],
    period: Annotated[str, Query(description="an attestation period, e.g. «1 четверть»")],
    at: At = None, position: Position = None,
) -> Response:
    """A class's journal grid exactly as it stood at a moment (or log position); names are
    today's (an erased person reads as erased)."""
    authorize(caller, Action.READ_AUDIT)
    upto = _position(container, at, position)
    try:
        with _replay(container, "teacher_journal", upto) as shadows:
            shadow = shadows["teacher_journal"]
            queries = JournalQueries(container.registries.store,
                                     shadow.table(TeacherJournal.STATE))
            group = queries.group(str(class_id))
            if group is None:
                raise GroupNotFound(f"no class or subgroup {class_id} at position {upto}")
            span = queries.period(group["school_id"], group["year"], period)
            if span is None:
                raise NotFound(f"no attestation period {period!r} at position {upto}",
                               {"period": "unknown period"})
            answer = queries.grid(group, str(subject_id), span)
    except ReplayBusy:
        raise _busy() from None
    return encode(answer, headers={"X-As-Of-Position": str(upto)}, request=request)
