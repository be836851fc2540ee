"""The student diary: a week of lessons, changes, homework, marks and attendance.

The most read route of the service, so it runs on the event loop from start to end: the
token is checked in place (a local HS256 token, or one already verified and remembered), the
authorization and the week are read through `AsyncViews` (an async connection pool on
PostgreSQL), and `min_position` waits on a shared position watcher. No step hands the request
to the thread pool, except a token an external provider must still verify (its keys may have
to be fetched) and the SQLite embedded default's reads.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from uuid import UUID

import msgspec
from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from api.auth import CachingVerifier, LocalTokens, Principal, Role, TokenVerifier
from api.deps import principal, view_lagging
from api.io import encode, io, raw_header, served
from api.policy import Action, authorize_student
from api.view_schemas import DiaryWeek
from domain.errors import InvalidValue, PersonNotFound
from infra.aioviews import AsyncViews
from projections.diary import Diary, DiaryQueries
from projections.diary_weeks import assemble, week_params, week_sql
from projections.rosters import checked_week

router = APIRouter(tags=["diary"])
Week = Annotated[str, Path(description="ISO week, e.g. 2024-W36", examples=["2024-W36"])]
MinPosition = Annotated[
    int | None, Query(ge=0, description="Wait until the view includes this position")
]
_bearer = HTTPBearer(auto_error=False, description="A token from `zhurnal token --role ROLE`")
_WEEK_SQL = week_sql(Diary.WEEKS)
_DOCUMENT_SQL = "SELECT doc FROM {table} WHERE kind = ? AND pk = ?"
_LINK = 2  # the first column of the representative's row beside the week's (0 and 1)
_ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


@router.get("/v1/students/{student_id}/diary/{week}", **io(DiaryWeek))
async def diary_week(
    student_id: UUID, week: Week, request: Request, min_position: MinPosition = None
) -> Response:
    """A student's week: every lesson of the classes and subgroups they were in each day,
    with changes (substitute, move, cancellation), homework, marks and attendance."""
    return await _week(request, student_id, week, min_position)


class _PlainRoute(Route):
    """The same GET as a plain Starlette route, listed before the FastAPI one: FastAPI's
    parameter handling (~0.25 ms a request) is most of a cached read's cost. It takes only
    what it parses without doubt (a UUID, and no query or a `min_position` of digits);
    anything else falls through to the FastAPI route, which answers as documented."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.FULL:
            return match, child
        if not _PLAIN_QUERY.fullmatch(scope.get("query_string", b"")):
            return Match.NONE, {}
        params = child["path_params"]
        try:
            params["student_id"] = UUID(params["student_id"])
        except ValueError:
            return Match.NONE, {}
        return match, child


_PLAIN_QUERY = re.compile(rb"(min_position=\d{1,18})?")


async def _plain(request: Request) -> Response:
    query = request.scope.get("query_string", b"")
    return await _week(request, request.path_params["student_id"],
                       request.path_params["week"], int(query[13:]) if query else None)


