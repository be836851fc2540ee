"""Lessons: scheduling, a timetable for a date range, and changes with old -> new values."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated
from domain.schedule import ClassSchedule, TimetableSlot
from tests.domain.conftest import School

MONDAY = date(2024, 9, 2)


def _events(school: School, name: str) -> list[Any]:
    return [e for e in school.journal.produced if type(e).__name__ == name]


def test_a_lesson_takes_its_time_from_the_bell_schedule(school: School) -> None:
    lesson = school.journal.get_lesson(school.lesson(MONDAY, number=2))
    assert (lesson.start, lesson.end) == (time(9, 25), time(10, 10))
    assert (lesson.class_id, lesson.group_id, lesson.day) == (school.class_id, school.class_id,
                                                              MONDAY)


def test_a_lesson_without_a_bell_needs_its_time(school: School) -> None:
    journal = school.journal
    with pytest.raises(InvalidValue, match="no bell"):
        journal.create_lesson(school.admin, school.class_id, school.subject_id,
                              school.teacher_id, MONDAY, 7)
    outcome = journal.create_lesson(school.admin, school.class_id, school.subject_id,
                                    school.teacher_id, MONDAY, 7, time(14, 0), time(14, 45),
                                    room="каб. 12", topic="Дроби")
    lesson = journal.get_lesson(UUID(outcome.answer["id"]))
    assert (lesson.start, lesson.room, lesson.topic) == (time(14, 0), "каб. 12", "Дроби")


def test_a_lesson_is_taught_by_a_teacher_of_the_school(school: School) -> None:
    with pytest.raises(RuleViolated, match="not a teacher"):
        school.lesson(MONDAY, teacher_id=school.students[0])


def test_two_lessons_of_a_class_cannot_share_a_number_on_a_day(school: School) -> None:
    school.lesson(MONDAY, number=1)
    with pytest.raises(RuleViolated, match="already taken"):
        school.lesson(MONDAY, number=1)


def test_two_subgroups_can_have_lessons_at_the_same_time(school: School) -> None:
    journal = school.journal
    first, second = (UUID(journal.open_subgroup(school.admin, school.class_id, name)
                          .answer["id"]) for name in ("Группа 1", "Группа 2"))
    school.lesson(MONDAY, number=3, group_id=first)
    school.lesson(MONDAY, number=3, group_id=second)
    with pytest.raises(RuleViolated, match="already taken"):
        school.lesson(MONDAY, number=3)  # the whole class


def test_lessons_are_generated_from_a_weekly_timetable_skipping_holidays(school: School) -> None:
    journal = school.journal
    slots = [TimetableSlot(weekday=1, number=1, subject_id=school.subject_id,
                           teacher_id=school.teacher_id, room="12"),
             TimetableSlot(weekday=3, number=2, subject_id=school.subject_id,
                           teacher_id=school.teacher_id)]
    saves = journal.saves
    # 21.10-10.11: autumn holidays 28.10-04.11 in between.
    outcome = journal.generate_lessons(school.admin, school.class_id, date(2024, 10, 21),
                                       date(2024, 11, 10), slots)
    assert journal.saves == saves + 1
    days = sorted(journal.get_lesson(UUID(i)).day for i in outcome.answer["lesson_ids"])
    assert days == [date(2024, 10, 21), date(2024, 10, 23), date(2024, 11, 6)]
    assert outcome.answer["count"] == 3


def test_generated_lessons_take_the_assigned_teacher(school: School) -> None:
    journal = school.journal
    slot = TimetableSlot(weekday=2, number=1, subject_id=school.subject_id)
    with pytest.raises(RuleViolated) as refused:
        journal.generate_lessons(school.admin, school.class_id, MONDAY, date(2024, 9, 8), [slot])
    assert refused.value.fields == {"slots[0].teacher_id": "no single assigned teacher"}
    journal.assign_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                           date(2024, 9, 1))
    outcome = journal.generate_lessons(school.admin, school.class_id, MONDAY, date(2024, 9, 8),
                                       [slot])
    lesson = journal.get_lesson(UUID(outcome.answer["lesson_ids"][0]))
    assert (lesson.day, lesson.teacher_id) == (date(2024, 9, 3), school.teacher_id)


def test_each_lesson_change_names_old_and_new_and_the_reason(school: School) -> None:
    journal, lesson_id = school.journal, school.lesson(MONDAY)
    history = journal.add_subject(school.admin, school.school_id, "История")
    history_id = UUID(history.answer["subject_id"])
    journal.substitute_teacher(school.admin, lesson_id, school.substitute_id, "болезнь")
    journal.change_room(school.admin, lesson_id, "каб. 5", "ремонт")
    journal.change_lesson_time(school.admin, lesson_id, 3, "сдвиг")
    journal.change_lesson_subject(school.admin, lesson_id, history_id, "замена предмета")
    journal.move_lesson(school.admin, lesson_id, date(2024, 9, 4), "перенос", number=4)
    lesson = journal.get_lesson(lesson_id)
    assert (lesson.substitute_id, lesson.room, lesson.subject_id) == (
        school.substitute_id, "каб. 5", history_id)
    assert (lesson.day, lesson.number, lesson.start) == (date(2024, 9, 4), 4, time(11, 35))
    substituted = _events(school, "TeacherSubstituted")[0]
    assert (substituted.old_substitute_id, substituted.new_substitute_id, substituted.reason,
            substituted.actor) == (None, school.substitute_id, "болезнь", str(school.admin_id))
    room = _events(school, "RoomChanged")[0]
    assert (room.old_room, room.new_room, room.reason) == (None, "каб. 5", "ремонт")
    timed = _events(school, "TimeChanged")
    assert (timed[0].old_number, timed[0].new_number, timed[0].old_start, timed[0].new_start) \
        == (1, 3, time(8, 30), time(10, 30))
    assert (timed[1].old_number, timed[1].new_number) == (3, 4)
    subject = _events(school, "SubjectChanged")[0]
    assert (subject.old_subject_id, subject.new_subject_id) == (school.subject_id, history_id)
    moved = _events(school, "Moved")[0]
    assert (moved.old_day, moved.new_day, moved.reason) == (MONDAY, date(2024, 9, 4), "перенос")
    schedule = journal.get_schedule(school.school_id, school.class_id)
    assert schedule.lessons_between(MONDAY, MONDAY) == []
    assert schedule.lessons_between(date(2024, 9, 4), date(2024, 9, 4)) == [lesson_id]


def test_a_change_needs_a_reason(school: School) -> None:
    with pytest.raises(InvalidValue, match="reason"):
        school.journal.change_room(school.admin, school.lesson(MONDAY), "каб. 5", "")


def test_a_lesson_cannot_move_outside_its_academic_year(school: School) -> None:
    with pytest.raises(InvalidValue, match="academic year"):
        school.journal.move_lesson(school.admin, school.lesson(MONDAY), date(2025, 9, 2), "нет")


def test_a_cancelled_lesson_frees_its_place_and_can_be_reinstated(school: School) -> None:
    journal, lesson_id = school.journal, school.lesson(MONDAY)
    journal.cancel_lesson(school.admin, lesson_id, "болезнь учителя")
    assert journal.get_lesson(lesson_id).cancelled
    assert _events(school, "Cancelled")[0].reason == "болезнь учителя"
    replacement = school.lesson(MONDAY)
    with pytest.raises(RuleViolated, match="already taken"):
        journal.reinstate_lesson(school.admin, lesson_id, "ошибка")
    journal.cancel_lesson(school.admin, replacement, "ошибка")
    journal.reinstate_lesson(school.admin, lesson_id, "ошибка")
    assert not journal.get_lesson(lesson_id).cancelled


def test_bulk_cancel_of_a_class_for_a_date_range_is_one_save(school: School) -> None:
    journal = school.journal
    subgroup = UUID(journal.open_subgroup(school.admin, school.class_id, "Группа 1")
                    .answer["id"])
    inside = [school.lesson(MONDAY + timedelta(days=n)) for n in range(3)]
    inside.append(school.lesson(MONDAY, number=2, group_id=subgroup))
    outside = school.lesson(date(2024, 9, 9))
    saves = journal.saves
    outcome = journal.cancel_lessons(school.admin, school.class_id, MONDAY, date(2024, 9, 6),
                                     "карантин")
    assert journal.saves == saves + 1
    assert sorted(outcome.answer["lesson_ids"]) == sorted(str(i) for i in inside)
    assert all(journal.get_lesson(i).cancelled for i in inside)
    assert not journal.get_lesson(outside).cancelled
    schedule: ClassSchedule = journal.repository.get(ClassSchedule.create_id(school.class_id))
    assert schedule.lessons_between(MONDAY, date(2024, 9, 6)) == []


def test_the_teacher_sets_the_topic(school: School) -> None:
    journal, lesson_id = school.journal, school.lesson(MONDAY)
    journal.set_lesson_topic(school.as_(school.teacher_id), lesson_id, "Натуральные числа")
    assert journal.get_lesson(lesson_id).topic == "Натуральные числа"
    with pytest.raises(RuleViolated):
        journal.set_lesson_topic(school.as_(school.substitute_id), lesson_id, "Другое")


# --- who schedules and changes lessons ----------------------------------------------------

def _history(school: School) -> UUID:
    return UUID(school.journal.add_subject(school.admin, school.school_id, "История")
                .answer["subject_id"])


def test_a_teacher_generates_the_lessons_of_their_own_assignment(school: School) -> None:
    journal, teacher = school.journal, school.as_(school.teacher_id)
    journal.assign_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                           date(2024, 9, 1))
    slots = [TimetableSlot(weekday=1, number=1, subject_id=school.subject_id, room="12"),
             TimetableSlot(weekday=3, number=2, subject_id=school.subject_id,
                           teacher_id=school.teacher_id)]
    outcome = journal.generate_lessons(teacher, school.class_id, MONDAY, date(2024, 9, 8), slots)
    lessons = [journal.get_lesson(UUID(i)) for i in outcome.answer["lesson_ids"]]
    assert [(x.day, x.number, x.teacher_id) for x in lessons] == [
        (MONDAY, 1, school.teacher_id), (date(2024, 9, 4), 2, school.teacher_id)]
    assert _events(school, "Scheduled")[-1].actor == str(school.teacher_id)
    one = journal.create_lesson(teacher, school.class_id, school.subject_id, school.teacher_id,
                                date(2024, 9, 6), 3)
    assert journal.get_lesson(UUID(one.answer["id"])).teacher_id == school.teacher_id


def test_a_teacher_of_another_subject_is_refused_and_nothing_is_saved(school: School) -> None:
    journal, history = school.journal, _history(school)
    journal.assign_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                           date(2024, 9, 1))
    journal.assign_teacher(school.admin, school.class_id, history, school.substitute_id,
                           date(2024, 9, 1))
    historian = school.as_(school.substitute_id)
    saves = journal.saves
    maths = TimetableSlot(weekday=1, number=1, subject_id=school.subject_id)
    with pytest.raises(RuleViolated) as someone_elses:  # the assigned teacher is another one
        journal.generate_lessons(historian, school.class_id, MONDAY, date(2024, 9, 8),
                                 [TimetableSlot(weekday=2, number=1, subject_id=history), maths])
    assert someone_elses.value.fields == {
        "slots[1].teacher_id": "another teacher (only an administrator schedules their lessons)"}
    named = TimetableSlot(weekday=1, number=1, subject_id=school.subject_id,
                          teacher_id=school.substitute_id)
    with pytest.raises(RuleViolated) as not_assigned:
        journal.generate_lessons(historian, school.class_id, MONDAY, date(2024, 9, 8), [named])
    assert not_assigned.value.fields == {"slots[0].subject_id": "the teacher is not assigned to "
                                         "this subject in the group on 02.09.2024"}
    with pytest.raises(RuleViolated) as single:
        journal.create_lesson(historian, school.class_id, school.subject_id,
                              school.substitute_id, MONDAY, 1)
    assert list(single.value.fields) == ["subject_id"]
    with pytest.raises(RuleViolated) as for_another:
        journal.create_lesson(historian, school.class_id, history, school.teacher_id, MONDAY, 1)
    assert list(for_another.value.fields) == ["teacher_id"]
    assert journal.saves == saves
    journal.create_lesson(historian, school.class_id, history, school.substitute_id, MONDAY, 1)
    # The administrator still schedules anyone's lessons, assigned or not.
    journal.create_lesson(school.admin, school.class_id, school.subject_id,
                          school.substitute_id, MONDAY, 2)


def test_a_teacher_schedules_only_while_assigned(school: School) -> None:
    journal, teacher = school.journal, school.as_(school.teacher_id)
    journal.assign_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                           date(2024, 9, 1))
    journal.relieve_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                            date(2024, 9, 5), "смена нагрузки")
    slot = TimetableSlot(weekday=4, number=1, subject_id=school.subject_id,
                         teacher_id=school.teacher_id)
    with pytest.raises(RuleViolated) as refused:
        journal.generate_lessons(teacher, school.class_id, MONDAY, date(2024, 9, 8), [slot])
    assert list(refused.value.fields) == ["slots[0].subject_id"]
    assert "05.09.2024" in str(refused.value)


def test_only_staff_schedule_lessons(school: School) -> None:
    student = school.as_(school.students[0])
    with pytest.raises(RuleViolated) as refused:
        school.journal.create_lesson(student, school.class_id, school.subject_id,
                                     school.teacher_id, MONDAY, 1)
    assert list(refused.value.fields) == ["actor"]


def test_changes_that_reorganise_the_timetable_are_the_administrators(school: School) -> None:
    journal, lesson_id = school.journal, school.lesson(MONDAY)
    teacher = school.as_(school.teacher_id)  # the lesson's own teacher
    saves = journal.saves
    for attempt in (
        lambda: journal.substitute_teacher(teacher, lesson_id, school.substitute_id, "болезнь"),
        lambda: journal.cancel_lesson(teacher, lesson_id, "болезнь"),
        lambda: journal.cancel_lessons(teacher, school.class_id, MONDAY, MONDAY, "карантин"),
        lambda: journal.reinstate_lesson(teacher, lesson_id, "ошибка"),
        lambda: journal.change_room(teacher, lesson_id, "каб. 5", "ремонт"),
        lambda: journal.change_lesson_time(teacher, lesson_id, 2, "сдвиг"),
        lambda: journal.change_lesson_subject(teacher, lesson_id, _history(school), "замена"),
        lambda: journal.move_lesson(teacher, lesson_id, date(2024, 9, 3), "перенос"),
    ):
        with pytest.raises(RuleViolated) as refused:
            attempt()
        assert refused.value.fields == {"actor": "not an administrator of the school"}
    assert journal.saves == saves + 1  # only the subject added to the catalogue
    journal.change_room(school.admin, lesson_id, "каб. 5", "ремонт")
