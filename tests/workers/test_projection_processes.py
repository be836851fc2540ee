"""`zhurnal worker` on PostgreSQL: the export followed by a child process of its own."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra.container import Container
from infra.settings import load_settings
from tests.conftest import make_settings
from tests.projections.test_runner import populate

pytestmark = pytest.mark.postgres


@pytest.fixture
def worker(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Container]:
    container = Container(make_settings(tmp_path, postgres_url, ZHURNAL_REDIS_URL=redis_url,
                                        ZHURNAL_PROJECTION_POLL_SECONDS="0.2"))
    container.runner  # noqa: B018  (the tables, as `zhurnal worker` finds them)
    container.start_runner(split=True)
    yield container
    container.close()


def eventually(check: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def caught_up(container: Container) -> bool:
    head = container.log_position()
    return all(container.projection_position(name) == head
               for name in container.projection_names())


def test_the_export_is_kept_by_a_child_process_and_the_rest_by_the_worker(
    worker: Container,
) -> None:
    populate(worker, people=5)

    eventually(lambda: caught_up(worker))

    children = worker._children.processes
    assert [process.name for process in children] == ["projections:export"]
    assert all(process.is_alive() for process in children)
    assert "export" not in [p.name for p in worker._live_runner.projections]  # type: ignore[union-attr]
    exported = worker.views.fetchone("SELECT count(*) FROM export_records")
    assert exported is not None and exported[0] > 0


def test_a_child_that_dies_is_started_again_and_goes_on(worker: Container) -> None:
    populate(worker, people=2)
    eventually(lambda: caught_up(worker))
    first = worker._children.processes[0]
    assert first.pid is not None

    os.kill(first.pid, signal.SIGKILL)
    populate(worker, people=3)

    eventually(lambda: caught_up(worker))
    assert worker._children.processes[0].pid != first.pid


def test_a_group_naming_no_projection_is_refused_at_start(
    postgres_url: str, tmp_path: Path,
) -> None:
    container = Container(make_settings(tmp_path, postgres_url,
                                        ZHURNAL_PROJECTION_PROCESSES="export;diray"))
    with pytest.raises(ValueError, match="diray"):
        container.start_runner(split=True)
    container.close()


def test_groups_are_read_from_the_environment() -> None:
    settings = load_settings({"ZHURNAL_SECRET": "x" * 40,
                              "ZHURNAL_PROJECTION_PROCESSES": "export; diary , statistics;"})
    assert settings.projection_processes == (("export",), ("diary", "statistics"))
    assert load_settings({"ZHURNAL_SECRET": "x" * 40}).projection_processes == (("export",),)
    assert load_settings({"ZHURNAL_SECRET": "x" * 40,
                          "ZHURNAL_PROJECTION_PROCESSES": ""}).projection_processes == ()


def test_a_child_rebuilds_its_projection_left_by_older_code_when_it_starts(
    worker: Container,
) -> None:
    populate(worker, people=2)
    eventually(lambda: caught_up(worker))
    with worker.views.transaction() as tx:  # the export's tables, as an older version left them
        tx.execute("UPDATE projection_positions SET version = version - 1 "
                   "WHERE name = 'export'")
        tx.execute("DELETE FROM export_records WHERE entity = 'person'")
    populate(worker, people=1)
    eventually(lambda: worker.projection_position("diary") == worker.log_position())
    assert worker.outdated_projections() == ["export"]  # left alone until rebuilt
    first = worker._children.processes[0]
    assert first.pid is not None

    os.kill(first.pid, signal.SIGKILL)  # a new deployment's child starts

    eventually(lambda: not worker.outdated_projections() and caught_up(worker), 60)
    people = worker.views.fetchone(
        "SELECT count(*) FROM export_records WHERE entity = 'person'")
    assert people is not None and people[0] == 3  # the two deleted and the one added since
