"""Attendance: the teacher's entry and an administrator's override, both kept."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolated
from domain.marks import Attendance
from tests.domain.conftest import School

MONDAY = date(2024, 9, 2)


def test_the_teacher_records_absences_for_many_students(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    school.journal.record_attendance(
        school.as_(school.teacher_id), lesson_id,
        {school.students[0]: Attendance.ILL, school.students[1]: Attendance.LATE},
    )
    lesson = school.journal.get_lesson(lesson_id)
    assert lesson.attendance_of(school.students[0]) is Attendance.ILL
    assert lesson.attendance_of(school.students[1]) is Attendance.LATE
    assert lesson.attendance_of(school.students[2]) is Attendance.PRESENT


def test_attendance_override_wins(school: School) -> None:
    journal, student, lesson_id = school.journal, school.students[0], school.lesson(MONDAY)
    journal.record_attendance(school.as_(school.teacher_id), lesson_id,
                              {student: Attendance.ABSENT})
    journal.override_attendance(school.admin, lesson_id, student, Attendance.EXCUSED,
                                "справка от врача")
    lesson = journal.get_lesson(lesson_id)
    assert lesson.attendance_of(student) is Attendance.EXCUSED
    assert lesson.attendance[student].teacher is Attendance.ABSENT  # kept
    # The teacher changing the entry later does not beat the override.
    journal.record_attendance(school.as_(school.teacher_id), lesson_id,
                              {student: Attendance.PRESENT})
    assert journal.get_lesson(lesson_id).attendance_of(student) is Attendance.EXCUSED
    journal.withdraw_attendance_override(school.admin, lesson_id, student, "справка отозвана")
    assert journal.get_lesson(lesson_id).attendance_of(student) is Attendance.PRESENT


def test_only_an_administrator_overrides_attendance(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    with pytest.raises(RuleViolated, match="administrator"):
        school.journal.override_attendance(school.as_(school.teacher_id), lesson_id,
                                           school.students[0], Attendance.ILL, "болен")


def test_no_attendance_for_a_student_outside_the_group_or_on_a_cancelled_lesson(
    school: School,
) -> None:
    journal, lesson_id = school.journal, school.lesson(MONDAY)
    stranger = school.person("Чужой", "Ученик")
    with pytest.raises(RuleViolated) as refused:
        journal.record_attendance(school.as_(school.teacher_id), lesson_id,
                                  {stranger: Attendance.ABSENT})
    assert f"attendance[{stranger}].student_id" in refused.value.fields
    journal.cancel_lesson(school.admin, lesson_id, "карантин")
    with pytest.raises(RuleViolated, match="cancelled"):
        journal.record_attendance(school.as_(school.teacher_id), lesson_id,
                                  {school.students[0]: Attendance.ABSENT})


def test_the_attendance_events_name_old_and_new(school: School) -> None:
    journal, student, lesson_id = school.journal, school.students[0], school.lesson(MONDAY)
    journal.record_attendance(school.as_(school.teacher_id), lesson_id,
                              {student: Attendance.ABSENT})
    journal.record_attendance(school.as_(school.teacher_id), lesson_id,
                              {student: Attendance.ILL})
    recorded = [e for e in journal.produced if type(e).__name__ == "AttendanceRecorded"]
    assert [(e.old, e.new) for e in recorded] == [
        (None, Attendance.ABSENT), (Attendance.ABSENT, Attendance.ILL)]
