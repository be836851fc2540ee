"""Statistics: weekly, period and class figures, and a property test against the raw log."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.marks import Attendance
from domain.work_types import BuiltIn
from infra.container import Container
from projections.statistics_queries import StatisticsQueries
from tests.projections.brute_force import Log
from tests.projections.term import WEEKS, Term, open_term, week_day

FIELDS = ("marks", "numeric_marks", "average", "weighted_average", "absences", "lessons_held")
ZERO = dict.fromkeys(FIELDS, 0) | {"average": None, "weighted_average": None}
END = week_day(WEEKS - 1, 7)


def lines(answer: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    found: dict[str | None, dict[str, Any]] = {
        line["subject_id"]: {f: line[f] for f in FIELDS} for line in answer["subjects"]}
    found[None] = {f: answer["total"][f] for f in FIELDS}
    return {key: line for key, line in found.items() if line != ZERO}


def test_a_students_week_per_subject_and_over_all(container: Container, term: Term) -> None:
    queries = StatisticsQueries(container.views)
    s3 = str(term.school.students[3])
    week = queries.student(s3, "2024-09-02", "2024-09-08", "2024-12-31")
    by_subject = {line["subject"]: line for line in week["subjects"]}
    maths = by_subject["Математика"]
    assert (maths["marks"], maths["average"], maths["lessons_held"]) == (1, 3.0, 3)
    assert by_subject["Русский язык и литература"]["absences"] == 1
    assert "Английский язык" not in by_subject  # not in the subgroup
    assert week["total"]["lessons_held"] == 4

    s1 = str(term.school.students[1])
    total = queries.student(s1, "2024-09-02", "2024-09-08", "2024-12-31")["total"]
    # «4» (weight 1) and «4+» of the essay (weight 2.5) count as 4: averages of 4.
    assert (total["marks"], total["average"], total["weighted_average"]) == (2, 4.0, 4.0)


def test_a_period_counts_its_lessons_and_holds_only_those_up_to_as_of(
    container: Container, term: Term
) -> None:
    queries = StatisticsQueries(container.views)
    s0 = str(term.school.students[0])
    period = queries.student(s0, "2024-09-02", "2024-10-27", "2024-09-08", planned=True)
    maths = next(line for line in period["subjects"] if line["subject"] == "Математика")
    assert (maths["lessons_held"], maths["lessons_in_period"]) == (3, 15)
    assert (maths["marks"], maths["numeric_marks"], maths["average"]) == (5, 5, 5.0)
    assert queries.period(str(term.school.school_id), 2024, "1 ЧЕТВЕРТЬ") == {
        "name": "1 четверть", "start": "2024-09-02", "end": "2024-10-27"}


def test_a_class_summary_has_each_student_and_subject(container: Container,
                                                       term: Term) -> None:
    queries = StatisticsQueries(container.views)
    a5 = str(term.school.class_id)
    summary = queries.class_summary(a5, "2024-09-16", "2024-09-22", "2024-12-31")
    students = {line["student_id"]: line for line in summary["students"]}
    assert set(students) == {str(s) for s in term.school.students}  # the transferred too
    moved = students[str(term.school.students[2])]
    assert moved["lessons_held"] == 1  # 5А's Monday; Tuesday was cancelled
    maths = next(line for line in summary["subjects"] if line["subject"] == "Математика")
    assert maths["lessons_held"] == 3
    assert summary["total"]["marks"] == sum(line["marks"] for line in summary["students"])


OPERATIONS = st.one_of(
    st.tuples(st.just("mark"), st.integers(0, 79), st.integers(0, 3),
              st.sampled_from(["answer", "test_paper", "essay"]),
              st.sampled_from(["5", "4", "3", "2", "5-", "4+", "3-", "н/а"]),
              st.sampled_from([10, 23])),
    st.tuples(st.just("change"), st.integers(0, 50), st.sampled_from(["5", "2", "4-"])),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("attend"), st.integers(0, 79), st.integers(0, 3),
              st.sampled_from(list(Attendance)), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 79), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 79), st.integers(0, 20)),
    st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(1, 30)),
)


def _apply(term: Term, lessons: list[UUID], operation: tuple[Any, ...]) -> None:
    j, school = term.journal, term.school
    kind, *args = operation
    admin = school.admin
    if kind == "mark":
        lesson, student, work, value, hour = args
        work_type = term.essay if work == "essay" else BuiltIn(work)
        term.mark(lessons[lesson % len(lessons)], school.students[student], work_type, value,
                  hour)
    elif kind in ("change", "remove"):
        placed = [(lesson_id, mark_id) for lesson_id in lessons
                  for mark_id in j.get_lesson(lesson_id).marks]
        if placed:
            lesson_id, mark_id = placed[args[0] % len(placed)]
            if kind == "change":
                j.change_mark(admin, lesson_id, mark_id, args[1], "пересмотр")
            else:
                j.remove_mark(admin, lesson_id, mark_id, "ошибка")
    elif kind == "attend":
        lesson, student, status, override = args
        lesson_id, student_id = lessons[lesson % len(lessons)], school.students[student]
        if override:
            j.override_attendance(admin, lesson_id, student_id, status, "акт")
        else:
            j.record_attendance(admin, lesson_id, {student_id: status})
    elif kind == "cancel":
        lesson_id = lessons[args[0] % len(lessons)]
        if args[1]:
            j.cancel_lesson(admin, lesson_id, "болезнь")
        else:
            j.reinstate_lesson(admin, lesson_id, "выздоровел")
    elif kind == "move":
        j.move_lesson(admin, lessons[args[0] % len(lessons)], week_day(0, 1 + args[1]),
                      "перенос")
    elif kind == "transfer":
        j.transfer_student(admin, school.students[args[0]], school.class_id,
                           term.other_class, week_day(0, args[1]), "перевод")


@pytest.mark.parametrize("as_of", [week_day(2, 3), date(2025, 6, 1)])
def test_statistics_equal_a_brute_force_recomputation_from_the_log(
    container: Container, as_of: date
) -> None:
    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(steps=st.lists(OPERATIONS, max_size=25))
    def check(steps: list[tuple[Any, ...]]) -> None:
        term = open_term(container.journal)  # a school of its own for each example
        lessons = sorted(term.lessons.values(), key=str)
        for step in steps:
            with suppress(DomainError):
                _apply(term, lessons, step)
        container.runner.catch_up()
        log, queries = Log.read(container), StatisticsQueries(container.views)
        ranges = [(week_day(w, 1), week_day(w, 7)) for w in range(WEEKS)] + [
            (week_day(0, 1), END)]
        for student in term.school.students:
            for start, end in ranges:
                answer = queries.student(str(student), start.isoformat(), end.isoformat(),
                                         as_of.isoformat())
                assert lines(answer) == log.student(str(student), start, end, as_of)

    check()

