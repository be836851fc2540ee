"""The batching runner: exactly-once views, crash in mid-batch, rebuild and verify."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import pytest

from domain.journal import Command
from domain.person import Documents, FullName, Sex
from domain.school import Requisites
from infra.container import Container
from projections.base import Positioned
from projections.operations import rebuild, verify
from projections.registries import Registries
from projections.runner import ProjectionRunner
from projections.store import Tx

ADMIN = Command(actor="admin")


def populate(container: Container, people: int = 30) -> UUID:
    journal = container.journal
    school = UUID(journal.register_school(
        ADMIN, "Школа", "Europe/Moscow", 1, Requisites(inn="7707083893")).answer["id"])
    group = UUID(journal.open_class(ADMIN, school, 2026, "7В").answer["id"])
    for number in range(people):
        person = UUID(journal.register_person(
            ADMIN, FullName(last=f"Ученик{number:03d}", first="Пётр"), Sex.MALE,
            date(2013, 1, 1), Documents(snils="112-233-445 95") if number % 2 else Documents(),
        ).answer["id"])
        journal.enrol_student(ADMIN, group, person, date(2026, 9, 1))
    return school


class CrashOnce(Registries):
    """The registries projection that dies at one log position, after writing part of its batch."""

    def __init__(self, crash_at: int) -> None:
        super().__init__()
        self.crash_at: int | None = crash_at

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        if self.crash_at is not None and events[-1][0] >= self.crash_at:
            super().process(tx, [e for e in events if e[0] < self.crash_at])  # rows written
            self.crash_at = None
            raise RuntimeError("killed in the middle of a batch")
        super().process(tx, events)


def runner_with(container: Container, projection: Registries, batch: int) -> ProjectionRunner:
    return ProjectionRunner(
        container.journal.recorder,  # type: ignore[arg-type]
        container.journal.mapper, container.views, [projection], batch_size=batch,
    )


def test_a_projection_killed_mid_batch_restarts_to_the_same_view(container: Container) -> None:
    populate(container)
    crashing = runner_with(container, CrashOnce(crash_at=42), batch=25)
    crashing.run_once()  # first batch commits: 25 events
    with pytest.raises(RuntimeError):
        crashing.run_once()  # dies on the 18th event of the second batch
    assert crashing.positions()["registries"] == 25  # nothing of the failed batch is kept

    crashing.catch_up()

    assert crashing.positions()["registries"] == container.log_position()
    assert verify(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
                  container.views, container.projections) == []


def test_a_rebuild_from_zero_equals_the_live_view(container: Container) -> None:
    school = populate(container, people=12)
    container.runner.catch_up()
    live = Registries().dump(container.views)
    students_before = container.registries.students(str(school), None, 100)

    count = rebuild(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
                    container.views, container.projections, batch_size=7)

    assert count == container.log_position()
    assert Registries().dump(container.views) == live
    assert container.registries.students(str(school), None, 100) == students_before
    assert container.runner.positions()["registries"] == container.log_position()


def test_verify_reports_a_view_row_changed_behind_the_runners_back(
    container: Container,
) -> None:
    populate(container, people=3)
    container.runner.catch_up()
    with container.views.transaction() as tx:
        tx.execute("UPDATE view_registry SET sort = 'tampered' WHERE kind = 'person'")
    differences = verify(
        container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
        container.views, container.projections,
    )
    assert [(d.projection, d.table) for d in differences] == [("registries", "view_registry")]


def test_batches_of_any_size_give_the_same_view(container: Container) -> None:
    populate(container, people=10)
    runner_with(container, Registries(), batch=1).catch_up()
    one_by_one = Registries().dump(container.views)
    rebuild(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
            container.views, container.projections, batch_size=1000)
    assert Registries().dump(container.views) == one_by_one
