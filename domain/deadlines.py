"""Deadlines of the seed, in the school's local time (zoneinfo, so DST-proof).

- Marks of «Ответ на уроке», «Поведение», «Работа на уроке», «Наизусть» are due on the
  lesson day by 21:00; in a school working in two shifts, by 13:00 of the next day.
- Homework is on time when published no earlier than 7 days before the lesson and no
  later than 13:00 of the day after it.

Late data is accepted and flagged, never refused: these functions only classify.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.work_types import WorkType

ONE_SHIFT_MARK_DEADLINE = time(21, 0)  # on the lesson day
TWO_SHIFT_MARK_DEADLINE = time(13, 0)  # on the day after the lesson
HOMEWORK_DEADLINE = time(13, 0)  # on the day after the lesson
HOMEWORK_EARLIEST_DAYS = 7  # days before the lesson day, from 00:00


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    TOO_EARLY = "too_early"
    LATE = "late"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return zone(tz) if isinstance(tz, str) else tz


def local_instant(day: date, at: time, tz: ZoneInfo | str) -> datetime:
    """The instant the school's wall clock shows `at` on `day`, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=_zone(tz)).astimezone(UTC)


def as_aware(moment: datetime) -> datetime:
    """A naive timestamp is taken as UTC (the library stamps events in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_date(moment: datetime, tz: ZoneInfo | str) -> date:
    """The school's calendar day at `moment`."""
    return as_aware(moment).astimezone(_zone(tz)).date()


def mark_deadline(lesson_date: date, two_shifts: bool, tz: ZoneInfo | str) -> datetime:
    """21:00 local on the lesson day; 13:00 local the next day in a two-shift school."""
    if two_shifts:
        return local_instant(lesson_date + timedelta(days=1), TWO_SHIFT_MARK_DEADLINE, tz)
    return local_instant(lesson_date, ONE_SHIFT_MARK_DEADLINE, tz)


def is_mark_late(
    work_type: WorkType, lesson_date: date, placed_at: datetime, two_shifts: bool,
    tz: ZoneInfo | str,
) -> bool:
    """Only the four lesson-day work types have a deadline; a mark at the deadline is on time."""
    if not work_type.due_on_lesson_day:
        return False
    return as_aware(placed_at) > mark_deadline(lesson_date, two_shifts, tz)


def homework_window(lesson_date: date, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """From 00:00 local seven calendar days before the lesson to 13:00 local the day after."""
    earliest = local_instant(lesson_date - timedelta(days=HOMEWORK_EARLIEST_DAYS), time(0), tz)
    latest = local_instant(lesson_date + timedelta(days=1), HOMEWORK_DEADLINE, tz)
    return earliest, latest


def homework_timeliness(
    lesson_date: date, published_at: datetime, tz: ZoneInfo | str
) -> Timeliness:
    earliest, latest = homework_window(lesson_date, tz)
    published_at = as_aware(published_at)
    if published_at < earliest:
        return Timeliness.TOO_EARLY
    if published_at > latest:
        return Timeliness.LATE
    return Timeliness.ON_TIME
