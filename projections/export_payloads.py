"""Payloads of the export's journal entities: lessons and their changes, marks, absences,
homework, materials, statistics, diaries, system events; and the types every payload uses."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

Id = Annotated[str, Meta(description="a UUID", extra_json_schema={"format": "uuid"})]
Day = Annotated[str, Meta(description="ISO 8601 date", extra_json_schema={"format": "date"})]
Instant = Annotated[str, Meta(description="ISO 8601 instant, UTC",
                              extra_json_schema={"format": "date-time"})]
Week = Annotated[str, Meta(description="ISO week, e.g. 2024-W36", pattern=r"^\d{4}-W\d{2}$")]
Clock = Annotated[str, Meta(description="school local time HH:MM", pattern=r"^\d{2}:\d{2}$")]


class LessonPayload(Struct, kw_only=True):
    lesson_id: Id
    school_id: Id
    academic_year: int
    class_id: Id
    group_id: Id
    subject_id: Id
    teacher_id: Id
    substitute_id: Id | None
    day: Day
    original_day: Day
    number: int
    start: Clock
    end: Clock
    room: str | None
    topic: str | None
    cancelled: bool
    cancel_reason: str | None
    move_reason: str | None


class LessonChangePayload(Struct, kw_only=True):
    change_id: str
    lesson_id: Id
    school_id: Id
    kind: str
    reason: str
    actor: str
    at: Instant
    day: Day


Scalar = str | int | bool | None


class LessonChangeDetailPayload(Struct, kw_only=True):
    change_id: str
    lesson_id: Id
    field: str
    old: Scalar
    new: Scalar


class MarkPayload(Struct, kw_only=True):
    mark_id: Id
    lesson_id: Id
    school_id: Id
    student_id: Id
    group_id: Id
    subject_id: Id
    day: Day
    work_type_id: Id
    value: str
    weight: str
    placed_at: Instant
    teacher_id: Id


class PeriodMarkPayload(Struct, kw_only=True):
    school_id: Id
    class_id: Id
    subject_id: Id
    academic_year: int
    period: str
    student_id: Id
    value: str


class YearMarkPayload(Struct, kw_only=True):
    school_id: Id
    class_id: Id
    subject_id: Id
    academic_year: int
    kind: Literal["annual", "final"]
    student_id: Id
    value: str


class AbsencePayload(Struct, kw_only=True):
    lesson_id: Id
    school_id: Id
    student_id: Id
    group_id: Id
    subject_id: Id
    day: Day
    status: Literal["absent", "ill", "excused"]


class LessonCountPayload(Struct, kw_only=True):
    """Lessons of a group in a subject in an attestation period (scheduled, not cancelled)."""

    school_id: Id
    group_id: Id
    subject_id: Id
    academic_year: int
    period: int
    period_name: str
    start: Day
    end: Day
    lessons: int


class StatsLine(Struct, kw_only=True):
    """Averages over five-point marks ('5-' counts 5), weights as placed; absences are
    «н», «б», «уп» on lessons not cancelled; lessons: those the student was in the group for."""

    marks: int
    numeric_marks: int
    average: float | None
    weighted_average: float | None
    absences: int
    lessons: int


class WeeklySubjectStatsPayload(StatsLine, kw_only=True):
    school_id: Id
    student_id: Id
    week: Week
    subject_id: Id


class WeeklyStatsPayload(StatsLine, kw_only=True):
    school_id: Id
    student_id: Id
    week: Week


class SubjectLine(StatsLine, kw_only=True):
    subject_id: Id


class PeriodStatsPayload(Struct, kw_only=True):
    school_id: Id
    student_id: Id
    academic_year: int
    period: int
    period_name: str
    start: Day
    end: Day
    total: StatsLine
    subjects: list[SubjectLine]


class HomeworkPayload(Struct, kw_only=True):
    homework_id: Id
    lesson_id: Id
    school_id: Id
    group_id: Id
    subject_id: Id
    teacher_id: Id
    text: str
    due_date: Day
    due_lesson_id: Id | None
    duration_minutes: int | None
    work_type_id: Id | None
    needs_checking: bool
    result_file_required: bool
    individual: bool
    published_at: Instant
    timeliness: Literal["on_time", "too_early", "late"]


class HomeworkStudentPayload(Struct, kw_only=True):
    homework_id: Id
    school_id: Id
    student_id: Id
    status: str
    comments: int


class MaterialPayload(Struct, kw_only=True):
    school_id: Id
    owner: Literal["lesson", "homework"]
    owner_id: Id
    lesson_id: Id
    file_id: Id
    name: str | None
    content_type: str | None
    size: int | None
    sha256: str | None


class DiaryMark(Struct, kw_only=True):
    mark_id: Id
    work_type_id: Id
    value: str
    weight: str
    late: bool


class DiaryHomework(Struct, kw_only=True):
    homework_id: Id
    status: str


class DiaryLesson(Struct, kw_only=True):
    lesson_id: Id
    number: int
    start: Clock
    end: Clock
    subject_id: Id
    group_id: Id
    teacher_id: Id
    substitute_id: Id | None
    room: str | None
    topic: str | None
    cancelled: bool
    # The student's own fields, in this order: `export_facts` encodes the rest once per lesson
    # and fills these in by position.
    marks: list[DiaryMark]
    absence: str | None
    homework: list[DiaryHomework]


class DiaryDay(Struct, kw_only=True):
    date: Day
    lessons: list[DiaryLesson]


class DiaryPayload(Struct, kw_only=True):
    school_id: Id
    student_id: Id
    week: Week
    days: list[DiaryDay]


class SystemEventPayload(Struct, kw_only=True):
    event_type: str
    aggregate_id: Id
    aggregate_version: int
    actor: str
    command_id: Id | None
    at: Instant
