"""A realistic first quarter for the journal views, written with the Journal commands.

Two classes (5А, 5Б), an English subgroup of 5А, a timetable for five weeks, marks of several
work types (some late, some «5-» / «4+»), absences and an override, homework of every kind
and step, lesson changes of every kind, a transfer from 5А to 5Б on a Wednesday, period marks,
a parent, and a subject and a work type renamed after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.homework import HomeworkSpec
from domain.marks import Attendance, MarkEntry
from domain.person import Documents, FullName, RepresentativeKind, Sex
from domain.schedule import TimetableSlot
from domain.work_types import BuiltIn, Scale
from tests.domain.conftest import YEAR, School, local, open_school

MONDAY = date(2024, 9, 2)  # week 2024-W36
TRANSFER_DAY = date(2024, 9, 18)  # a Wednesday of 2024-W38
WEEKS = 5


def week_day(week: int, weekday: int) -> date:
    """Day `weekday` (1 Monday) of the term's week `week` (0: 2024-W36)."""
    return MONDAY + timedelta(days=7 * week + weekday - 1)


@dataclass
class Term:
    school: School
    other_class: UUID
    english: UUID  # a subgroup of 5А
    russian: UUID
    english_subject: UUID
    parent: UUID
    essay: UUID  # a custom work type
    lessons: dict[tuple[UUID, date, int], UUID] = field(default_factory=dict)

    @property
    def journal(self) -> Any:
        return self.school.journal

    def lesson(self, group: UUID, day: date, number: int) -> UUID:
        return self.lessons[(group, day, number)]

    def mark(self, lesson: UUID, student: UUID, work: UUID | BuiltIn, value: str,
             hour: int = 12, day: date | None = None) -> UUID:
        when = local(day or self.journal.get_lesson(lesson).day, hour)
        work_id = self.school.work_type(work) if isinstance(work, BuiltIn) else work
        outcome = self.journal.place_marks(self.school.as_(self.school.teacher_id, when), lesson,
                                           [MarkEntry(student_id=student, work_type_id=work_id,
                                                      value=value)])
        return UUID(outcome.answer["marks"][0]["id"])


def timetable(term: Term, group: UUID, slots: list[TimetableSlot]) -> None:
    school = term.school
    outcome = term.journal.generate_lessons(school.admin, group, MONDAY,
                                            week_day(WEEKS - 1, 7), slots)
    for lesson_id in outcome.answer["lesson_ids"]:
        lesson = term.journal.get_lesson(UUID(lesson_id))
        term.lessons[(lesson.group_id, lesson.day, lesson.number)] = lesson.id


def open_term(journal: Any) -> Term:
    """The school of the domain tests, two classes, a subgroup and a five-week timetable."""
    school = open_school(journal, students=("Иванова", "Петров", "Сидоров", "Кузнецова"))
    admin, sid = school.admin, school.school_id
    other = UUID(journal.open_class(admin, sid, YEAR, "5Б").answer["id"])
    for last in ("Орлов", "Зайцева"):
        journal.enrol_student(admin, other, school.person(last, "Ученик"), date(2024, 9, 1))
    english = UUID(journal.open_subgroup(admin, school.class_id, "Английский 1").answer["id"])
    for student in school.students[:3]:
        journal.enrol_student(admin, english, student, date(2024, 9, 1))
    russian = UUID(journal.add_subject(admin, sid, "Русский язык").answer["subject_id"])
    english_subject = UUID(journal.add_subject(admin, sid, "Английский язык")
                           .answer["subject_id"])
    parent = UUID(journal.register_person(
        admin, FullName(last="Иванова", first="Мать"), Sex.FEMALE, date(1985, 1, 1),
        Documents()).answer["id"])
    journal.link_representative(admin, school.students[0], parent, RepresentativeKind.MOTHER)
    journal.allow_plus_minus_marks(admin, sid, True)
    essay = UUID(journal.add_work_type(admin, sid, "Эссе", Decimal("2.5"), Scale.FIVE_POINT)
                 .answer["work_type_id"])
    term = Term(school, other, english, russian, english_subject, parent, essay)
    teacher = school.teacher_id
    timetable(term, school.class_id, [
        TimetableSlot(weekday=1, number=1, subject_id=school.subject_id, teacher_id=teacher),
        TimetableSlot(weekday=2, number=2, subject_id=russian, teacher_id=teacher),
        TimetableSlot(weekday=3, number=1, subject_id=school.subject_id, teacher_id=teacher),
        TimetableSlot(weekday=4, number=3, subject_id=english_subject, group_id=english,
                      teacher_id=teacher),
        TimetableSlot(weekday=5, number=2, subject_id=school.subject_id, teacher_id=teacher),
    ])
    timetable(term, other, [
        TimetableSlot(weekday=1, number=2, subject_id=school.subject_id, teacher_id=teacher),
        TimetableSlot(weekday=3, number=3, subject_id=russian, teacher_id=teacher),
        TimetableSlot(weekday=4, number=1, subject_id=school.subject_id, teacher_id=teacher),
    ])
    return term


