"""The change-details feed and the deadline-compliance report."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from api.view_schemas import ChangeEntry, ComplianceReport
from domain.homework import HomeworkSpec
from domain.work_types import BuiltIn
from infra.container import Container
from projections.changes import ChangeQueries
from projections.compliance_queries import ComplianceQueries
from tests.domain.conftest import local
from tests.projections.term import MONDAY, Term, week_day

Q1 = ("2024-09-02", "2024-10-27")


def feed(container: Container, **filters: Any) -> list[ChangeEntry]:
    """Every page of the feed, two at a time."""
    queries, items, cursor = ChangeQueries(container.views), [], None
    while True:
        page, cursor = queries.feed(cursor, 2, **filters)
        items += page
        if cursor is None:
            return msgspec.convert(items, list[ChangeEntry])


def test_the_feed_lists_every_change_in_log_order_with_old_and_new_values(
    container: Container, term: Term
) -> None:
    changes = feed(container, school_id=str(term.school.school_id))
    assert [c.kind for c in changes] == ["substitution", "room", "cancellation",
                                         "cancellation", "reinstatement", "time", "subject",
                                         "move", "time"]
    assert [c.position for c in changes] == sorted(c.position for c in changes)
    time_change = changes[5]
    assert (time_change.old, time_change.new) == (
        {"number": 2, "start": "09:25", "end": "10:10"},
        {"number": 3, "start": "10:30", "end": "11:15"})
    move = changes[7]
    assert (move.old_day, move.day, move.reason) == (date(2024, 9, 19), date(2024, 9, 28),
                                                     "перенос")
    assert move.actor == str(term.school.admin_id)


def test_the_feed_filters_by_class_teacher_and_dates(container: Container, term: Term) -> None:
    kinds = [c.kind for c in feed(container, class_id=str(term.other_class))]
    assert kinds == ["cancellation", "reinstatement", "subject"]
    assert len(feed(container, class_id=str(term.school.class_id))) == 6  # with the subgroup
    assert [c.kind for c in feed(container, class_id=str(term.english))] == ["move", "time"]
    substitute = str(term.school.substitute_id)
    assert [c.kind for c in feed(container, teacher_id=substitute)] == ["substitution", "room"]
    assert [c.kind for c in feed(container, start="2024-09-19", end="2024-09-19")] == ["move"]
    assert len(feed(container, start="2024-09-28", end="2024-09-28")) == 2
    assert feed(container, school_id="another") == []


def test_compliance_counts_late_marks_and_homework_out_of_its_window(
    container: Container, term: Term
) -> None:
    queries = ComplianceQueries(container.views)
    report = msgspec.convert(queries.school(str(term.school.school_id), *Q1),
                             ComplianceReport)
    total = report.total
    # «Ответ на уроке» only: five on time and five after 21:00; tests and essays have no
    # lesson-day deadline. Homework: on time twice, once too early, once late.
    assert (total.marks, total.late_marks) == (10, 5)
    assert (total.homework, total.late_homework, total.early_homework) == (4, 1, 1)
    assert [t.teacher_id for t in report.teachers] == [term.school.teacher_id]
    assert [c.class_id for c in report.classes] == [term.school.class_id]
    one_day = queries.school(str(term.school.school_id), "2024-09-09", "2024-09-09")["total"]
    assert one_day == {"marks": 2, "late_marks": 1, "homework": 1, "late_homework": 1,
                       "early_homework": 0}
    schools, _ = queries.schools(*Q1, None, 10)
    assert [s["school_id"] for s in schools] == [str(term.school.school_id)]


def test_compliance_drills_down_to_the_lessons(container: Container, term: Term) -> None:
    queries, found, cursor = ComplianceQueries(container.views), [], None
    while True:
        page, cursor = queries.lessons(str(term.school.school_id), *Q1, cursor, 2)
        found += page
        if cursor is None:
            break
    assert [item["day"] for item in found] == [
        week_day(week, 1).isoformat() for week in range(5)]  # the Mondays' late answers
    by_day = {item["day"]: item for item in found}
    assert by_day["2024-09-09"]["late_homework"] == 1
    assert by_day["2024-09-16"]["early_homework"] == 1
    teacher = str(term.school.teacher_id)
    assert len(queries.lessons(str(term.school.school_id), *Q1, None, 50,
                               teacher_id=teacher)[0]) == 5
    assert queries.lessons(str(term.school.school_id), *Q1, None, 50,
                           class_id=str(term.other_class))[0] == []


def test_a_moved_lesson_takes_its_homework_and_a_removed_mark_leaves(
    container: Container, timetable: Term
) -> None:
    school, journal = timetable.school, timetable.journal
    lesson = timetable.lesson(school.class_id, date(2024, 9, 4), 1)
    journal.assign_homework(school.as_(school.teacher_id, local(MONDAY, 15)), lesson,
                            HomeworkSpec(text="№ 7", due_date=date(2024, 9, 6)))
    journal.move_lesson(school.admin, lesson, date(2024, 9, 7), "перенос")
    late = timetable.mark(timetable.lesson(school.class_id, MONDAY, 1), school.students[0],
                          BuiltIn.BEHAVIOUR, "5", hour=23)
    container.runner.catch_up()
    queries, sid = ComplianceQueries(container.views), str(school.school_id)
    assert queries.school(sid, "2024-09-04", "2024-09-04")["total"]["homework"] == 0
    assert queries.school(sid, "2024-09-07", "2024-09-07")["total"]["homework"] == 1
    assert queries.school(sid, *Q1)["total"]["late_marks"] == 1

    journal.remove_mark(school.admin, timetable.lesson(school.class_id, MONDAY, 1), late,
                        "ошибка")
    container.runner.catch_up()
    assert queries.school(sid, *Q1)["total"]["marks"] == 0
