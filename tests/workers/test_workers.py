"""Workers in production mode: Redis wakes the runners; dramatiq actors run on a real Redis."""

from __future__ import annotations

import time
from typing import Any

import pytest

from domain.journal import Command
from domain.school import Requisites
from infra.container import Container
from infra.signals import RedisSignal
from projections.registries import Registries
from tests.conftest import make_settings
from workers import runtime
from workers.broker import configure_broker, start_worker


@pytest.fixture
def production(tmp_path: Any, postgres_url: str, redis_url: str) -> Any:
    """A worker-side and an API-side container on PostgreSQL and Redis, as two processes."""
    settings = make_settings(tmp_path, postgres_url, ZHURNAL_REDIS_URL=redis_url,
                             ZHURNAL_PROJECTION_POLL_SECONDS="30")
    worker, api = Container(settings), Container(settings)
    yield worker, api
    api.close()
    worker.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_new_school_reaches_the_view_well_before_the_poll_interval(production: Any) -> None:
    worker, api = production
    worker.start_runner()
    assert isinstance(worker.signal, RedisSignal)
    time.sleep(0.3)  # the subscriber is listening

    started = time.monotonic()
    outcome = api.journal.register_school(
        Command(actor="admin"), "Школа", "Asia/Vladivostok", 2, Requisites())

    assert api.wait_for("registries", outcome.position, timeout=5)
    assert time.monotonic() - started < 2  # woken by Redis, not by the 30 s poll


@pytest.mark.postgres
@pytest.mark.redis
def test_a_rebuild_sent_to_the_redis_broker_is_done_by_a_worker(production: Any) -> None:
    worker_side, api_side = production
    api_side.journal.register_school(Command(actor="admin"), "Школа", "Europe/Moscow", 1,
                                     Requisites())
    worker_side.runner.catch_up()
    with worker_side.views.transaction() as tx:
        tx.execute("DELETE FROM view_registry")  # a damaged view
    broker = configure_broker(worker_side.settings.redis_url)
    runtime.install(worker_side)
    from workers.actors import rebuild_projections

    rebuild_projections.send(["registries"])
    worker = start_worker(broker, threads=1)
    try:
        broker.join(rebuild_projections.queue_name, timeout=20_000)
        worker.join()
    finally:
        worker.stop()
    rows = Registries().dump(worker_side.views)["view_registry"]
    assert [row[0] for row in rows] == ["school"]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_mark_placed_through_one_process_is_in_the_diary_read_through_another(
    production: Any,
) -> None:
    """The API process's diary read with `min_position` is answered as soon as the worker,
    woken over Redis, has the mark: well before its 30 s poll."""
    from fastapi.testclient import TestClient

    from api.auth import LocalTokens, Role
    from domain.work_types import BuiltIn
    from infra.asgi import build_app
    from tests.conftest import SECRET
    from tests.projections.term import MONDAY, open_term

    worker, api = production
    worker.start_runner()
    time.sleep(0.3)  # the subscriber is listening
    term = open_term(api.journal)
    student = term.school.students[0]
    token = LocalTokens(SECRET).mint(str(student), Role.STUDENT)
    url = f"/v1/students/{student}/diary/2024-W36"
    with TestClient(build_app(api)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(f"{url}?min_position={api.log_position()}",
                          headers=headers).status_code == 200
        began = time.monotonic()
        mark = term.mark(term.lesson(term.school.class_id, MONDAY, 1), student,
                         BuiltIn.ANSWER, "5")
        answer = client.get(f"{url}?min_position={api.log_position()}", headers=headers)
        assert answer.status_code == 200, answer.text
        assert str(mark) in answer.text
        assert time.monotonic() - began < 2  # woken by Redis, not by the 30 s poll
