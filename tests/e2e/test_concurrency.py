"""Two people saving the same record at once: one wins, the other gets 409, nothing is lost."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import pytest

from domain.errors import Conflict
from domain.journal import Command
from domain.school import Requisites, School
from infra.container import Container
from tests.conftest import Api
from tests.factories import school


def test_two_simultaneous_updates_of_a_school_one_wins_one_conflicts(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = container.journal
    school_id = UUID(journal.register_school(
        Command(actor="admin"), "Школа", "Europe/Moscow", 1, Requisites()).answer["id"])
    both_loaded = threading.Barrier(2, timeout=10)
    original = journal.get_school

    def get_school_then_wait(sid: UUID, expected_version: int | None = None) -> School:
        loaded = original(sid, expected_version)
        both_loaded.wait()  # both commands decide on the same version
        return loaded

    monkeypatch.setattr(journal, "get_school", get_school_then_wait)
    results: dict[str, Any] = {}

    def rename(name: str) -> None:
        try:
            results[name] = journal.update_school(Command(actor=name), school_id, None, name)
        except Conflict as error:
            results[name] = error

    threads = [threading.Thread(target=rename, args=(n,)) for n in ("Первая", "Вторая")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    conflicts = [name for name, r in results.items() if isinstance(r, Conflict)]
    winners = [name for name, r in results.items() if not isinstance(r, Conflict)]
    assert len(conflicts) == 1 and len(winners) == 1
    assert original(school_id).name == winners[0]
    assert original(school_id).version == 2


def test_a_lost_race_over_http_is_a_409_problem(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    school_id = api.post("/v1/schools", school()).json()["id"]

    def lose(*_: Any, **__: Any) -> Any:
        raise Conflict("another command changed the same record first; reload and retry")

    monkeypatch.setattr(api.container.journal, "update_school", lose)
    response = api.patch(f"/v1/schools/{school_id}", {"name": "Новая"})
    assert response.status_code == 409
    assert response.json()["code"] == "Conflict"
