"""Fixtures: a Container on SQLite (tmp dir) or on a PostgreSQL database created and dropped."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalTokens, Role
from infra.container import Container
from infra.settings import load_settings

PG_ADMIN_URL = os.environ.get(
    "ZHURNAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ZHURNAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# CI sets this: an unreachable service then fails the run instead of skipping its tests.
REQUIRE_SERVICES = os.environ.get("ZHURNAL_TEST_REQUIRE_SERVICES") == "1"
SECRET = "test-secret-" + "x" * 40


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is unreachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            pass
    except psycopg.Error as error:
        _unavailable("PostgreSQL", error)
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    name = f"zhurnal_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
    except redis.RedisError as error:
        _unavailable("Redis", error)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def make_settings(tmp_path: Any, database_url: str | None = None, **extra: str) -> Any:
    env = {"ZHURNAL_DATA_DIR": str(tmp_path / "var"), "ZHURNAL_SECRET": SECRET, **extra}
    if database_url:
        env["ZHURNAL_DATABASE_URL"] = database_url
    return load_settings(env)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def container(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[Container]:
    """A Container on each database kind the suite runs against."""
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    services = Container(make_settings(tmp_path, url))
    services.runner  # noqa: B018  (creates the view tables)
    yield services
    services.close()


@pytest.fixture
def tokens() -> LocalTokens:
    return LocalTokens(SECRET)


class Api:
    """A test client that speaks as a role; `as_(role)` switches."""

    def __init__(self, client: TestClient, tokens: LocalTokens, container: Container) -> None:
        self.client = client
        self.tokens = tokens
        self.container = container
        self.headers = {"Authorization": "Bearer " + tokens.mint("admin", Role.ADMIN)}

    def as_(self, role: Role, subject: str = "someone", school_id: str | None = None) -> Api:
        other = Api(self.client, self.tokens, self.container)
        other.headers = {"Authorization": "Bearer " + self.tokens.mint(subject, role, school_id)}
        return other

    def request(self, method: str, url: str, headers: dict[str, str] | None = None,
                **kwargs: Any) -> Any:
        return self.client.request(method, url, headers={**self.headers, **(headers or {})},
                                   **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", url, json=json, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", url, json=json, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", url, json=json, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)


@pytest.fixture
def api(container: Container, tokens: LocalTokens) -> Iterator[Api]:
    """The HTTP API over a live container, its projections running in-process."""
    container.start_runner()
    with TestClient(create_app(container, tokens), raise_server_exceptions=False) as client:
        yield Api(client, tokens, container)
