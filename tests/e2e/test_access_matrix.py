"""The access matrix: every route of the app, called by every role, on its own objects and on
objects it must not reach, with valid bodies and parameters (so a refusal is the policy's,
never a validation error's). It asserts no leak:
- no route answers 2xx without a token except /health, /metrics (positions and timings, no
  personal data, for Prometheus scrapers), /openapi.json and the docs;
- the exporter gets 2xx only from the export; the auditor never from a command;
- a student or a parent never from another family's or another school's objects;
- staff of another school never from our school's objects;
- a teacher who does not teach the class never writes its journal or gradebook, nor reads
  its journal grid, statistics or its students' diaries (DESIGN: "a teacher their groups");
- and nobody gets a 5xx (but a 503 for a platform this deployment has not connected).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api import io as api_io
from api.app import create_app
from api.auth import LocalTokens, Role
from infra.container import Container
from tests.conftest import SECRET, Api, make_settings
from tests.e2e.access_world import Ids, World, build, path_value, query_value, struct_value

PUBLIC = {"/health", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CLASS_READS = ("/v1/classes/{class_id}/journal", "/v1/classes/{class_id}/statistics",
               "/v1/students/{student_id}/diary", "/v1/students/{student_id}/statistics")
JOURNAL_WRITES = ("/marks", "/attendance", "/gradebooks", "/homework", "/topic",
                  "/video-lesson", "/materials", "/lessons")
UNCONFIGURED = {"NotConfigured"}
INVALID_INPUT = {"InvalidBody", "MalformedJson", "InvalidRequest"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    url, admin_url, name = None, "", ""
    if request.param == "postgres":
        admin_url = request.getfixturevalue("postgres_server")
        name = f"zhurnal_matrix_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    tmp = tmp_path_factory.mktemp("matrix")
    container = Container(make_settings(tmp, url))
    container.runner  # noqa: B018
    container.start_runner()
    tokens = LocalTokens(SECRET)
    try:
        with TestClient(create_app(container, tokens), raise_server_exceptions=False) as client:
            yield build(Api(client, tokens, container), tmp / "files")
    finally:
        container.close()
        if name:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Caller:
    label: str
    role: Role | None  # None: no token
    subject: str = ""
    school_id: str | None = None


def callers(world: World) -> tuple[list[Caller], list[Caller]]:
    """(those with something to be refused, those allowed to do things), in that order."""
    ours, theirs = world.ours.school, world.theirs.school
    refused = [
        Caller("anonymous", None),
        Caller("exporter", Role.EXPORTER, "exporter"),
        Caller("auditor", Role.AUDITOR, "auditor"),
        Caller("student", Role.STUDENT, ours.students[0], ours.school_id),
        Caller("parent", Role.PARENT, world.ours.parents[0], ours.school_id),
        Caller("their-teacher", Role.TEACHER, theirs.teacher_id, theirs.school_id),
        Caller("their-director", Role.SCHOOL_ADMIN, theirs.director_id, theirs.school_id),
        Caller("stranger", Role.TEACHER, ours.stranger_id, ours.school_id),
    ]
    allowed = [
        Caller("teacher", Role.TEACHER, ours.teacher_id, ours.school_id),
        Caller("director", Role.SCHOOL_ADMIN, ours.director_id, ours.school_id),
        Caller("admin", Role.ADMIN, "admin"),
    ]
    return refused, allowed


def _flat(routes: list[Any]) -> Iterator[Any]:
    """app.routes, with the routes of each included router (FastAPI keeps them there)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _flat(included.routes) if included is not None else [route]


def operations(world: World) -> list[tuple[str, str, Any]]:
    """(method, path, route) of every route of the app."""
    found = []
    for route in _flat(world.api.client.app.routes):  # type: ignore[attr-defined]
        for method in sorted(getattr(route, "methods", None) or ()):
            if method not in ("HEAD", "OPTIONS"):
                found.append((method, route.path, route))
    return found


def _query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += _query_params(sub)
    return found