_PLAIN = _PlainRoute("/v1/students/{student_id}/diary/{week}", _plain, methods=["GET"],
                     include_in_schema=False)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Each API process opens its async pool in its own loop (and closes it on shutdown),
    and puts the plain route first of the application's (not in this router: FastAPI
    matches an included router's plain routes by their path alone, and no other route is
    tried before it there). An application that never starts (no lifespan) serves the diary
    with the FastAPI route alone."""
    if _PLAIN not in app.router.routes:
        app.router.routes.insert(0, _PLAIN)
    views = _views(app)
    await views.open()
    try:
        yield
    finally:
        await views.close()


router.lifespan_context = _lifespan


async def _week(request: Request, student_id: UUID, week: str,
                min_position: int | None) -> Response:
    caller = await _caller(request)
    views = _views(request.app)
    student = str(student_id)
    if min_position:  # first: the registries the authorization reads are as fresh
        settings = getattr(request.app.state.services, "settings", None)
        timeout = settings.read_wait_seconds if settings is not None else 5.0
        if not await views.watch.wait_for(Diary.name, min_position, timeout):
            raise view_lagging(Diary.name, min_position)
    fetched = _Fetched()
    # A parent's link to the student is read with the week, in one round trip (the week is
    # dropped unread when there is none); anyone else is authorized first.
    link = (f"{student}:{caller.subject}" if caller.role is Role.PARENT
            and _ISO_WEEK.fullmatch(week) else None)
    if link is None:
        await _authorize(caller, student, views, fetched)
        week = checked_week(week)
        rows = await views.fetchall(_WEEK_SQL, week_params(student, week), raw=True)
    else:
        try:
            week = checked_week(week)
        except InvalidValue:  # 2024-W99: still refused before it is found malformed
            await _authorize(caller, student, views, fetched)
            raise
        rows = await views.fetchall(views.linked_week_sql,
                                    (link, *week_params(student, week)), raw=True)
        found = [row[2] for row in rows if row[0] == _LINK]
        fetched.docs[("representative", link)] = (msgspec.json.decode(found[0]) if found
                                                  else None)
        await _authorize(caller, student, views, fetched)  # refused here when unlinked
        rows = [row for row in rows if row[0] != _LINK]
    # Raw rows (bytes on PostgreSQL): `assemble` only compares a stint's group with an
    # entry's, both the same type, and hands the documents to msgspec.
    stored = assemble(student, week, rows) if rows else None
    if stored is not None:  # served as assembled: one lookup, no re-encoding
        return served(stored, request)
    if await views.fetchone(views.document_sql, ("person", student)) is None:
        raise PersonNotFound(f"no person with id {student_id}")
    return encode(DiaryQueries.empty(student, week), request=request)


class _Views(AsyncViews):
    document_sql: str  # a registry document by (kind, pk)
    linked_week_sql: str  # a representative link (a `_LINK` row, if any), then the week


def _views(app: FastAPI) -> _Views:
    views: _Views | None = getattr(app.state, "diary_views", None)
    if views is None:
        registries = app.state.services.registries
        views = _Views(registries.store)
        views.document_sql = _DOCUMENT_SQL.format(table=registries.table)
        views.linked_week_sql = (
            f"SELECT {_LINK}, pk, doc FROM {registries.table} WHERE kind = 'representative' "
            f"AND pk = ? UNION ALL {_WEEK_SQL}")
        app.state.diary_views = views
    return views


async def _caller(request: Request) -> Principal:
    """The bearer's principal (the errors of `api.deps.principal`), verified in the loop
    when that needs no I/O."""
    tokens: TokenVerifier = request.app.state.verifier
    if isinstance(tokens, CachingVerifier):  # a token seen before: no parsing of headers
        value = raw_header(request, b"authorization")
        if value is not None and value[:7] == b"Bearer " and (known := tokens.remembered(
                value[7:].decode("latin-1"))) is not None:
            request.state.principal = known
            return known
    credentials: HTTPAuthorizationCredentials | None = await _bearer(request)
    if credentials is None or _verifies_in_place(tokens, credentials.credentials):
        return principal(request, credentials, tokens)
    return await run_in_threadpool(principal, request, credentials, tokens)


def _verifies_in_place(tokens: TokenVerifier, token: str) -> bool:
    if isinstance(tokens, CachingVerifier):
        return tokens.knows(token) or isinstance(tokens.inner, LocalTokens)
    return isinstance(tokens, LocalTokens)


class _Missing(Exception):
    def __init__(self, kind: str, pk: str) -> None:
        super().__init__(kind, pk)
        self.kind, self.pk = kind, pk


class _Fetched:
    """The registry documents read so far; `document` of another one raises `_Missing`."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any] | None] = {}

    def document(self, kind: str, pk: str) -> dict[str, Any] | None:
        if (kind, pk) not in self.docs:
            raise _Missing(kind, pk)
        return self.docs[(kind, pk)]


async def _authorize(caller: Principal, student: str, views: _Views, fetched: _Fetched) -> None:
    """`authorize_student` itself, each registry document it asks for (and `fetched` lacks)
    read asynchronously (a student's own diary: none; staff: the student and the class)."""
    while True:
        try:
            authorize_student(caller, Action.READ_DIARY, student, fetched)
            return
        except _Missing as missing:
            row = await views.fetchone(views.document_sql, (missing.kind, missing.pk),
                                       raw=True)
            fetched.docs[(missing.kind, missing.pk)] = (
                msgspec.json.decode(row[0]) if row else None)
