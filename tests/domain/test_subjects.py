"""A school's subject catalogue and who teaches which subject to which group."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated
from domain.subjects import SubjectNotFound
from tests.domain.conftest import School


def test_subjects_are_added_renamed_and_retired(school: School) -> None:
    journal = school.journal
    outcome = journal.add_subject(school.admin, school.school_id, "Русский язык", "Рус. яз.")
    subject_id = UUID(outcome.answer["subject_id"])
    assert journal.get_subjects(school.school_id).get(subject_id).short_name == "Рус. яз."
    with pytest.raises(RuleViolated, match="already has"):
        journal.add_subject(school.admin, school.school_id, "русский язык")
    journal.rename_subject(school.admin, school.school_id, subject_id, "Русский язык и культура")
    assert journal.get_subjects(school.school_id).get(subject_id).name == \
        "Русский язык и культура"
    journal.retire_subject(school.admin, school.school_id, subject_id, "по учебному плану")
    with pytest.raises(RuleViolated, match="retired"):
        school.lesson(date(2024, 9, 2), subject_id=subject_id)


def test_a_subject_needs_a_name_and_a_lesson_a_known_subject(school: School) -> None:
    with pytest.raises(InvalidValue):
        school.journal.add_subject(school.admin, school.school_id, "  ")
    with pytest.raises(SubjectNotFound):
        school.lesson(date(2024, 9, 2), subject_id=school.class_id)


def test_a_teacher_is_assigned_to_a_subject_in_a_group_and_relieved(school: School) -> None:
    journal = school.journal
    journal.assign_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                           date(2024, 9, 1))
    with pytest.raises(RuleViolated, match="already teaches"):
        journal.assign_teacher(school.admin, school.class_id, school.subject_id,
                               school.teacher_id, date(2024, 9, 2))
    journal.relieve_teacher(school.admin, school.class_id, school.subject_id, school.teacher_id,
                            date(2024, 12, 1), "декрет")
    journal.assign_teacher(school.admin, school.class_id, school.subject_id,
                           school.substitute_id, date(2024, 12, 1))
    assignment = journal.get_teaching_assignment(school.class_id, school.subject_id)
    assert assignment.teachers_on(date(2024, 11, 30)) == {school.teacher_id}
    assert assignment.teachers_on(date(2024, 12, 1)) == {school.substitute_id}


def test_only_a_teacher_of_the_school_is_assigned(school: School) -> None:
    with pytest.raises(RuleViolated, match="not a teacher"):
        school.journal.assign_teacher(school.admin, school.class_id, school.subject_id,
                                      school.students[0], date(2024, 9, 1))
