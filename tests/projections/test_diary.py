"""The student diary: a week's lessons by roster stints, with changes, homework and marks."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from api.view_schemas import DiaryLesson, DiaryWeek
from domain.homework import HomeworkSpec
from infra.container import Container
from projections.diary import DiaryQueries
from tests.domain.conftest import local
from tests.projections.term import MONDAY, TRANSFER_DAY, Term


def diary(container: Container, student: UUID, week: str) -> DiaryWeek:
    """The stored document, decoded with the API's schema (so it also checks the schema)."""
    stored = DiaryQueries(container.views).week(str(student), week)
    assert stored is not None, f"no diary for {week}"
    return msgspec.json.decode(stored, type=DiaryWeek)


def by_day(week: DiaryWeek) -> dict[date, list[DiaryLesson]]:
    return {day.date: day.lessons for day in week.days}


def test_a_student_transferred_mid_week_has_each_class_on_its_side_of_the_move(
    container: Container, term: Term
) -> None:
    moved = term.school.students[2]
    a5, b5 = term.school.class_id, term.other_class
    days = by_day(diary(container, moved, "2024-W38"))

    assert [lesson.group_id for lesson in days[date(2024, 9, 16)]] == [a5]  # Monday, 5А
    assert [lesson.group_id for lesson in days[date(2024, 9, 17)]] == [a5]  # Tuesday, 5А
    assert [lesson.group_id for lesson in days[TRANSFER_DAY]] == [b5]  # Wednesday, 5Б
    assert [lesson.group_id for lesson in days[date(2024, 9, 19)]] == [b5]  # no 5А English
    assert date(2024, 9, 20) not in days  # 5А's Friday mathematics is no longer theirs
    assert {lesson.group for lesson in days[TRANSFER_DAY]} == {"5Б"}
    later = diary(container, moved, "2024-W39")
    assert {lesson.group_id for day in later.days for lesson in day.lessons} == {b5}
    stayed = by_day(diary(container, term.school.students[0], "2024-W38"))
    assert [lesson.group_id for lesson in stayed[TRANSFER_DAY]] == [a5]


def test_a_substitutes_lesson_shows_the_substitute_and_what_changed(
    container: Container, term: Term
) -> None:
    [lesson] = by_day(diary(container, term.school.students[0], "2024-W37"))[date(2024, 9, 10)]
    substitute = term.school.substitute_id

    assert lesson.substitute_id == substitute and lesson.teacher_id == term.school.teacher_id
    assert lesson.room == "12"
    assert [(c.kind, c.old, c.new, c.reason) for c in lesson.changes] == [
        ("substitution", {"substitute_id": None}, {"substitute_id": str(substitute)},
         "болезнь"),
        ("room", {"room": None}, {"room": "12"}, "ремонт"),
    ]


def test_a_cancelled_lesson_is_shown_cancelled_not_dropped(
    container: Container, term: Term
) -> None:
    [lesson] = by_day(diary(container, term.school.students[0], "2024-W38"))[date(2024, 9, 17)]
    assert lesson.cancelled and lesson.cancel_reason == "карантин"
    assert lesson.subject == "Русский язык и литература"

    [back] = by_day(diary(container, term.school.students[2], "2024-W38"))[date(2024, 9, 16)]
    assert back.group_id == term.school.class_id  # 5А's Monday, before the transfer
    other = term.lesson(term.other_class, date(2024, 9, 16), 2)
    [reinstated] = [lesson for day in diary(container, _b5_student(term), "2024-W38").days
                    for lesson in day.lessons if lesson.lesson_id == other]
    assert not reinstated.cancelled and reinstated.cancel_reason is None
    assert [c.kind for c in reinstated.changes] == ["cancellation", "reinstatement"]


def _b5_student(term: Term) -> UUID:
    group = term.journal.get_group(term.other_class)
    return sorted(group.roster_on(MONDAY), key=str)[0]


def test_a_lesson_moved_to_another_week_leaves_the_old_week_for_the_new_day(
    container: Container, term: Term
) -> None:
    first = term.school.students[0]
    assert date(2024, 9, 19) not in by_day(diary(container, first, "2024-W38"))
    [moved] = by_day(diary(container, first, "2024-W39"))[date(2024, 9, 28)]
    assert (moved.moved_from, moved.move_reason, moved.number) == (
        date(2024, 9, 19), "перенос", 4)
    assert moved.group == "Английский 1"
    assert [c.kind for c in moved.changes] == ["move", "time"]
    # The student who left the subgroup on Monday of that week does not have it.
    second = by_day(diary(container, term.school.students[1], "2024-W39"))
    assert date(2024, 9, 28) not in second


def test_marks_show_work_type_and_weight_and_an_override_wins(
    container: Container, term: Term
) -> None:
    s0, s1, s2, s3 = term.school.students
    week = by_day(diary(container, s1, "2024-W36"))
    [monday] = week[MONDAY]
    assert [(m.value, m.work_type, m.weight, m.late) for m in monday.marks] == [
        ("4", "Ответ на уроке", "1", True)]
    [wednesday] = week[date(2024, 9, 4)]
    assert [(m.value, m.work_type, m.weight) for m in wednesday.marks] == [
        ("4+", "Сочинение", "2.5")]  # renamed after the mark: the week follows
    assert by_day(diary(container, s2, "2024-W36"))[MONDAY][0].attendance == "excused"
    assert by_day(diary(container, s3, "2024-W37"))[date(2024, 9, 10)][0].attendance == "absent"
    assert by_day(diary(container, s0, "2024-W37"))[date(2024, 9, 10)][0].attendance == "late"
    assert not by_day(diary(container, s0, "2024-W36"))[MONDAY][0].attendance


def test_homework_assigned_later_shows_up_with_each_students_own_status(
    container: Container, timetable: Term
) -> None:
    school, journal = timetable.school, timetable.journal
    s0, s1 = school.students[:2]
    lesson = timetable.lesson(school.class_id, MONDAY, 1)
    container.runner.catch_up()
    assert by_day(diary(container, s0, "2024-W36"))[MONDAY][0].homework == []

    teacher = school.as_(school.teacher_id, local(MONDAY, 15))
    group_work = UUID(journal.assign_homework(teacher, lesson, HomeworkSpec(
        text="№ 3", due_date=date(2024, 9, 4))).answer["id"])
    journal.assign_homework(teacher, lesson, HomeworkSpec(
        text="доклад", due_date=date(2024, 9, 9), student_ids=(s1,)))
    journal.start_homework(school.as_(s0), group_work, s0)
    container.runner.catch_up()

    mine = by_day(diary(container, s0, "2024-W36"))[MONDAY][0].homework
    assert [(h.text, h.status, h.individual) for h in mine] == [("№ 3", "in_progress", False)]
    theirs = by_day(diary(container, s1, "2024-W36"))[MONDAY][0].homework
    assert [(h.text, h.status, h.individual) for h in theirs] == [
        ("№ 3", "assigned", False), ("доклад", "assigned", True)]


def test_a_week_without_lessons_has_no_document(container: Container, term: Term) -> None:
    queries = DiaryQueries(container.views)
    assert queries.week(str(term.school.students[0]), "2024-W44") is None
    assert queries.empty("x", "2024-W44")["start"] == "2024-10-28"