def realistic_term(journal: Any) -> Term:
    """`open_term` and a few weeks of journal keeping, changes and roster moves."""
    term = open_term(journal)
    school, j = term.school, journal
    a5, b5 = school.class_id, term.other_class
    s0, s1, s2, s3 = school.students
    admin, teacher = school.admin, school.as_(school.teacher_id, local(MONDAY, 9))
    for week in range(WEEKS):
        math = term.lesson(a5, week_day(week, 1), 1)
        term.mark(math, s0, BuiltIn.ANSWER, "5-" if week % 2 else "5")
        term.mark(math, s1, BuiltIn.ANSWER, "4", hour=22)  # after 21:00: late
        term.mark(math, s3, BuiltIn.TEST_PAPER, "3")
        term.mark(term.lesson(a5, week_day(week, 3), 1), s1, term.essay, "4+")
        j.record_attendance(teacher, term.lesson(a5, week_day(week, 2), 2),
                            {s3: Attendance.ABSENT, s0: Attendance.LATE})
    j.record_attendance(teacher, term.lesson(a5, MONDAY, 1), {s2: Attendance.ILL})
    j.override_attendance(admin, term.lesson(a5, MONDAY, 1), s2, Attendance.EXCUSED, "справка")
    j.override_attendance(admin, term.lesson(a5, week_day(1, 2), 2), s3, Attendance.EXCUSED,
                          "справка")
    j.withdraw_attendance_override(admin, term.lesson(a5, week_day(1, 2), 2), s3, "ошибка")
    # Homework: on time, too early, late, individual; and a student's steps through one.
    friday = term.lesson(a5, week_day(0, 5), 2)
    on_time = UUID(j.assign_homework(school.as_(school.teacher_id, local(MONDAY, 15)),
                                     friday, HomeworkSpec(text="№ 12", due_date=week_day(1, 1)))
                   .answer["id"])
    j.assign_homework(school.as_(school.teacher_id, local(MONDAY, 15)),
                      term.lesson(a5, week_day(2, 1), 1), HomeworkSpec(text="заранее",
                                                                       due_date=week_day(2, 3)))
    j.assign_homework(school.as_(school.teacher_id, local(week_day(1, 4), 10)),
                      term.lesson(a5, week_day(1, 1), 1),
                      HomeworkSpec(text="поздно", due_date=week_day(1, 3)))
    j.assign_homework(school.as_(school.teacher_id, local(week_day(1, 3), 10)),
                      term.lesson(a5, week_day(1, 3), 1),
                      HomeworkSpec(text="лично", due_date=week_day(1, 5), student_ids=(s1,)))
    me = school.as_(s0, local(MONDAY, 18))
    j.start_homework(me, on_time, s0)
    j.submit_homework(me, on_time, s0)
    j.return_homework(teacher, on_time, s0, "переделать")
    j.comment_homework(me, on_time, s0, "исправила")
    # Changes to lessons.
    j.substitute_teacher(admin, term.lesson(a5, week_day(1, 2), 2), school.substitute_id,
                         "болезнь")
    j.change_room(admin, term.lesson(a5, week_day(1, 2), 2), "12", "ремонт")
    j.cancel_lesson(admin, term.lesson(a5, week_day(2, 2), 2), "карантин")
    j.cancel_lesson(admin, term.lesson(b5, week_day(2, 1), 2), "экскурсия")
    j.reinstate_lesson(admin, term.lesson(b5, week_day(2, 1), 2), "экскурсия перенесена")
    j.change_lesson_time(admin, term.lesson(a5, week_day(3, 2), 2), 3, "сдвиг")
    j.change_lesson_subject(admin, term.lesson(b5, week_day(3, 3), 3), school.subject_id,
                            "замена")
    j.move_lesson(admin, term.lesson(term.english, week_day(2, 4), 3), week_day(3, 6), "перенос",
                  number=4)  # the English subgroup's Thursday to the next Saturday
    # Roster moves: a transfer on a Wednesday, a subgroup left.
    j.transfer_student(admin, s2, a5, b5, TRANSFER_DAY, "перевод")
    j.release_student(admin, term.english, s1, week_day(3, 1), "смена группы")
    # Period marks; names changed after the fact.
    after = school.as_(school.teacher_id, local(date(2024, 10, 27), 12))
    j.set_period_marks(after, a5, school.subject_id, "1 четверть", {s0: "5", s1: "4"})
    j.rename_subject(admin, school.school_id, term.russian, "Русский язык и литература")
    j.change_work_type(admin, school.school_id, term.essay, name="Сочинение")
    return term
