"""ClassSchedule: the lessons of a class and its subgroups by day and number.

It is the index the write side needs to cancel a class's lessons for a date range in one
save, and it keeps two lessons of one group (or a class lesson and a subgroup lesson) from
taking the same number on the same day.
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/class-schedule")


class Booking(msgspec.Struct, frozen=True):
    lesson_id: UUID
    group_id: UUID
    day: date
    number: int


class TimetableSlot(msgspec.Struct, frozen=True, kw_only=True):
    """A weekly lesson: ISO weekday (1 Monday .. 7 Sunday) and number, for the class or one
    of its subgroups (`group_id`); no `teacher_id`: the one assigned to the subject."""

    weekday: int
    number: int
    subject_id: UUID
    group_id: UUID | None = None
    teacher_id: UUID | None = None
    room: str | None = None
    shift: int = 1


class ClassSchedule(JournalAggregate):
    """One per class; a cancelled lesson gives its place up, a reinstated one takes it back."""

    @staticmethod
    def create_id(class_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(class_id))

    @event("Opened")
    def __init__(self, school_id: UUID, class_id: UUID) -> None:
        self.school_id = school_id
        self.class_id = class_id
        self.bookings: dict[UUID, Booking] = {}
        self.by_day: dict[date, set[UUID]] = {}

    def clash(self, group_id: UUID, day: date, number: int, lesson_id: UUID) -> Booking | None:
        """A booked lesson at that place that this one would collide with."""
        for other_id in self.by_day.get(day, ()):
            other = self.bookings[other_id]
            if other.lesson_id == lesson_id or other.number != number:
                continue
            if self.class_id in (group_id, other.group_id) or group_id == other.group_id:
                return other
        return None

    def _check_free(self, group_id: UUID, day: date, number: int, lesson_id: UUID) -> None:
        if self.clash(group_id, day, number, lesson_id) is not None:
            raise RuleViolated(
                f"lesson {number} on {day:%d.%m.%Y} is already taken for this group",
                {"number": "taken on that day"},
            )

    def place(self, lesson_id: UUID, group_id: UUID, day: date, number: int) -> None:
        """Book a new or reinstated lesson, or follow one that moved or changed its number."""
        booking = Booking(lesson_id, group_id, day, number)
        if self.bookings.get(lesson_id) == booking:
            return
        self._check_free(group_id, day, number, lesson_id)
        self._lesson_booked(booking=booking)

    @event("LessonBooked")
    def _lesson_booked(self, booking: Booking) -> None:
        self._forget(booking.lesson_id)
        self.bookings[booking.lesson_id] = booking
        self.by_day.setdefault(booking.day, set()).add(booking.lesson_id)

    def release(self, lesson_id: UUID) -> None:
        if lesson_id in self.bookings:
            self._lesson_released(lesson_id=lesson_id)

    @event("LessonReleased")
    def _lesson_released(self, lesson_id: UUID) -> None:
        self._forget(lesson_id)

    def _forget(self, lesson_id: UUID) -> None:
        booking = self.bookings.pop(lesson_id, None)
        if booking is not None:
            self.by_day[booking.day].discard(lesson_id)
            if not self.by_day[booking.day]:
                del self.by_day[booking.day]

    def lessons_between(self, start: date, end: date) -> list[UUID]:
        """Booked (not cancelled) lessons from `start` to `end` inclusive, in time order."""
        found = [
            self.bookings[lesson_id]
            for day, lesson_ids in self.by_day.items()
            if start <= day <= end
            for lesson_id in lesson_ids
        ]
        found.sort(key=lambda booking: (booking.day, booking.number, str(booking.lesson_id)))
        return [booking.lesson_id for booking in found]
