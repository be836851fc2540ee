"""Lesson: group, subject, teacher, day, number, time, room; its changes and its journal.

Every change is an event naming the old and the new value and the reason; who and when
come from the stamp. The journal (marks and attendance) lives on the lesson, so two
teachers saving it at once conflict instead of losing an update.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.calendar import check_in_year, validated_lesson_time
from domain.deadlines import is_mark_late
from domain.errors import InvalidValue, NotFound, RuleViolated
from domain.marks import Attendance, AttendanceEntry, Mark
from domain.work_types import WorkType


class LessonNotFound(NotFound):
    pass


class MarkNotFound(NotFound):
    pass


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidValue("reason", "a change needs a reason")
    return reason.strip()


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


class Lesson(JournalAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Scheduled")
    def __init__(
        self, school_id: UUID, academic_year: int, class_id: UUID, group_id: UUID,
        subject_id: UUID, teacher_id: UUID, day: date, number: int, start: time, end: time,
        room: str | None, topic: str | None,
    ) -> None:
        self.school_id, self.academic_year = school_id, academic_year
        self.class_id, self.group_id = class_id, group_id  # class_id: group_id or its parent
        self.subject_id, self.teacher_id = subject_id, teacher_id
        self.day, self.number, self.start, self.end = day, number, start, end
        self.room, self.topic = room, topic
        self.substitute_id: UUID | None = None
        self.cancelled = False
        self.marks: dict[UUID, Mark] = {}
        self.attendance: dict[UUID, AttendanceEntry] = {}

    @classmethod
    def schedule(
        cls, school_id: UUID, academic_year: int, class_id: UUID, group_id: UUID,
        subject_id: UUID, teacher_id: UUID, day: date, number: int, start: time, end: time,
        room: str | None = None, topic: str | None = None,
    ) -> Lesson:
        validated_lesson_time(number, start, end)
        check_in_year(day, academic_year, "day")
        return cls(
            school_id=school_id, academic_year=academic_year, class_id=class_id,
            group_id=group_id, subject_id=subject_id, teacher_id=teacher_id, day=day,
            number=number, start=start, end=end, room=_text(room), topic=_text(topic),
        )

    def teaches(self, person_id: UUID) -> bool:
        """The lesson's teacher or its substitute."""
        return person_id in (self.teacher_id, self.substitute_id)

    def _check_open(self, what: str) -> None:
        if self.cancelled:
            raise RuleViolated(f"the lesson is cancelled: no {what}", {"lesson_id": "cancelled"})

    def _check_unmarked(self, what: str) -> None:
        if self.marks:
            raise RuleViolated(f"the lesson has marks: remove them before {what}",
                               {"lesson_id": "has marks"})

    # --- changes to the lesson ---------------------------------------------------------

    def substitute(self, substitute_id: UUID | None, reason: str) -> None:
        """Another teacher takes the lesson (None: the lesson's own teacher again)."""
        self._check_open("substitution")
        if substitute_id == self.teacher_id:
            substitute_id = None
        if substitute_id != self.substitute_id:
            self._teacher_substituted(old_substitute_id=self.substitute_id,
                                      new_substitute_id=substitute_id, reason=_reason(reason))

    @event("TeacherSubstituted")
    def _teacher_substituted(
        self, old_substitute_id: UUID | None, new_substitute_id: UUID | None, reason: str
    ) -> None:
        self.substitute_id = new_substitute_id

    def cancel(self, reason: str) -> None:
        self._check_open("second cancellation")
        self._check_unmarked("cancelling it")
        self._cancelled(reason=_reason(reason))

    @event("Cancelled")
    def _cancelled(self, reason: str) -> None:
        self.cancelled = True

    def reinstate(self, reason: str) -> None:
        if not self.cancelled:
            raise RuleViolated("the lesson is not cancelled", {"lesson_id": "not cancelled"})
        self._reinstated(reason=_reason(reason))

    @event("Reinstated")
    def _reinstated(self, reason: str) -> None:
        self.cancelled = False

    def change_room(self, room: str | None, reason: str) -> None:
        self._check_open("room change")
        room = _text(room)
        if room != self.room:
            self._room_changed(old_room=self.room, new_room=room, reason=_reason(reason))

    @event("RoomChanged")
    def _room_changed(self, old_room: str | None, new_room: str | None, reason: str) -> None:
        self.room = new_room

    def change_time(self, number: int, start: time, end: time, reason: str) -> None:
        self._check_open("time change")
        validated_lesson_time(number, start, end)
        if (number, start, end) != (self.number, self.start, self.end):
            self._time_changed(
                old_number=self.number, new_number=number, old_start=self.start,
                new_start=start, old_end=self.end, new_end=end, reason=_reason(reason),
            )

    @event("TimeChanged")
    def _time_changed(
        self, old_number: int, new_number: int, old_start: time, new_start: time,
        old_end: time, new_end: time, reason: str,
    ) -> None:
        self.number, self.start, self.end = new_number, new_start, new_end

    def change_subject(self, subject_id: UUID, reason: str) -> None:
        self._check_open("subject change")
        self._check_unmarked("changing its subject")
        if subject_id != self.subject_id:
            self._subject_changed(old_subject_id=self.subject_id, new_subject_id=subject_id,
                                  reason=_reason(reason))

    @event("SubjectChanged")
    def _subject_changed(self, old_subject_id: UUID, new_subject_id: UUID, reason: str) -> None:
        self.subject_id = new_subject_id

    def move(self, day: date, reason: str) -> None:
        """To another day of the academic year; marks belong to the day's roster, so none."""
        self._check_open("move")
        self._check_unmarked("moving it")
        check_in_year(day, self.academic_year, "day")
        if day != self.day:
            self._moved(old_day=self.day, new_day=day, reason=_reason(reason))

    @event("Moved")
    def _moved(self, old_day: date, new_day: date, reason: str) -> None:
        self.day = new_day

    def set_topic(self, topic: str | None) -> None:
        topic = _text(topic)
        if topic != self.topic:
            self._topic_set(old_topic=self.topic, new_topic=topic)

    @event("TopicSet")
    def _topic_set(self, old_topic: str | None, new_topic: str | None) -> None:
        self.topic = new_topic

    # --- the journal: marks ------------------------------------------------------------

    def _check_in_roster(self, student_id: UUID, roster: Set[UUID], what: str) -> None:
        if student_id not in roster:
            raise RuleViolated(
                f"no {what} for a student who is not in the group on {self.day:%d.%m.%Y}",
                {"student_id": "not in the group on the lesson date"},
            )

    def place_mark(
        self, mark_id: UUID, student_id: UUID, work_type: WorkType, value: str,
        weight: Decimal, placed_at: datetime, roster: Set[UUID], two_shifts: bool,
        tz: ZoneInfo,
    ) -> Mark:
        """`value` is already checked against the work type's scale; lateness is flagged."""
        self._check_open("marks")
        self._check_in_roster(student_id, roster, "mark")
        for mark in self.marks.values():
            if (mark.student_id, mark.work_type_id) == (student_id, work_type.id):
                raise RuleViolated(
                    f"the student already has a mark for «{work_type.name}» on this lesson;"
                    " change it instead", {"work_type_id": "already marked"},
                )
        late = is_mark_late(work_type, self.day, placed_at, two_shifts, tz)
        self._mark_placed(
            mark_id=mark_id, student_id=student_id, work_type_id=work_type.id, value=value,
            weight=weight, placed_at=placed_at, late=late,
        )
        return self.marks[mark_id]

    @event("MarkPlaced")
    def _mark_placed(
        self, mark_id: UUID, student_id: UUID, work_type_id: UUID, value: str,
        weight: Decimal, placed_at: datetime, late: bool,
    ) -> None:
        self.marks[mark_id] = Mark(
            id=mark_id, student_id=student_id, work_type_id=work_type_id, value=value,
            weight=weight, placed_at=placed_at, late=late,
        )

    def mark(self, mark_id: UUID) -> Mark:
        mark = self.marks.get(mark_id)
        if mark is None:
            raise MarkNotFound(f"no mark {mark_id} on this lesson", {"mark_id": "unknown mark"})
        return mark

    def change_mark(self, mark_id: UUID, value: str, reason: str) -> None:
        """`value` is already checked against the work type's scale."""
        mark = self.mark(mark_id)
        if value != mark.value:
            self._mark_changed(mark_id=mark_id, student_id=mark.student_id,
                               old_value=mark.value, new_value=value, reason=_reason(reason))

    @event("MarkChanged")
    def _mark_changed(
        self, mark_id: UUID, student_id: UUID, old_value: str, new_value: str, reason: str
    ) -> None:
        self.marks[mark_id] = msgspec.structs.replace(self.marks[mark_id], value=new_value)

    def remove_mark(self, mark_id: UUID, reason: str) -> None:
        mark = self.mark(mark_id)
        self._mark_removed(mark_id=mark_id, student_id=mark.student_id, value=mark.value,
                           reason=_reason(reason))

    @event("MarkRemoved")
    def _mark_removed(self, mark_id: UUID, student_id: UUID, value: str, reason: str) -> None:
        del self.marks[mark_id]

    # --- the journal: attendance -------------------------------------------------------

    def record_attendance(self, student_id: UUID, status: Attendance, roster: Set[UUID]) -> None:
        """The teacher's entry (PRESENT clears an absence)."""
        self._check_open("attendance")
        self._check_in_roster(student_id, roster, "attendance")
        old = self.attendance.get(student_id, AttendanceEntry()).teacher
        if status != (old or Attendance.PRESENT):
            self._attendance_recorded(student_id=student_id, old=old, new=status)

    @event("AttendanceRecorded")
    def _attendance_recorded(
        self, student_id: UUID, old: Attendance | None, new: Attendance
    ) -> None:
        entry = self.attendance.get(student_id, AttendanceEntry())
        self.attendance[student_id] = AttendanceEntry(teacher=new, override=entry.override)

    def override_attendance(
        self, student_id: UUID, status: Attendance, reason: str, roster: Set[UUID]
    ) -> None:
        """An administrator's correction: it wins over the teacher's entry, which is kept."""
        self._check_open("attendance")
        self._check_in_roster(student_id, roster, "attendance")
        old = self.attendance.get(student_id, AttendanceEntry()).override
        if status != old:
            self._attendance_overridden(student_id=student_id, old=old, new=status,
                                        reason=_reason(reason))

    @event("AttendanceOverridden")
    def _attendance_overridden(
        self, student_id: UUID, old: Attendance | None, new: Attendance, reason: str
    ) -> None:
        entry = self.attendance.get(student_id, AttendanceEntry())
        self.attendance[student_id] = AttendanceEntry(teacher=entry.teacher, override=new)

    def withdraw_attendance_override(self, student_id: UUID, reason: str) -> None:
        old = self.attendance.get(student_id, AttendanceEntry()).override
        if old is None:
            raise RuleViolated("the attendance has no override", {"student_id": "no override"})
        self._attendance_override_withdrawn(student_id=student_id, old=old,
                                            reason=_reason(reason))

    @event("AttendanceOverrideWithdrawn")
    def _attendance_override_withdrawn(
        self, student_id: UUID, old: Attendance, reason: str
    ) -> None:
        entry = self.attendance[student_id]
        self.attendance[student_id] = AttendanceEntry(teacher=entry.teacher)

    def attendance_of(self, student_id: UUID) -> Attendance:
        return self.attendance.get(student_id, AttendanceEntry()).effective