def _body(route: Any, ids: Ids) -> Any:
    extra = (getattr(route, "openapi_extra", None) or {}).get("requestBody")
    if not extra:
        return None
    name = extra["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    struct = next(t for t in api_io._schema_types if getattr(t, "__name__", "") == name)
    return struct_value(struct, ids)


def call(world: World, caller: Caller, method: str, path: str, route: Any, ids: Ids) -> Any:
    url = path
    for name in route.param_convertors:
        url = url.replace(f"{{{name}}}", path_value(name, ids))
    params: dict[str, str] = {}
    if isinstance(route, APIRoute):
        for param in _query_params(route.dependant):
            if param.field_info.is_required() or (path.startswith("/v1/audit/")
                                                  and param.name == "position"):
                params[param.alias] = query_value(param.alias, ids, path)
    headers: dict[str, str] = {}
    if caller.role is not None:
        token = world.api.tokens.mint(caller.subject, caller.role, caller.school_id)
        headers["Authorization"] = f"Bearer {token}"
    if path.endswith("/files") and method == "POST":  # the raw upload
        return world.api.client.request(method, url, params=params, content=b"%PDF-1", headers={
            **headers, "Content-Type": "application/pdf", "X-File-Name": "a.pdf"})
    body = _body(route, ids) if isinstance(route, APIRoute) else None
    return world.api.client.request(method, url, params=params, json=body, headers=headers)


def _bound(path: str, route: Any, world: World, ids: Ids) -> bool:
    """Whether the request names any object (so "foreign" means something)."""
    return bool(route.param_convertors) or (bool(_body(route, ids)) and any(
        str(v) in str(_body(route, ids)) for v in world.theirs.ids.values()))


def _problem(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return str(response.json().get("code"))
    return ""


def leaks(world: World, caller: Caller, method: str, path: str, route: Any) -> list[str]:
    found = []
    family = caller.role in (Role.STUDENT, Role.PARENT)
    variants = [("own", world.own(caller.role, caller.subject) if caller.role else
                 world.ours.ids)]
    if caller.role in (Role.STUDENT, Role.PARENT):
        variants.append(("foreign", world.foreign(family)))
    if caller.label.startswith("their-"):
        variants = [("foreign", world.ours.ids)]  # our school is foreign to them
    for variant, ids in variants:
        response = call(world, caller, method, path, route, ids)
        status, code, ok = response.status_code, _problem(response), response.status_code < 300
        where = f"{caller.label} {method} {path} [{variant}] -> {status} {code}"
        if code in INVALID_INPUT:
            found.append(f"INVALID TEST INPUT {where}: {response.text[:200]}")
        if status >= 500 and code not in UNCONFIGURED:
            found.append(f"SERVER ERROR {where}: {response.text[:200]}")
        if path in PUBLIC or path.startswith("/docs"):
            continue
        if caller.role is None and status != 401:
            found.append(f"NO TOKEN NOT 401 {where}")
        leak = ok and (
            (caller.role is Role.EXPORTER and not path.startswith("/v1/export"))
            or (caller.role is Role.AUDITOR and method in WRITES)
            or (variant == "foreign" and (family or caller.label.startswith("their-"))
                and _bound(path, route, world, ids))
            or (caller.label == "stranger" and method in WRITES
                and any(part in path for part in JOURNAL_WRITES))
            or (caller.label == "stranger" and method == "GET"
                and any(path.startswith(prefix) for prefix in CLASS_READS))
        )
        if leak:
            found.append(f"LEAK {where}")
    return found


def test_every_route_refuses_whom_it_must(world: World) -> None:
    refused, allowed = callers(world)
    problems: list[str] = []
    ops = operations(world)
    assert len(ops) > 80
    for caller in refused + allowed:
        for method, path, route in ops:
            if caller in allowed and method in WRITES and "erasure" in path:
                continue  # erasing our people would only make later reads moot
            problems += leaks(world, caller, method, path, route)
    assert problems == [], "\n".join(problems)


def test_the_public_routes_are_only_health_openapi_and_docs(world: World) -> None:
    open_routes = sorted(
        f"{method} {path}" for method, path, route in operations(world)
        if call(world, Caller("anonymous", None), method, path, route,
                world.ours.ids).status_code < 300)
    assert open_routes == ["GET /docs", "GET /docs/oauth2-redirect", "GET /health",
                           "GET /metrics", "GET /openapi.json", "GET /redoc"]


def test_a_refusal_is_a_403_problem_and_a_structured_log_line(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    student = world.ours.school.students[0]
    with caplog.at_level(logging.WARNING, logger="zhurnal.access"):
        response = world.api.as_(Role.STUDENT, student).put(
            f"/v1/people/{world.ours.school.students[1]}/sferum-profile", {"profile_id": "vk-9"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    (record,) = [r for r in caplog.records if r.name == "zhurnal.access"]
    assert record.getMessage() == "access denied"
    assert (record.subject, record.role, record.action) == (  # type: ignore[attr-defined]
        student, "student", "link_sferum")


def test_a_wall_refusal_is_logged_like_every_other(
    world: World, caplog: pytest.LogCaptureFixture,
) -> None:
    """A student's token for our school, of someone in none of its classes, reading the
    school's wall: the wall's own check (who belongs there) refuses: 403 and the log line."""
    ours, nobody = world.ours.school, str(uuid.uuid4())
    with caplog.at_level(logging.WARNING, logger="zhurnal.access"):
        response = world.api.as_(Role.STUDENT, nobody, ours.school_id).get(
            f"/v1/schools/{ours.school_id}/wall")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    (record,) = [r for r in caplog.records if r.name == "zhurnal.access"]
    assert (record.subject, record.action, record.school_id) == (  # type: ignore[attr-defined]
        nobody, "read_shared", ours.school_id)
