"""Marks in a lesson's journal: who may place them, for whom, and how they change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated, StaleVersion
from domain.lesson import MarkNotFound
from domain.marks import MarkEntry
from domain.work_types import BuiltIn, WorkTypeNotFound
from tests.domain.conftest import School, local

MONDAY = date(2024, 9, 2)


def _entry(school: School, student: int = 0, value: str = "5",
           kind: BuiltIn = BuiltIn.ANSWER) -> MarkEntry:
    return MarkEntry(student_id=school.students[student], work_type_id=school.work_type(kind),
                     value=value)


def _place(school: School, lesson_id: UUID, *entries: MarkEntry, actor: UUID | None = None,
           day: date = MONDAY) -> list[dict[str, object]]:
    outcome = school.journal.place_marks(
        school.as_(actor or school.teacher_id, local(day, 10)), lesson_id, list(entries)
    )
    return list(outcome.answer["marks"])  # type: ignore[arg-type]


def test_marks_for_many_students_are_placed_in_one_command(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    before = school.journal.get_lesson(lesson_id).version
    placed = _place(school, lesson_id, _entry(school, 0, "5"), _entry(school, 1, "4"),
                    _entry(school, 2, "3", BuiltIn.TEST_PAPER))
    lesson = school.journal.get_lesson(lesson_id)
    assert lesson.version == before + 3
    assert {mark.value for mark in lesson.marks.values()} == {"5", "4", "3"}
    assert [p["student_id"] for p in placed] == [str(s) for s in school.students]
    test_paper = next(m for m in lesson.marks.values() if m.value == "3")
    assert test_paper.weight == Decimal("3")  # the work type's weight at placing time
    assert test_paper.placed_at == local(MONDAY, 10)


def test_one_bad_mark_refuses_the_whole_command_naming_its_field(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    with pytest.raises(InvalidValue) as refused:
        _place(school, lesson_id, _entry(school, 0, "5"), _entry(school, 1, "6"))
    assert "marks[1].value" in refused.value.fields
    assert school.journal.get_lesson(lesson_id).marks == {}


def test_a_student_may_have_several_marks_for_different_works(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    _place(school, lesson_id, _entry(school, 0, "5"), _entry(school, 0, "4", BuiltIn.DICTATION))
    assert len(school.journal.get_lesson(lesson_id).marks) == 2
    with pytest.raises(RuleViolated, match="change it instead"):
        _place(school, lesson_id, _entry(school, 0, "3"))


def test_no_mark_for_a_student_not_in_the_group_on_the_lesson_date(school: School) -> None:
    late_comer = school.person("Новенькая", "Ученица")
    school.journal.enrol_student(school.admin, school.class_id, late_comer, date(2024, 9, 10))
    early, later = school.lesson(MONDAY), school.lesson(date(2024, 9, 10))
    entry = MarkEntry(student_id=late_comer, work_type_id=school.work_type(BuiltIn.ANSWER),
                      value="4")
    with pytest.raises(RuleViolated) as refused:
        _place(school, early, entry)
    assert refused.value.fields == {"marks[0].student_id": "not in the group on the lesson date"}
    _place(school, later, entry, day=date(2024, 9, 10))


def test_no_mark_on_a_cancelled_lesson(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    school.journal.cancel_lesson(school.admin, lesson_id, "карантин")
    with pytest.raises(RuleViolated, match="cancelled"):
        _place(school, lesson_id, _entry(school))


def test_a_substitute_can_put_marks(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    with pytest.raises(RuleViolated, match="administrator"):
        _place(school, lesson_id, _entry(school), actor=school.substitute_id)
    school.journal.substitute_teacher(school.admin, lesson_id, school.substitute_id, "болезнь")
    _place(school, lesson_id, _entry(school), actor=school.substitute_id)
    assert len(school.journal.get_lesson(lesson_id).marks) == 1


def test_an_administrator_can_put_marks_and_a_stranger_cannot(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    _place(school, lesson_id, _entry(school, 0), actor=school.admin_id)
    with pytest.raises(RuleViolated) as refused:
        _place(school, lesson_id, _entry(school, 1), actor=school.students[2])
    assert refused.value.fields == {"actor": "not an administrator of the school"}


def test_a_student_transferred_mid_quarter_keeps_marks_of_the_old_class(school: School) -> None:
    journal, student = school.journal, school.students[0]
    other_class = UUID(journal.open_class(school.admin, school.school_id, 2024, "5Б")
                       .answer["id"])
    old_lesson, old_lesson_late = school.lesson(MONDAY), school.lesson(date(2024, 9, 9))
    _place(school, old_lesson, _entry(school, 0, "4"))
    journal.transfer_student(school.admin, student, school.class_id, other_class,
                             date(2024, 9, 16), "перевод")
    new_lesson = school.lesson(date(2024, 9, 16), group_id=other_class)
    # The old class's marks stay, and its lessons before the transfer can still get marks.
    assert [m.value for m in journal.get_lesson(old_lesson).marks.values()] == ["4"]
    _place(school, old_lesson_late, _entry(school, 0, "5"), day=date(2024, 9, 20))
    _place(school, new_lesson, _entry(school, 0, "3"), day=date(2024, 9, 16))
    after = school.lesson(date(2024, 9, 16), number=2)
    with pytest.raises(RuleViolated):
        _place(school, after, _entry(school, 0, "5"), day=date(2024, 9, 16))


def test_a_subgroup_lesson_takes_marks_only_for_the_subgroup(school: School) -> None:
    journal = school.journal
    subgroup = UUID(journal.open_subgroup(school.admin, school.class_id, "Английский 1")
                    .answer["id"])
    journal.enrol_student(school.admin, subgroup, school.students[0], date(2024, 9, 1))
    lesson_id = school.lesson(MONDAY, group_id=subgroup)
    _place(school, lesson_id, _entry(school, 0))
    with pytest.raises(RuleViolated):
        _place(school, lesson_id, _entry(school, 1))


def test_a_mark_is_changed_and_removed_with_a_reason(school: School) -> None:
    journal, lesson_id = school.journal, school.lesson(MONDAY)
    mark_id = UUID(str(_place(school, lesson_id, _entry(school, 0, "3"))[0]["id"]))
    teacher = school.as_(school.teacher_id, local(MONDAY, 11))
    with pytest.raises(InvalidValue, match="reason"):
        journal.change_mark(teacher, lesson_id, mark_id, "4", " ")
    journal.change_mark(teacher, lesson_id, mark_id, "4", "пересдача")
    assert journal.get_lesson(lesson_id).mark(mark_id).value == "4"
    journal.remove_mark(teacher, lesson_id, mark_id, "ошибка")
    assert journal.get_lesson(lesson_id).marks == {}
    with pytest.raises(MarkNotFound):
        journal.remove_mark(teacher, lesson_id, mark_id, "ещё раз")
    changed = [e for e in journal.produced if type(e).__name__ == "MarkChanged"]
    assert (changed[0].old_value, changed[0].new_value, changed[0].reason) == (
        "3", "4", "пересдача")
    removed = [e for e in journal.produced if type(e).__name__ == "MarkRemoved"]
    assert (removed[0].value, removed[0].reason, removed[0].actor) == (
        "4", "ошибка", str(school.teacher_id))


def test_a_lesson_with_marks_cannot_be_cancelled_or_moved(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    _place(school, lesson_id, _entry(school))
    with pytest.raises(RuleViolated, match="has marks"):
        school.journal.cancel_lesson(school.admin, lesson_id, "ошибка")
    with pytest.raises(RuleViolated, match="has marks"):
        school.journal.move_lesson(school.admin, lesson_id, date(2024, 9, 3), "перенос")


def test_plus_and_minus_marks_only_when_the_school_allows_them(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    with pytest.raises(InvalidValue):
        _place(school, lesson_id, _entry(school, 0, "5-"))
    school.journal.allow_plus_minus_marks(school.admin, school.school_id, True)
    _place(school, lesson_id, _entry(school, 0, "5-"), _entry(school, 1, "4+"))
    assert sorted(m.value for m in school.journal.get_lesson(lesson_id).marks.values()) == [
        "4+", "5-"]


def test_a_mark_with_an_unknown_work_type_is_refused(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    entry = MarkEntry(student_id=school.students[0], work_type_id=school.subject_id, value="5")
    with pytest.raises(WorkTypeNotFound):
        _place(school, lesson_id, entry)


def test_a_stale_if_match_is_refused(school: School) -> None:
    lesson_id = school.lesson(MONDAY)
    version = school.journal.get_lesson(lesson_id).version
    _place(school, lesson_id, _entry(school, 0))
    with pytest.raises(StaleVersion):
        school.journal.place_marks(school.as_(school.teacher_id), lesson_id,
                                   [_entry(school, 1)], expected_version=version)


def test_the_first_marks_of_a_school_record_its_work_types(school: School) -> None:
    catalogue_id = school.journal.get_work_types(school.school_id).id
    assert catalogue_id not in school.journal.repository
    _place(school, school.lesson(MONDAY), _entry(school))
    assert catalogue_id in school.journal.repository
