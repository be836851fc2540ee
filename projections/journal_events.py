"""How lesson and homework events read on the read side: change records, statuses, text forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.deadlines import as_aware

Doc = dict[str, Any]


# UUID text by the UUID's integer: a batch names the same lessons, marks and students again
# and again, in each projection in turn. Keyed by `.int`, so a hit costs no Python-level
# UUID.__hash__/__eq__ (an lru_cache on the UUID paid both, and UUID.__str__ on every miss).
_TEXT: dict[int, str] = {}
_TEXT_LIMIT = 1 << 18  # entries (a year of a 1,000-student school names ~170,000 ids): a bound
# on the memory (about 45 MB); cleared when full


def sid(value: UUID) -> str:
    """An id as text, cached."""
    try:
        return _TEXT[value.int]
    except KeyError:
        if len(_TEXT) >= _TEXT_LIMIT:
            _TEXT.clear()
        text = _TEXT[value.int] = str(value)
        return text
    except AttributeError:  # not a UUID (an id given as text)
        return str(value)


def s(value: object) -> str | None:
    """An id (or enum) as text; None stays None."""
    return None if value is None else str(value)


# Instants' text by the instant: each journal projection in turn writes the same mark's and
# change's times. Equal datetimes are one instant, and so one text, but for two of the same
# zone that differ only in `fold` (equal, yet an hour apart): fold 1 is never cached.
_ISO: dict[datetime, str] = {}


def iso(moment: datetime) -> str:
    """An instant in UTC, ISO 8601: the same text whatever zone the clock was read in."""
    if moment.fold:
        return as_aware(moment).astimezone(UTC).isoformat()
    try:
        return _ISO[moment]
    except KeyError:
        if len(_ISO) >= _TEXT_LIMIT:
            _ISO.clear()
        text = _ISO[moment] = as_aware(moment).astimezone(UTC).isoformat()
        return text


@lru_cache(maxsize=256)
def _naive_hm(value: time) -> str:
    return value.isoformat(timespec="minutes")


def hm(value: time) -> str:
    """'08:30'; a bell's time is naive, and naive times equal as values read the same."""
    return _naive_hm(value) if value.tzinfo is None else value.isoformat(timespec="minutes")


# A lesson change event -> (kind, old values, new values); the new values are the lesson's.
CHANGE_KINDS: dict[str, Callable[[Any], tuple[str, Doc, Doc]]] = {
    "Lesson.TeacherSubstituted": lambda e: (
        "substitution", {"substitute_id": s(e.old_substitute_id)},
        {"substitute_id": s(e.new_substitute_id)}),
    "Lesson.Cancelled": lambda e: ("cancellation", {"cancelled": False}, {"cancelled": True}),
    "Lesson.Reinstated": lambda e: ("reinstatement", {"cancelled": True}, {"cancelled": False}),
    "Lesson.RoomChanged": lambda e: ("room", {"room": e.old_room}, {"room": e.new_room}),
    "Lesson.TimeChanged": lambda e: (
        "time", {"number": e.old_number, "start": hm(e.old_start), "end": hm(e.old_end)},
        {"number": e.new_number, "start": hm(e.new_start), "end": hm(e.new_end)}),
    "Lesson.SubjectChanged": lambda e: (
        "subject", {"subject_id": s(e.old_subject_id)}, {"subject_id": s(e.new_subject_id)}),
    "Lesson.Moved": lambda e: (
        "move", {"day": e.old_day.isoformat()}, {"day": e.new_day.isoformat()}),
}

# A step of a student's homework -> the status it leaves (None: a comment only).
STEP_STATUS: dict[str, str | None] = {
    "Homework.WorkStarted": "in_progress",
    "Homework.WorkSubmitted": "submitted",
    "Homework.WorkChecked": "checked",
    "Homework.ReturnedForRework": "returned",
    "Homework.CommentAdded": None,
}
COMMENTED = frozenset({"Homework.ReturnedForRework", "Homework.CommentAdded"})
ABSENT = frozenset({"absent", "ill", "excused"})  # «н», «б», «уп»; «оп» (late) is present


def attendance(entry: Doc | None) -> str | None:
    """The effective attendance (override wins); None when present or not recorded."""
    if not entry:
        return None
    status = entry.get("override") or entry.get("teacher")
    return None if status in (None, "present") else str(status)
