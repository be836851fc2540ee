"""The diary's serving path: the plain route beside the FastAPI one, min_position woken by the
runner's signal, the remembered tokens, the race-free wake-up signal."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import CachingVerifier, InvalidToken, LocalTokens, Role
from domain.work_types import BuiltIn
from infra.container import Container
from infra.signals import LocalSignal
from projections.diary import DiaryQueries
from tests.conftest import SECRET, Api, make_settings
from tests.projections.term import MONDAY, Term, open_term, week_day


@pytest.fixture
def slow_poll(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[Api]:
    """The API with its runner in-process, polling only every 30 s: what reaches a view
    sooner was woken by the signal. Reads wait at most 2 s for `min_position`."""
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    container = Container(make_settings(tmp_path, url, ZHURNAL_PROJECTION_POLL_SECONDS="30",
                                        ZHURNAL_READ_WAIT_SECONDS="2"))
    container.runner  # noqa: B018  (creates the view tables)
    container.start_runner()
    tokens = LocalTokens(SECRET)
    try:
        with TestClient(create_app(container, tokens), raise_server_exceptions=False) as client:
            yield Api(client, tokens, container)
    finally:
        container.close()


def _diary(term: Term, student: Any) -> str:
    return f"/v1/students/{student}/diary/2024-W36"


def test_a_mark_is_in_the_diary_read_with_its_position_well_before_the_poll(
    slow_poll: Api,
) -> None:
    term = open_term(slow_poll.container.journal)
    student = term.school.students[0]
    url = _diary(term, student)
    assert slow_poll.get(f"{url}?min_position={slow_poll.container.log_position()}") \
        .status_code == 200
    began = time.monotonic()
    mark = term.mark(term.lesson(term.school.class_id, MONDAY, 1), student, BuiltIn.ANSWER, "5")
    answer = slow_poll.get(f"{url}?min_position={slow_poll.container.log_position()}")
    assert answer.status_code == 200, answer.text
    assert str(mark) in answer.text
    assert time.monotonic() - began < 1.5  # the signal woke the runner, not the 30 s poll


def test_a_position_the_view_does_not_reach_answers_503(slow_poll: Api) -> None:
    term = open_term(slow_poll.container.journal)
    far = slow_poll.container.log_position() + 1000
    began = time.monotonic()
    answer = slow_poll.get(f"{_diary(term, term.school.students[0])}?min_position={far}")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert answer.json()["code"] == "ViewLagging"
    assert 1.9 < time.monotonic() - began < 4  # ZHURNAL_READ_WAIT_SECONDS


def test_the_plain_route_answers_as_the_documented_one(api: Api) -> None:
    term = open_term(api.container.journal)
    term.mark(term.lesson(term.school.class_id, week_day(0, 3), 1), term.school.students[1],
              BuiltIn.ANSWER, "4")
    url = f"{_diary(term, term.school.students[1])}?min_position={api.container.log_position()}"
    first = api.client.app.router.routes[0]  # type: ignore[attr-defined]
    assert type(first).__name__ == "_PlainRoute"  # put first by the router's lifespan
    plain = api.get(url)
    documented = api.get(url + "&unknown=1")  # a query the plain route leaves to FastAPI
    assert plain.status_code == documented.status_code == 200
    assert plain.content == documented.content
    # The async reads (raw bytes on PostgreSQL) splice the same week as the sync query.
    assert plain.content == DiaryQueries(api.container.views).week(
        str(term.school.students[1]), "2024-W36")
    assert plain.headers["ETag"] == documented.headers["ETag"]
    assert api.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    base = _diary(term, term.school.students[1])
    for bad in ("min_position=-1", "min_position=abc", "min_position="):
        answer = api.get(f"{base}?{bad}")
        assert answer.status_code == 422, (bad, answer.text)
    assert api.get("/v1/students/not-a-uuid/diary/2024-W36").status_code == 422
    assert api.as_(Role.STUDENT, "someone").get(base).status_code == 403
    assert api.get(base, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert api.client.get(base).status_code == 401
    # Refusals on the plain route's way (taken before the router) answer as FastAPI's route.
    for reader, path in ((api.as_(Role.STUDENT, "someone"), base),
                         (api, f"{_diary(term, term.school.students[1])[:-2]}99"),
                         (api.client, base)):
        plain, documented = reader.get(path), reader.get(path + "?unknown=1")
        assert plain.status_code == documented.status_code != 200
        assert plain.content == documented.content
        assert plain.headers.get("WWW-Authenticate") == documented.headers.get(
            "WWW-Authenticate")
        assert plain.headers["content-type"] == documented.headers["content-type"]


def test_a_verified_token_is_remembered_until_it_expires() -> None:
    calls: list[str] = []

    class Counting(LocalTokens):
        def verify(self, token: str) -> Any:
            calls.append(token)
            return super().verify(token)

    inner = Counting(SECRET)
    tokens = CachingVerifier(inner)
    token = inner.mint("s", Role.STUDENT)
    assert not tokens.knows(token)
    assert tokens.verify(token) == tokens.verify(token)
    assert tokens.knows(token) and calls == [token]
    with pytest.raises(InvalidToken):
        tokens.verify("nonsense")
    with pytest.raises(InvalidToken):
        tokens.verify("nonsense")
    assert calls.count("nonsense") == 2  # a refusal is never remembered
    short = inner.mint("s", Role.STUDENT, ttl_seconds=1)
    tokens.verify(short)
    time.sleep(1.1)
    assert not tokens.knows(short)
    with pytest.raises(InvalidToken):
        tokens.verify(short)


def test_the_signal_keeps_a_notify_that_lands_while_the_runner_works() -> None:
    signal = LocalSignal()
    assert not signal.wait(0.01)  # nothing new
    signal.notify(1)  # while the runner processes a batch
    began = time.monotonic()
    assert signal.wait(5)  # the next wait returns at once
    assert time.monotonic() - began < 0.5
    assert not signal.wait(0.01)
    waker = threading.Timer(0.05, signal.notify, (2,))
    waker.start()
    assert signal.wait(5)
    waker.join()


def test_a_parents_link_is_read_with_the_week(api: Api) -> None:
    term = open_term(api.container.journal)
    child, other = term.school.students[0], term.school.students[1]
    parent = api.as_(Role.PARENT, str(term.parent))
    fresh = f"min_position={api.container.log_position()}"  # waits, then authorizes
    assert parent.get(f"{_diary(term, child)}?{fresh}").status_code == 200
    assert parent.get(f"{_diary(term, other)}?{fresh}").status_code == 403
    linked = parent.get(_diary(term, child))  # the link read with the week
    assert linked.status_code == 200 and linked.json()["days"]
    assert linked.content == DiaryQueries(api.container.views).week(str(child), "2024-W36")
    assert parent.get(_diary(term, other)).status_code == 403
    assert parent.get(f"/v1/students/{other}/diary/2024-W99").status_code == 403
    assert parent.get(f"/v1/students/{child}/diary/2024-W99").status_code == 422
    assert parent.get(f"/v1/students/{child}/diary/2024-36").status_code == 422
