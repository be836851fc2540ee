"""Numbered deltas: manifests that match their bodies, bodies that never change, ranges that
follow each other, acknowledgements in order; a consumer that applies every delta in order
holds exactly the current export (no record skipped, none out of order)."""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
from typing import Any

import pytest

from domain.errors import NotFound, RuleViolated
from domain.marks import Attendance, MarkEntry
from domain.work_types import BuiltIn
from infra.container import Container
from projections.export_deltas import Manifest, body, manifests, seal, snapshot
from projections.export_status import AckOutOfOrder, DeltaNotFound, acknowledge, acknowledged
from tests.projections.export_support import (
    body_lines,
    complete_school,
    everyone,
    identify_all,
    records,
)
from tests.projections.term import Term, realistic_term, week_day


@pytest.fixture
def term(container: Container) -> Term:
    built = realistic_term(container.journal)
    complete_school(container.journal, built.school.school_id)
    identify_all(container.journal, everyone(built))
    container.runner.catch_up()
    return built


def lines_of(container: Container, sealed: Manifest) -> list[dict[str, Any]]:
    return body_lines(b"".join(body(container.views, sealed.number)))


def released(container: Container) -> dict[tuple[str, str], dict[str, Any]]:
    """What a consumer should hold now: live records (every gate is open in these tests)."""
    return {key: row["payload"] for key, row in records(container.views).items()
            if row["op"] == 0}


def test_a_manifest_describes_its_body_and_a_sealed_body_never_changes(
    container: Container, term: Term
) -> None:
    first = seal(container.views)
    assert first is not None and first.number == 1 and first.from_position == 0
    data = b"".join(body(container.views, 1))
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (first.sha256, first.size)
    lines = body_lines(data)
    assert len(lines) == first.records == sum(first.counts.values())
    order = [(line["position"], line["entity"], line["key"]) for line in lines]
    assert order == sorted(order)
    school = term.school
    container.journal.record_attendance(
        school.admin, term.lesson(school.class_id, week_day(4, 2), 2),
        {school.students[0]: Attendance.ILL})
    container.runner.catch_up()
    second = seal(container.views)
    assert second is not None and second.number == 2
    assert second.from_position == first.to_position
    assert second.to_position == container.log_position()
    assert b"".join(body(container.views, 1)) == data
    assert manifests(container.views, 0, 10) == [first, second]
    assert seal(container.views) is None  # nothing new


def test_acknowledgements_go_in_order_and_a_resumed_consumer_gets_the_rest(
    container: Container, term: Term
) -> None:
    views, school = container.views, term.school
    for week in range(3):
        container.journal.record_attendance(
            school.admin, term.lesson(school.class_id, week_day(week, 5), 2),
            {school.students[1]: Attendance.ABSENT})
        container.runner.catch_up()
        seal(views)
    assert [m.number for m in manifests(views, 0, 10)] == [1, 2, 3]
    with pytest.raises(AckOutOfOrder):
        acknowledge(views, "myschool", 2)
    with pytest.raises(DeltaNotFound):
        acknowledge(views, "myschool", 9)
    assert acknowledge(views, "myschool", 1) == 1
    assert acknowledge(views, "myschool", 1) == 1  # repeated: nothing changes
    assert [m.number for m in manifests(views, acknowledged(views, "myschool"), 10)] == [2, 3]
    assert acknowledged(views, "other") == 0


def test_a_snapshot_holds_the_schools_whole_state_and_keeps_the_range(
    container: Container, term: Term
) -> None:
    views = container.views
    first = seal(views)
    full = snapshot(views, str(term.school.school_id))
    assert full.kind == "snapshot" and full.school_id == str(term.school.school_id)
    assert first is not None and full.from_position == full.to_position == first.to_position
    assert {(line["entity"], line["key"]) for line in lines_of(container, full)} == set(
        released(container))
    assert all(line["op"] == 0 for line in lines_of(container, full))
    with pytest.raises(NotFound):
        snapshot(views, "no-such-school")


def test_a_snapshot_of_a_held_school_is_refused(container: Container) -> None:
    built = realistic_term(container.journal)
    container.runner.catch_up()
    with pytest.raises(RuleViolated):
        snapshot(container.views, str(built.school.school_id))


def test_a_consumer_applying_every_delta_holds_the_current_export(
    container: Container, term: Term
) -> None:
    """Random journal keeping with seals between, while the runner follows in a thread."""
    rng, school, journal = random.Random(7), term.school, container.journal
    container.start_runner()
    lessons = [term.lesson(school.class_id, week_day(w, d), n)
               for w in range(5) for d, n in ((1, 1), (3, 1), (5, 2))]
    placed: list[tuple[Any, Any]] = []
    for step in range(40):
        lesson, student = rng.choice(lessons), rng.choice(school.students[:2])
        roll = rng.random()
        if roll < 0.4:
            kind = rng.choice([BuiltIn.TEST_PAPER, BuiltIn.DICTATION, BuiltIn.HOMEWORK])
            try:
                outcome = journal.place_marks(school.as_(school.teacher_id), lesson, [MarkEntry(
                    student_id=student, work_type_id=school.work_type(kind),
                    value=rng.choice("2345"))])
                placed.append((lesson, outcome.answer["marks"][0]["id"]))
            except Exception:  # already marked, or cancelled: journal rules, not ours
                pass
        elif roll < 0.6 and placed:
            lesson_id, mark_id = placed.pop(rng.randrange(len(placed)))
            journal.remove_mark(school.admin, lesson_id, _uuid(mark_id), "ошибка")
        elif roll < 0.8:
            journal.record_attendance(school.admin, lesson, {student: rng.choice(
                [Attendance.ABSENT, Attendance.PRESENT, Attendance.ILL])})
        if step % 7 == 0:
            seal(container.views)
    assert container.wait_for("export", container.log_position(), timeout=30)
    seal(container.views)
    held: dict[tuple[str, str], Any] = {}
    last_position: dict[tuple[str, str], int] = {}
    for sealed in manifests(container.views, 0, 1000):
        for line in lines_of(container, sealed):
            key = (line["entity"], line["key"])
            assert line["position"] > last_position.get(key, 0), key  # never out of order
            last_position[key] = line["position"]
            if line["op"] == 0:
                held[key] = line["payload"]
            else:
                held.pop(key, None)
    assert held == released(container)


def test_sealers_racing_number_their_deltas_without_a_gap_or_an_overlap(
    container: Container, term: Term
) -> None:
    sealed: list[Manifest] = []
    school = term.school

    def sealer() -> None:
        for _ in range(5):
            found = seal(container.views)
            if found is not None:
                sealed.append(found)

    threads = [threading.Thread(target=sealer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for week in range(5):
        container.journal.record_attendance(
            school.admin, term.lesson(school.class_id, week_day(week, 3), 1),
            {school.students[0]: Attendance.ABSENT})
        container.runner.catch_up()
    for thread in threads:
        thread.join()
    seal(container.views)
    every = manifests(container.views, 0, 100)
    assert [m.number for m in every] == list(range(1, len(every) + 1))
    for before, after in itertools.pairwise(every):
        assert after.from_position == before.to_position


def _uuid(value: Any) -> Any:
    from uuid import UUID

    return UUID(str(value))
