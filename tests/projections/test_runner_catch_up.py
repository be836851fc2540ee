"""A runner far behind: deferred indexes, and one batch at a time per projection."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from infra.container import Container
from projections.base import Projection
from projections.export_projector import Export
from projections.registries import Registries
from projections.runner import LOCK_CLASS, ProjectionRunner
from projections.walls import Walls
from tests.conftest import make_settings
from tests.projections.test_runner import populate


def runner(container: Container, projections: list[Projection], batch: int,
           catch_up: int | None = None) -> ProjectionRunner:
    return ProjectionRunner(
        container.journal.recorder,  # type: ignore[arg-type]
        container.journal.mapper, container.views, projections, batch_size=batch,
        catch_up_size=catch_up, position_key=lambda p: p.name + p.suffix,
    )


def indexes(container: Container, table: str) -> set[str]:
    if container.views.dialect == "postgres":
        rows = container.views.fetchall(
            "SELECT indexname FROM pg_indexes WHERE tablename = ?", (table,))
    else:
        rows = container.views.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,))
    return {str(name) for (name,) in rows}


def test_an_export_caught_up_from_zero_builds_its_query_indexes_at_the_end(
    container: Container,
) -> None:
    populate(container, people=30)
    export = Export("_bulk")
    deferred = set(export.deferred_index_names())
    assert deferred and deferred <= set(export.index_names())
    catching_up = runner(container, [export], batch=10, catch_up=40)

    catching_up.run_once()  # far behind: a 40-event batch, the query indexes dropped

    assert not deferred & indexes(container, "export_records_bulk")
    catching_up.catch_up()
    assert deferred <= indexes(container, "export_records_bulk")
    # The same rows as a runner that never dropped anything, batch by batch.
    step_by_step = Export("_steps")
    runner(container, [step_by_step], batch=7).catch_up()
    assert indexes(container, "export_records_steps") == {
        name.replace("_bulk", "_steps") for name in indexes(container, "export_records_bulk")}
    bulk, steps = export.dump(container.views), step_by_step.dump(container.views)
    assert [bulk[name] for name in export.table_names()] == [
        steps[name] for name in step_by_step.table_names()]


def test_a_catch_up_stopped_half_way_gets_its_indexes_back_on_restart(
    container: Container,
) -> None:
    populate(container, people=30)
    export = Export("_halfway")
    runner(container, [export], batch=10, catch_up=40).run_once()
    assert not set(export.deferred_index_names()) & indexes(container, "export_records_halfway")

    restarted = runner(container, [Export("_halfway")], batch=10, catch_up=40)

    assert set(export.deferred_index_names()) <= indexes(container, "export_records_halfway")
    restarted.catch_up()
    assert restarted.positions()["export"] == container.log_position()


@pytest.fixture
def postgres(postgres_url: str, tmp_path: Any) -> Iterator[Container]:
    services = Container(make_settings(tmp_path, postgres_url))
    yield services
    services.close()


@pytest.mark.postgres
def test_a_projection_runs_one_batch_at_a_time_whichever_runner_holds_it(
    postgres: Container, postgres_url: str,
) -> None:
    container = postgres
    populate(container, people=3)
    with psycopg.connect(postgres_url) as other:  # another worker, mid-batch on the registries
        other.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_CLASS, "registries"))
        waiting = runner(container, [Registries(), Walls()], batch=1000)
        thread = threading.Thread(target=waiting.run_once)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive()  # it waits for the registries' lock
        assert waiting.positions() == {"registries": 0, "walls": 0}
        # A runner of other projections is not held up.
        assert runner(container, [Walls("_apart")], batch=1000).catch_up() > 0
        other.commit()
    thread.join(timeout=10)
    assert waiting.positions()["registries"] == container.log_position()
