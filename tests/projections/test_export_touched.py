"""A catch-up leaves derived records for later (`export_touched`): each is derived once, the
records come out as kept batch by batch, and no delta is sealed past a key still waiting."""

from __future__ import annotations

from domain.marks import Attendance
from domain.work_types import BuiltIn
from infra.container import Container
from projections.export_deltas import seal
from projections.export_projector import Export
from projections.export_touched import TOUCHED
from projections.runner import ProjectionRunner
from tests.projections.export_support import complete_school, everyone, identify_all
from tests.projections.term import MONDAY, realistic_term, week_day

WORKS = (BuiltIn.ANSWER, BuiltIn.CLASSWORK, BuiltIn.HOMEWORK, BuiltIn.INDEPENDENT_WORK)


def runner(container: Container, export: Export, batch: int,
           catch_up: int | None = None) -> ProjectionRunner:
    return ProjectionRunner(
        container.journal.recorder,  # type: ignore[arg-type]
        container.journal.mapper, container.views, [export], batch_size=batch,
        catch_up_size=catch_up, position_key=lambda p: p.name + p.suffix)


def waiting(container: Container, export: Export) -> int:
    row = container.views.fetchone(f"SELECT COUNT(*) FROM {export.table(TOUCHED)}")
    return int(row[0]) if row else 0


def test_derived_records_left_for_the_end_of_a_catch_up_equal_those_kept_batch_by_batch(
    container: Container,
) -> None:
    """A term's catch-up in batches of 30 events: statistics and diaries wait from batch to
    batch, the batches that open gates (the school completed, everyone identified) derive
    them early, and the export is the one kept 7 events at a time."""
    term = realistic_term(container.journal)
    complete_school(container.journal, term.school.school_id)
    identify_all(container.journal, everyone(term))
    school = term.school
    term.mark(term.lesson(school.class_id, MONDAY, 1), school.students[3], term.essay, "5")
    for week in range(3):  # more after the gates opened: the batches that opened them
        container.journal.record_attendance(  # are not the last
            school.admin, term.lesson(school.class_id, week_day(week, 5), 2),
            {school.students[1]: Attendance.ABSENT})
        for work in WORKS:
            term.mark(term.lesson(school.class_id, week_day(week, 5), 2), school.students[1],
                      work, "4")
    small, large = Export("_small"), Export("_large")
    runner(container, small, batch=7).catch_up()
    catching_up, seen = runner(container, large, batch=5, catch_up=30), []
    while catching_up.run_once():
        seen.append(waiting(container, large))
    assert max(seen) > 0 and seen[-1] == 0  # they waited, and the last batch derived them
    assert 0 in seen[1:-1]  # and a batch that opened gates derived them before the end
    assert small.dump(container.views) == large.dump(container.views)


def test_a_catch_up_ending_on_a_full_batch_derives_what_waits_when_it_finds_nothing_more(
    container: Container,
) -> None:
    realistic_term(container.journal)
    end = 120 * (container.log_position() // 120)
    small, large = Export("_small"), Export("_large")
    runner(container, small, batch=7).catch_up(stop_at=end)
    catching_up = runner(container, large, batch=5, catch_up=60)
    assert catching_up.run_once(stop_at=end) == 60 and catching_up.run_once(stop_at=end) == 60
    assert waiting(container, large) > 0
    assert catching_up.run_once(stop_at=end) == 0  # nothing more: what waits is derived
    assert waiting(container, large) == 0
    assert small.dump(container.views) == large.dump(container.views)


def test_no_delta_is_sealed_past_a_derived_key_still_waiting(container: Container) -> None:
    """A record derived later comes with the older position that touched it: the delta
    sealed meanwhile stops just below it, and the next one carries it."""
    term = realistic_term(container.journal)
    complete_school(container.journal, term.school.school_id)
    identify_all(container.journal, everyone(term))
    school = term.school
    container.journal.record_attendance(  # records past the term's (its gates are open)
        school.admin, term.lesson(school.class_id, week_day(4, 2), 2),
        {school.students[0]: Attendance.ILL})
    container.runner.catch_up()
    head = below = container.log_position()
    with container.views.transaction() as tx:
        tx.execute(f"INSERT INTO {TOUCHED} (kind, key, position) VALUES ('weeks', '[]', ?)",
                   (below,))
    first = seal(container.views)
    assert first is not None and first.to_position == below - 1
    with container.views.transaction() as tx:
        tx.execute(f"DELETE FROM {TOUCHED}")
    second = seal(container.views)
    assert second is not None and (second.from_position, second.to_position) == (below - 1,
                                                                                 head)
