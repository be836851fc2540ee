"""Request bodies of the journal's commands: the school year, lessons, marks and homework.

msgspec structs that refuse unknown fields; the domain's value objects are reused where they
are structs (Period and Bell as they are; MarkEntry, TimetableSlot and HomeworkSpec through
subclasses that also refuse unknown fields, so a misspelt optional field is not ignored).
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.calendar import AttestationKind, Bell, Period
from domain.gradebook import GradeKind
from domain.homework import HomeworkSpec
from domain.marks import Attendance, MarkEntry
from domain.schedule import TimetableSlot
from domain.work_types import Scale


class Body(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The base of the journal's request bodies."""


# --- the academic year --------------------------------------------------------------------


class OpenAcademicYear(Body):
    """The year `year`/`year+1`; every part may also be set later on its own."""

    year: int
    attestation_kind: AttestationKind | None = None
    attestation_periods: list[Period] = []
    study_periods: list[Period] = []
    holidays: list[Period] = []
    bells: dict[int, list[Bell]] = {}  # shift (1 or 2) -> its bell schedule
    period_marks_lead_days: int = 0


class SetAttestationPeriods(Body):
    kind: AttestationKind
    periods: list[Period]


class SetStudyPeriods(Body):
    periods: list[Period]


class SetHolidays(Body):
    holidays: list[Period]


class SetBellSchedule(Body):
    bells: list[Bell]


class SetPeriodMarksLead(Body):
    """Period marks may be put from `days` days before each period's end."""

    days: int


# --- catalogues ---------------------------------------------------------------------------


class AddSubject(Body):
    name: str
    short_name: str | None = None


class RenameSubject(Body):
    name: str
    short_name: str | None = None


class Retirement(Body):
    reason: str


class AddWorkType(Body):
    name: str
    weight: Decimal
    scale: Scale = Scale.FIVE_POINT


class ChangeWorkType(Body):
    """Only the fields given change; marks already placed keep their weight."""

    name: str | None = None
    weight: Decimal | None = None


class AllowPlusMinusMarks(Body):
    allowed: bool


class AssignTeacher(Body):
    subject_id: UUID
    teacher_id: UUID
    on: date


class RelieveTeacher(Body):
    subject_id: UUID
    teacher_id: UUID
    on: date
    reason: str


# --- lessons ------------------------------------------------------------------------------


class CreateLesson(Body):
    """No `start`/`end`: the bell schedule's times for the number and shift."""

    group_id: UUID
    subject_id: UUID
    teacher_id: UUID
    day: date
    number: int
    start: time | None = None
    end: time | None = None
    room: str | None = None
    topic: str | None = None
    shift: int = 1


class Slot(TimetableSlot, frozen=True, forbid_unknown_fields=True):
    """A weekly lesson (ISO weekday and number); no `teacher_id`: the assigned teacher."""


class GenerateLessons(Body):
    """Lessons from `start` to `end` inclusive; holidays and days outside study periods skipped."""

    start: date
    end: date
    slots: list[Slot]


class CancelLessons(Body):
    start: date
    end: date
    reason: str


class LessonChange(Body):
    """A change that needs only its reason: cancellation, reinstatement."""

    reason: str


class SubstituteTeacher(Body):
    """`substitute_id` null: back to the lesson's own teacher."""

    substitute_id: UUID | None
    reason: str


class ChangeRoom(Body):
    room: str | None
    reason: str


class ChangeLessonTime(Body):
    """No `start`/`end`: the bell schedule's times for the number and shift."""

    number: int
    reason: str
    start: time | None = None
    end: time | None = None
    shift: int = 1


class ChangeLessonSubject(Body):
    subject_id: UUID
    reason: str


class MoveLesson(Body):
    """To another day; optionally another number and time too."""

    day: date
    reason: str
    number: int | None = None
    start: time | None = None
    end: time | None = None
    shift: int = 1


class SetLessonTopic(Body):
    topic: str | None


# --- the lesson journal -------------------------------------------------------------------


class MarkInput(MarkEntry, frozen=True, forbid_unknown_fields=True):
    """One student's mark; no `weight`: the work type's."""


class PlaceMarks(Body):
    """Marks for many students of one lesson, all or none."""

    marks: list[MarkInput]


class ChangeMark(Body):
    value: str
    reason: str


class RemoveMark(Body):
    reason: str


class RecordAttendance(Body):
    """The teacher's entries, student id -> status («present» clears an absence)."""

    attendance: dict[UUID, Attendance]


class OverrideAttendance(Body):
    status: Attendance
    reason: str


class WithdrawAttendanceOverride(Body):
    reason: str


# --- gradebooks ---------------------------------------------------------------------------


class SetPeriodMarks(Body):
    """Marks for an attestation period («1 четверть»), student id -> mark."""

    period: str
    marks: dict[UUID, str]
    reason: str | None = None  # needed when a mark changes


class SetGrades(Body):
    """Annual or final marks, student id -> mark."""

    marks: dict[UUID, str]
    reason: str | None = None  # needed when a mark changes


class RemoveGrade(Body):
    kind: GradeKind
    student_id: UUID
    reason: str
    period: str | None = None  # for a period mark


# --- homework -----------------------------------------------------------------------------


class AssignHomework(HomeworkSpec, frozen=True, forbid_unknown_fields=True):
    """For the lesson's group, or for `student_ids`; due at a later lesson or on a date."""


class StartHomework(Body):
    """No fields: the student starts (or restarts after a return) the work."""


class SubmitHomework(Body):
    file_ids: list[UUID] = []


class CheckHomework(Body):
    """No fields: the teacher accepts the submitted work."""


class ReturnHomework(Body):
    comment: str


class CommentHomework(Body):
    text: str
