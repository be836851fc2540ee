"""Gradebook: period marks from the period's end (minus the lead days), annual and final marks
only for students of the class."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated
from domain.gradebook import GradeKind, gradebook_id
from domain.journal import Command
from tests.domain.conftest import School, local

Q1 = "1 четверть"  # 02.09.2024-27.10.2024


def _at(school: School, when: datetime) -> Command:
    return school.as_(school.teacher_id, when)


def test_period_mark_before_period_end_is_refused(school: School) -> None:
    journal, student = school.journal, school.students[0]
    with pytest.raises(RuleViolated) as refused:
        journal.set_period_marks(_at(school, local(date(2024, 10, 26), 23, 59)), school.class_id,
                                 school.subject_id, Q1, {student: "5"})
    assert refused.value.fields == {f"marks[{student}].period": "not open yet"}
    journal.set_period_marks(_at(school, local(date(2024, 10, 27), 0, 0)), school.class_id,
                             school.subject_id, Q1, {student: "5"})
    gradebook = journal.get_gradebook(school.class_id, school.subject_id)
    assert gradebook.id == gradebook_id(school.class_id, school.subject_id, 2024)
    assert gradebook.grade(GradeKind.PERIOD, Q1, student) == "5"


def test_the_period_end_is_judged_on_the_school_wall_clock(school: School) -> None:
    # 26.10 21:30 UTC is already 27.10 00:30 in Moscow.
    school.journal.set_period_marks(_at(school, datetime(2024, 10, 26, 21, 30, tzinfo=UTC)),
                                    school.class_id, school.subject_id, Q1,
                                    {school.students[0]: "4"})


def test_period_marks_open_the_configured_days_before_the_end(school: School) -> None:
    journal = school.journal
    journal.set_period_marks_lead_days(school.admin, school.school_id, 2024, 5)
    with pytest.raises(RuleViolated):
        journal.set_period_marks(_at(school, local(date(2024, 10, 21), 12)), school.class_id,
                                 school.subject_id, Q1, {school.students[0]: "5"})
    journal.set_period_marks(_at(school, local(date(2024, 10, 22), 12)), school.class_id,
                             school.subject_id, Q1, {school.students[0]: "5"})


def test_a_period_mark_is_for_a_student_of_the_class_during_the_period(school: School) -> None:
    journal, leaver = school.journal, school.students[1]
    journal.release_student(school.admin, school.class_id, leaver, date(2024, 10, 1), "переезд")
    when = _at(school, local(date(2024, 12, 29), 12))
    journal.set_period_marks(when, school.class_id, school.subject_id, Q1, {leaver: "4"})
    with pytest.raises(RuleViolated, match="enrolled"):
        journal.set_period_marks(when, school.class_id, school.subject_id, "2 четверть",
                                 {leaver: "4"})
    with pytest.raises(RuleViolated, match="no attestation period"):
        journal.set_period_marks(when, school.class_id, school.subject_id, "5 четверть",
                                 {school.students[0]: "4"})


def test_annual_marks_open_at_the_end_of_the_last_period(school: School) -> None:
    journal, student = school.journal, school.students[0]
    with pytest.raises(RuleViolated, match="annual"):
        journal.set_annual_marks(_at(school, local(date(2025, 5, 25), 12)), school.class_id,
                                 school.subject_id, {student: "5"})
    journal.set_annual_marks(_at(school, local(date(2025, 5, 26), 12)), school.class_id,
                             school.subject_id, {student: "5"})
    gradebook = journal.get_gradebook(school.class_id, school.subject_id)
    assert gradebook.grade(GradeKind.ANNUAL, None, student) == "5"


def test_final_marks_only_for_students_enrolled_in_the_class_during_the_year(
    school: School,
) -> None:
    journal = school.journal
    stranger = school.person("Чужая", "Ученица")
    when = _at(school, local(date(2025, 6, 20), 12))
    with pytest.raises(RuleViolated, match="enrolled") as refused:
        journal.set_final_marks(when, school.class_id, school.subject_id,
                                {school.students[0]: "5", stranger: "4"})
    assert refused.value.fields == {f"marks[{stranger}].student_id": "not enrolled in the class"}
    journal.release_student(school.admin, school.class_id, school.students[2],
                            date(2025, 2, 1), "перевод в другую школу")
    journal.set_final_marks(when, school.class_id, school.subject_id,
                            {school.students[0]: "5", school.students[2]: "зачёт"})


def test_period_marks_are_whole_marks(school: School) -> None:
    when = _at(school, local(date(2024, 10, 28), 12))
    with pytest.raises(InvalidValue):
        school.journal.set_period_marks(when, school.class_id, school.subject_id, Q1,
                                        {school.students[0]: "4+"})
    school.journal.set_period_marks(when, school.class_id, school.subject_id, Q1,
                                    {school.students[0]: "н/а"})


def test_changing_a_period_mark_needs_a_reason_and_removing_is_an_event(school: School) -> None:
    journal, student = school.journal, school.students[0]
    when = _at(school, local(date(2024, 10, 28), 12))
    journal.set_period_marks(when, school.class_id, school.subject_id, Q1, {student: "3"})
    with pytest.raises(InvalidValue, match="reason"):
        journal.set_period_marks(when, school.class_id, school.subject_id, Q1, {student: "4"})
    journal.set_period_marks(when, school.class_id, school.subject_id, Q1, {student: "4"},
                             reason="исправлена")
    journal.remove_grade(when, school.class_id, school.subject_id, GradeKind.PERIOD, student,
                         "ошибка", period=Q1)
    gradebook = journal.get_gradebook(school.class_id, school.subject_id)
    assert gradebook.grade(GradeKind.PERIOD, Q1, student) is None
    changes = [(e.old_value, e.new_value, e.reason) for e in journal.produced
               if type(e).__name__ == "GradeSet"]
    assert changes == [(None, "3", None), ("3", "4", "исправлена")]


def test_a_gradebook_is_kept_for_a_class_not_a_subgroup(school: School) -> None:
    subgroup = UUID(school.journal.open_subgroup(school.admin, school.class_id, "Группа 1")
                    .answer["id"])
    with pytest.raises(RuleViolated, match="for a class"):
        school.journal.get_gradebook(subgroup, school.subject_id)
