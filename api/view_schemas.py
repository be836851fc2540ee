"""Answers of the journal views (diary, teacher journal, statistics, changes, compliance).

They describe, for OpenAPI and for the tests that decode stored documents with them, exactly
what the projections serve. Lesson times are "HH:MM" in the school's local time; instants are
UTC; ids of people are person ids (names are in the registries).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

import msgspec

from domain.homework import WorkStatus
from domain.marks import Attendance

ChangeKind = Literal["substitution", "cancellation", "reinstatement", "room", "time",
                     "subject", "move"]
Values = dict[str, str | int | bool | None]


class Struct(msgspec.Struct, kw_only=True):
    pass


class LessonChangeDetails(Struct, kw_only=True):
    """One change to a lesson: the fields it changed, before and after."""

    kind: ChangeKind
    old: Values
    new: Values
    reason: str
    actor: str
    at: dt.datetime


class DiaryMark(Struct, kw_only=True):
    mark_id: UUID
    value: str
    work_type_id: UUID
    work_type: str | None
    weight: str
    late: bool


class DiaryHomework(Struct, kw_only=True):
    homework_id: UUID
    text: str
    file_ids: list[UUID]
    due_date: dt.date
    due_lesson_id: UUID | None
    individual: bool
    status: WorkStatus  # of this student's work
    comments: int
    duration_minutes: int | None
    needs_checking: bool
    result_file_required: bool


class DiaryLesson(Struct, kw_only=True):
    """A lesson as the student has it: changes applied (and listed), their homework, marks
    and attendance (an administrator's override wins; null: present or not recorded)."""

    lesson_id: UUID
    school_id: UUID
    number: int
    start: str
    end: str
    subject_id: UUID
    subject: str | None
    group_id: UUID
    group: str
    class_id: UUID
    teacher_id: UUID
    substitute_id: UUID | None
    room: str | None
    topic: str | None
    cancelled: bool
    cancel_reason: str | None
    moved_from: dt.date | None
    move_reason: str | None
    changes: list[LessonChangeDetails]
    homework: list[DiaryHomework]
    marks: list[DiaryMark]
    attendance: Attendance | None


class DiaryDay(Struct, kw_only=True):
    date: dt.date
    lessons: list[DiaryLesson]


class DiaryWeek(Struct, kw_only=True):
    """A student's ISO week: the days with lessons, each lesson of the group they were in."""

    student_id: UUID
    week: str
    start: dt.date
    end: dt.date
    days: list[DiaryDay]


class PeriodSpan(Struct, kw_only=True):
    name: str
    start: dt.date
    end: dt.date


class JournalColumn(Struct, kw_only=True):
    lesson_id: UUID
    day: dt.date
    number: int
    topic: str | None
    teacher_id: UUID
    substitute_id: UUID | None


class JournalMark(Struct, kw_only=True):
    mark_id: UUID
    value: str
    work_type_id: UUID
    weight: str
    late: bool


class JournalCell(Struct, kw_only=True):
    enrolled: bool  # the student was in the group on the lesson's day
    marks: list[JournalMark]
    attendance: Attendance | None


class JournalRow(Struct, kw_only=True):
    student_id: UUID
    name: str | None
    cells: list[JournalCell]  # one per column, in the columns' order
    period_mark: str | None


class JournalGrid(Struct, kw_only=True):
    """A class or subgroup in a subject over an attestation period: lessons held as columns,
    students as rows, the period mark of the class's gradebook at the end of each row."""

    group_id: UUID
    group: str
    class_id: UUID
    subject_id: UUID
    period: PeriodSpan
    lessons: list[JournalColumn]
    rows: list[JournalRow]


class StatLine(Struct, kw_only=True):
    """Averages use five-point marks only ('5-' counts 5, '4+' 4); weights as placed."""

    marks: int
    numeric_marks: int
    average: float | None
    weighted_average: float | None
    absences: int
    lessons_held: int  # not cancelled, up to as_of
    lessons_in_period: int | None = None  # period statistics: held or still to come


class SubjectStatLine(StatLine, kw_only=True):
    subject_id: UUID
    subject: str | None


class StudentStatLine(StatLine, kw_only=True):
    student_id: UUID


class StudentStatistics(Struct, kw_only=True):
    student_id: UUID
    start: dt.date
    end: dt.date
    as_of: dt.date
    week: str | None = None
    period: PeriodSpan | None = None
    subjects: list[SubjectStatLine]
    total: StatLine


class ClassStatistics(Struct, kw_only=True):
    class_id: UUID
    start: dt.date
    end: dt.date
    as_of: dt.date
    week: str | None = None
    period: PeriodSpan | None = None
    students: list[StudentStatLine]
    subjects: list[SubjectStatLine]
    total: StatLine


class ChangeEntry(Struct, kw_only=True):
    position: int
    lesson_id: UUID
    school_id: UUID
    class_id: UUID
    group_id: UUID
    subject_id: UUID
    teacher_id: UUID
    substitute_id: UUID | None
    day: dt.date
    old_day: dt.date
    kind: ChangeKind
    old: Values
    new: Values
    reason: str
    actor: str
    at: dt.datetime


class ChangesPage(Struct, kw_only=True):
    items: list[ChangeEntry]
    next_cursor: str | None = None


class ComplianceCounts(Struct, kw_only=True):
    marks: int  # marks of the four lesson-day work types
    late_marks: int
    homework: int
    late_homework: int
    early_homework: int


class TeacherCompliance(ComplianceCounts, kw_only=True):
    teacher_id: UUID


class ClassCompliance(ComplianceCounts, kw_only=True):
    class_id: UUID


class SchoolCompliance(ComplianceCounts, kw_only=True):
    school_id: UUID


class ComplianceReport(Struct, kw_only=True):
    school_id: UUID
    start: dt.date
    end: dt.date
    total: ComplianceCounts
    teachers: list[TeacherCompliance]
    classes: list[ClassCompliance]


class SchoolCompliancePage(Struct, kw_only=True):
    items: list[SchoolCompliance]
    next_cursor: str | None = None


class ComplianceLesson(Struct, kw_only=True):
    day: dt.date
    lesson_id: UUID
    class_id: UUID
    group_id: UUID
    subject_id: UUID
    late_marks: int
    late_homework: int
    early_homework: int


class ComplianceLessonsPage(Struct, kw_only=True):
    items: list[ComplianceLesson]
    next_cursor: str | None = None
