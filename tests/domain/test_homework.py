"""Homework: assigned to a group or chosen students, its timing flagged, and each student's
work assigned -> in progress -> submitted -> checked, or returned for rework."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.deadlines import Timeliness
from domain.errors import InvalidValue, RuleViolated
from domain.files import FileNotFound, FileOwner, OwnerKind
from domain.homework import Comment, HomeworkSpec, WorkStatus
from domain.work_types import BuiltIn
from tests.domain.conftest import School, local, open_school

TUESDAY = date(2024, 9, 10)


def _assign(school: School, lesson_id: UUID, when: datetime | None = None,
            **spec: object) -> UUID:
    spec.setdefault("text", "№ 12, 14")
    spec.setdefault("due_date", TUESDAY + timedelta(days=2))
    outcome = school.journal.assign_homework(
        school.as_(school.teacher_id, when or local(TUESDAY, 15)), lesson_id,
        HomeworkSpec(**spec),  # type: ignore[arg-type]
    )
    return UUID(outcome.answer["id"])


def _upload(school: School, actor: UUID, on_class_page: bool = False) -> UUID:
    """A stored file: on the school's profile, or on the page of the school's class."""
    owner = (FileOwner(OwnerKind.CLASS, school.class_id) if on_class_page
             else FileOwner(OwnerKind.SCHOOL, school.school_id))
    command = school.as_(actor)
    upload = school.journal.reserve_upload(command, owner, "Решение.pdf", "application/pdf", 10)
    school.journal.complete_upload(command, upload, 10, "0" * 64)
    return upload.file_id


def test_homework_workflow_from_assigned_to_checked_through_rework(school: School) -> None:
    journal, student = school.journal, school.students[0]
    file_id, second_file = (_upload(school, student, on_class_page=True) for _ in range(2))
    homework_id = _assign(school, school.lesson(TUESDAY),
                          file_ids=(_upload(school, school.teacher_id),),
                          result_file_required=True, needs_checking=True,
                          duration_minutes=30,
                          work_type_id=school.work_type(BuiltIn.HOMEWORK))
    me, teacher = school.as_(student), school.as_(school.teacher_id)
    homework = journal.get_homework(homework_id)
    assert homework.timeliness is Timeliness.ON_TIME
    assert set(homework.works) == set(school.students)
    assert homework.work_of(student).status is WorkStatus.ASSIGNED
    journal.start_homework(me, homework_id, student)
    journal.submit_homework(me, homework_id, student, [file_id])
    journal.return_homework(teacher, homework_id, student, "нет решения № 14")
    work = journal.get_homework(homework_id).work_of(student)
    assert work.status is WorkStatus.RETURNED
    assert work.comments == (Comment(school.teacher_id, "нет решения № 14"),)
    journal.start_homework(me, homework_id, student)
    journal.comment_homework(me, homework_id, student, "Исправила")
    journal.submit_homework(me, homework_id, student, [second_file])
    journal.check_homework(teacher, homework_id, student)
    work = journal.get_homework(homework_id).work_of(student)
    assert (work.status, work.file_ids) == (WorkStatus.CHECKED, (second_file,))
    assert work.comments[-1] == Comment(student, "Исправила")
    steps = [type(e).__name__ for e in journal.produced if e.originator_id == homework_id]
    assert steps == ["Assigned", "WorkStarted", "WorkSubmitted", "ReturnedForRework",
                     "WorkStarted", "CommentAdded", "WorkSubmitted", "WorkChecked"]


def test_invalid_homework_transitions_are_refused(school: School) -> None:
    journal, student = school.journal, school.students[0]
    homework_id = _assign(school, school.lesson(TUESDAY))
    me, teacher = school.as_(student), school.as_(school.teacher_id)
    with pytest.raises(RuleViolated, match="assigned cannot be submitted"):
        journal.submit_homework(me, homework_id, student)
    with pytest.raises(RuleViolated, match="cannot be checked"):
        journal.check_homework(teacher, homework_id, student)
    journal.start_homework(me, homework_id, student)
    with pytest.raises(RuleViolated, match="in_progress cannot be started"):
        journal.start_homework(me, homework_id, student)
    with pytest.raises(RuleViolated, match="returned for rework"):
        journal.return_homework(teacher, homework_id, student, "ещё рано")
    journal.submit_homework(me, homework_id, student)
    journal.check_homework(teacher, homework_id, student)
    with pytest.raises(RuleViolated, match="checked cannot be started"):
        journal.start_homework(me, homework_id, student)


def test_a_result_file_is_required_when_the_teacher_asks_for_it(school: School) -> None:
    journal, student = school.journal, school.students[0]
    homework_id = _assign(school, school.lesson(TUESDAY), result_file_required=True)
    journal.start_homework(school.as_(student), homework_id, student)
    with pytest.raises(RuleViolated, match="file"):
        journal.submit_homework(school.as_(student), homework_id, student, [])


def test_individual_homework_is_for_the_chosen_students_only(school: School) -> None:
    journal, chosen, other = school.journal, school.students[0], school.students[1]
    homework_id = _assign(school, school.lesson(TUESDAY), student_ids=(chosen,))
    homework = journal.get_homework(homework_id)
    assert homework.individual and set(homework.works) == {chosen}
    with pytest.raises(RuleViolated, match="not assigned"):
        journal.start_homework(school.as_(other), homework_id, other)
    stranger = school.person("Чужой", "Ученик")
    with pytest.raises(RuleViolated) as refused:
        _assign(school, school.lesson(TUESDAY, number=2), student_ids=(stranger,))
    assert "student_ids[0]" in refused.value.fields


def test_only_the_student_does_their_homework_and_only_teachers_check_it(school: School) -> None:
    journal, student = school.journal, school.students[0]
    homework_id = _assign(school, school.lesson(TUESDAY))
    with pytest.raises(RuleViolated, match="only the student"):
        journal.start_homework(school.as_(school.students[1]), homework_id, student)
    journal.start_homework(school.as_(student), homework_id, student)
    journal.submit_homework(school.as_(student), homework_id, student)
    with pytest.raises(RuleViolated):
        journal.check_homework(school.as_(student), homework_id, student)
    with pytest.raises(RuleViolated):
        journal.comment_homework(school.as_(school.students[1]), homework_id, student, "ха")


@pytest.mark.parametrize(
    ("published", "timeliness"),
    [
        (local(TUESDAY - timedelta(days=7), 0, 0), Timeliness.ON_TIME),
        (local(TUESDAY - timedelta(days=8), 23, 59), Timeliness.TOO_EARLY),
        (local(TUESDAY + timedelta(days=1), 13, 0), Timeliness.ON_TIME),
        (local(TUESDAY + timedelta(days=1), 13, 1), Timeliness.LATE),
    ],
)
def test_homework_publication_is_flagged_not_refused(
    school: School, published: datetime, timeliness: Timeliness
) -> None:
    homework_id = _assign(school, school.lesson(TUESDAY), when=published)
    homework = school.journal.get_homework(homework_id)
    assert (homework.timeliness, homework.published_at) == (timeliness, published)


def test_homework_is_due_at_a_lesson_or_on_a_date(school: School) -> None:
    journal = school.journal
    lesson_id, next_lesson = school.lesson(TUESDAY), school.lesson(date(2024, 9, 12))
    homework_id = _assign(school, lesson_id, due_date=None, due_lesson_id=next_lesson)
    assert journal.get_homework(homework_id).due_date == date(2024, 9, 12)
    with pytest.raises(InvalidValue, match="due lesson or a due date"):
        _assign(school, lesson_id, due_date=None)
    with pytest.raises(InvalidValue, match="on or after"):
        _assign(school, lesson_id, due_date=TUESDAY - timedelta(days=1))
    history = UUID(journal.add_subject(school.admin, school.school_id, "История")
                   .answer["subject_id"])
    other_subject = school.lesson(date(2024, 9, 13), subject_id=history)
    with pytest.raises(RuleViolated, match="same group and subject"):
        _assign(school, lesson_id, due_date=None, due_lesson_id=other_subject)


def test_no_homework_on_a_cancelled_lesson(school: School) -> None:
    lesson_id = school.lesson(TUESDAY)
    school.journal.cancel_lesson(school.admin, lesson_id, "карантин")
    with pytest.raises(RuleViolated, match="cancelled"):
        _assign(school, lesson_id)


def test_homework_files_are_stored_files_of_the_school_or_the_class_and_nothing_is_saved_else(
    school: School,
) -> None:
    journal, lesson_id = school.journal, school.lesson(TUESDAY)
    of_school = _upload(school, school.teacher_id)
    of_class = _upload(school, school.substitute_id, on_class_page=True)
    elsewhere = open_school(journal)
    foreign = _upload(elsewhere, elsewhere.teacher_id)
    deleted = _upload(school, school.teacher_id)
    journal.delete_file(school.as_(school.teacher_id), deleted, "не тот файл")
    saves = journal.saves
    with pytest.raises(FileNotFound) as unknown:
        _assign(school, lesson_id, file_ids=(of_school, uuid4()))
    assert unknown.value.fields == {"file_ids[1]": "unknown file"}
    with pytest.raises(FileNotFound) as gone:
        _assign(school, lesson_id, file_ids=(deleted,))
    assert gone.value.fields == {"file_ids[0]": "unknown file"}
    with pytest.raises(RuleViolated) as other_school:
        _assign(school, lesson_id, file_ids=(of_class, foreign))
    assert other_school.value.fields == {"file_ids[1]": "belongs elsewhere"}
    assert journal.saves == saves
    homework_id = _assign(school, lesson_id, file_ids=(of_school, of_class))
    assert journal.get_homework(homework_id).file_ids == (of_school, of_class)


def test_a_student_hands_in_only_files_they_uploaded_themselves(school: School) -> None:
    journal, student, classmate = school.journal, *school.students[:2]
    homework_id = _assign(school, school.lesson(TUESDAY), result_file_required=True)
    me = school.as_(student)
    journal.start_homework(me, homework_id, student)
    mine = _upload(school, student, on_class_page=True)
    theirs = _upload(school, classmate, on_class_page=True)
    teachers = _upload(school, school.teacher_id)
    saves = journal.saves
    for refused_ids, field in (((mine, theirs), "file_ids[1]"), ((teachers,), "file_ids[0]")):
        with pytest.raises(RuleViolated) as refused:
            journal.submit_homework(me, homework_id, student, refused_ids)
        assert refused.value.fields == {field: "uploaded by someone else"}
    with pytest.raises(FileNotFound) as unknown:
        journal.submit_homework(me, homework_id, student, [uuid4()])
    assert unknown.value.fields == {"file_ids[0]": "unknown file"}
    assert journal.saves == saves
    journal.submit_homework(me, homework_id, student, [mine])
    assert journal.get_homework(homework_id).work_of(student).file_ids == (mine,)
