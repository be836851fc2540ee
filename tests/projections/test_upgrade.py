"""A projection whose code changed (its `version`) is left alone by the runner until it is
rebuilt in the background, then kept again; reads meanwhile see the old tables."""

from __future__ import annotations

import time
from datetime import date
from uuid import UUID

from domain.person import Documents, FullName, Sex
from infra.container import Container
from projections.runner import POSITIONS, read_position
from projections.upgrade import LOCK, outdated, upgrade
from tests.projections.test_runner import ADMIN, populate


def built_by_older_code(container: Container) -> None:
    """As if an earlier version of the registries' code had built its tables: an older
    version number, and rows this version adds (here: every person) missing."""
    with container.views.transaction() as tx:
        tx.execute(f"UPDATE {POSITIONS} SET version = version - 1 WHERE name = 'registries'")
        tx.execute("DELETE FROM view_registry WHERE kind = 'person'")


def persons(container: Container) -> int:
    row = container.views.fetchone("SELECT COUNT(*) FROM view_registry WHERE kind = 'person'")
    return int(row[0]) if row else 0


def register(container: Container, last: str) -> UUID:
    return UUID(container.journal.register_person(
        ADMIN, FullName(last=last, first="Анна"), Sex.FEMALE, date(2012, 3, 4), Documents(),
    ).answer["id"])


def test_an_outdated_projection_waits_for_its_rebuild_and_is_then_kept_again(
    container: Container,
) -> None:
    populate(container, people=5)
    container.runner.catch_up()
    built_by_older_code(container)
    before = read_position(container.views, "registries")
    runner = container.runner_of(container.projections())
    assert runner.outdated == {"registries"}
    assert container.outdated_projections() == ["registries"]

    register(container, "Новикова")
    runner.catch_up()

    # the new code did not write into the old tables, nor its version over them
    assert read_position(container.views, "registries") == before
    assert persons(container) == 0
    assert read_position(container.views, "activity") == container.log_position()

    rebuilt = upgrade(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
                      container.views, container.projections, ["registries"])

    assert rebuilt == ["registries"]
    assert persons(container) == 6  # the five pupils and the new one
    assert outdated(container.views, container.projections, ["registries"]) == []
    register(container, "Морозова")
    runner.catch_up()
    assert runner.outdated == set()
    assert read_position(container.views, "registries") == container.log_position()
    assert persons(container) == 7


def test_one_process_rebuilds_while_another_holds_the_lock(container: Container) -> None:
    populate(container, people=2)
    container.runner.catch_up()
    built_by_older_code(container)
    with container.views.exclusive(LOCK) as mine:
        assert mine
        assert upgrade(container.journal.recorder,  # type: ignore[arg-type]
                       container.journal.mapper, container.views, container.projections,
                       ["registries"]) == []
    assert outdated(container.views, container.projections, ["registries"]) == ["registries"]


def test_the_service_rebuilds_an_outdated_projection_when_it_starts(
    container: Container,
) -> None:
    populate(container, people=3)
    container.runner.catch_up()
    built_by_older_code(container)
    register(container, "Белова")

    container.start_runner()

    deadline = time.monotonic() + 30
    while outdated(container.views, container.projections, ["registries"]):
        assert time.monotonic() < deadline, "the registries were not rebuilt"
        time.sleep(0.05)
    assert container.wait_for("registries", container.log_position(), timeout=10)
    assert persons(container) == 4
