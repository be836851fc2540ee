"""The diary's stored pieces, and a student's week assembled from them with one query.

A week document repeats each lesson for every student of the class (and is ~14 KB), so
keeping weeks ready meant rewriting every touched student's week on each batch: most of the
cost of catching up. The diary keeps instead, in its served table:

- an `entry` per lesson (ref: its group, sort: day and number): the lesson's shared JSON, and
  each student's marks, homework statuses and attendance as ready JSON pieces;
- a `stint` per (student, group) (ref: the student, sort: the group): the student's effective
  stints in the group (a subgroup's clipped to its class's).

A batch writes only the lessons it touched and the stints of students whose roster moved. A
read joins the student's stints to the entries of their groups in the week (one indexed query)
and splices the pieces: the bytes are exactly those of the week document, never re-encoded
from dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

import msgspec

from projections.journal_events import attendance as effective
from projections.rosters import Doc, day_key, week_bounds

ENTRY, STINT = "entry", "stint"
_encode = msgspec.json.encode
_NONE = b"[]"
_NULL = b"null"


class Work(msgspec.Struct, array_like=True):
    """One homework of a lesson: its JSON around the student's own status and comments."""

    head: msgspec.Raw  # {"homework_id": ..., "individual": ...}: the keys before "status"
    tail: msgspec.Raw  # {"duration_minutes": ..., ...}: the keys after "comments"
    students: str  # who it is for, space-separated (a substring test finds a student)
    changed: dict[str, tuple[str, int]]  # student -> (status, comments), unless (assigned, 0)


class Entry(msgspec.Struct, array_like=True):
    """A lesson as every student of it sees it, but for their own pieces (stored as a JSON
    array: decoding it is most of a read's work, so it is kept small)."""

    day: str
    number: int
    start: str
    id: str
    base: msgspec.Raw  # the lesson's shared JSON object
    marks: dict[str, msgspec.Raw]  # student -> their marks (a JSON list), if any
    homework: list[Work]
    attendance: dict[str, msgspec.Raw]  # student -> their attendance, when not present


_entry_decoder = msgspec.json.Decoder(Entry)
_spans_decoder = msgspec.json.Decoder(list[tuple[str, str | None]])
_UNCHANGED = ("assigned", 0)


def _split(doc: Doc, first_tail_key: str) -> tuple[bytes, bytes]:
    """A dict's JSON as two objects: the keys before `first_tail_key`, and from it on."""
    keys = list(doc)
    cut = keys.index(first_tail_key)
    return (_encode({k: doc[k] for k in keys[:cut]}),
            _encode({k: doc[k] for k in keys[cut:]}))


def entry(lesson: Doc, group: Doc, subject: str | None,
          work_type: Callable[[str], str | None]) -> Entry:
    """The stored entry of a lesson; `work_type(work_type_id)` names a mark's work type."""
    school_id = lesson["school_id"]
    marks: dict[str, list[Doc]] = {}
    for mark_id, mark in lesson["marks"].items():
        kind = mark["work_type_id"]
        marks.setdefault(mark["student_id"], []).append({
            "mark_id": mark_id, "value": mark["value"], "work_type_id": kind,
            "work_type": work_type(kind), "weight": mark["weight"], "late": mark["late"]})
    works = []
    for work in lesson["homework"].values():
        head, tail = _split({
            "homework_id": work["id"], "text": work["text"], "file_ids": work["file_ids"],
            "due_date": work["due_date"], "due_lesson_id": work["due_lesson_id"],
            "individual": work["individual"],
            "duration_minutes": work["duration_minutes"],
            "needs_checking": work["needs_checking"],
            "result_file_required": work["result_file_required"]}, "duration_minutes")
        comments = work["comments"]
        changed = {}
        for student, status in work["students"].items():
            mine = (status, comments.get(student, 0))
            if mine != _UNCHANGED:
                changed[student] = mine
        works.append(Work(msgspec.Raw(head), msgspec.Raw(tail), " ".join(work["students"]),
                          changed))
    moved = lesson["day"] != lesson["original_day"]
    base = {
        "lesson_id": lesson["id"], "school_id": school_id, "number": lesson["number"],
        "start": lesson["start"], "end": lesson["end"], "subject_id": lesson["subject_id"],
        "subject": subject, "group_id": lesson["group_id"], "group": group["name"],
        "class_id": lesson["class_id"], "teacher_id": lesson["teacher_id"],
        "substitute_id": lesson["substitute_id"], "room": lesson["room"],
        "topic": lesson["topic"], "cancelled": lesson["cancelled"],
        "cancel_reason": lesson["cancel_reason"],
        "moved_from": lesson["original_day"] if moved else None,
        "move_reason": lesson["move_reason"], "changes": lesson["changes"],
    }
    attendance = {}
    for student, value in lesson["attendance"].items():
        status = effective(value)
        if status is not None:
            attendance[student] = msgspec.Raw(_encode(status))
    return Entry(lesson["day"], lesson["number"], lesson["start"], lesson["id"],
                 msgspec.Raw(_encode(base)),
                 {k: msgspec.Raw(_encode(v)) for k, v in marks.items()}, works, attendance)


def _homework(parts: list[Any], works: list[Work], student: str) -> None:
    """The student's homework of a lesson (a JSON list), appended to `parts`."""
    first = True
    for work in works:
        if student in work.students:  # ids are all 36 characters: no false match
            status, comments = work.changed.get(student, _UNCHANGED)
            parts += (b"[" if first else b",", memoryview(work.head)[:-1], b',"status":',
                      _STATUS.get(status) or _encode(status), b',"comments":',
                      str(comments).encode(), b",", memoryview(work.tail)[1:])
            first = False
    parts.append(_NONE if first else b"]")


_STATUS = {status: _encode(status) for status in (
    "assigned", "in_progress", "submitted", "checked", "returned")}
_ORDER = attrgetter("day", "number", "start", "id")


def assemble(student: str, week: str, rows: list[tuple[Any, ...]]) -> bytes | None:
    """The week's JSON from the rows of `week_sql`; None when no lesson is the student's.

    A lesson is the student's when they were in its group that day; lessons are ordered by
    day, number, start and id. The JSON is spliced from the stored pieces (`memoryview`s of
    them, joined once): the bytes msgspec would encode from the week's dictionaries."""
    monday, next_monday = week_bounds(week)
    spans: dict[Any, tuple[bool, list[tuple[str, str | None]]]] = {}
    entries: list[tuple[Any, Any]] = []
    # A stint's group and an entry's are of the same type (str, or bytes from PostgreSQL's
    # raw rows): compared as they come.
    for is_entry, group, doc in rows:
        if not int(is_entry):
            stints = _spans_decoder.decode(doc)
            whole = any(lo <= monday and (hi is None or hi >= next_monday) for lo, hi in stints)
            spans[group] = (whole, stints)
        else:
            entries.append((group, doc))
    inside: list[Entry] = []
    decode = _entry_decoder.decode
    for group, doc in entries:
        found = spans.get(group)
        if found is None:
            continue
        item = decode(doc)
        if found[0] or any(lo <= item.day and (hi is None or item.day < hi)
                           for lo, hi in found[1]):
            inside.append(item)
    if not inside:
        return None
    inside.sort(key=_ORDER)
    parts: list[Any] = [
        b'{"student_id":', _encode(student), b',"week":', _encode(week), b',"start":',
        _encode(monday), b',"end":',
        _encode((date.fromisoformat(monday) + timedelta(days=6)).isoformat()), b',"days":[']
    day = None
    for item in inside:
        if item.day != day:
            parts += (b'{"date":' if day is None else b']},{"date":', _encode(item.day),
                      b',"lessons":[')
            day = item.day
        else:
            parts.append(b",")
        marks, attendance = item.marks.get(student), item.attendance.get(student)
        parts += (memoryview(item.base)[:-1], b',"homework":')
        if item.homework:
            _homework(parts, item.homework, student)
        else:
            parts.append(_NONE)
        parts += (b',"marks":', _NONE if marks is None else marks, b',"attendance":',
                  _NULL if attendance is None else attendance, b"}")
    parts.append(b"]}]}")
    return b"".join(parts)


def week_sql(table: str) -> str:
    """The student's stints, and the entries of their groups in a [lo, hi) range of days:
    one round trip (0: a stint row, its group and spans; 1: an entry, its group and doc)."""
    return (f"SELECT 0, sort, doc FROM {table} WHERE kind = '{STINT}' AND ref = ? "
            f"UNION ALL SELECT 1, ref, doc FROM {table} WHERE kind = '{ENTRY}' "
            "AND sort >= ? AND sort < ? "
            f"AND ref IN (SELECT sort FROM {table} WHERE kind = '{STINT}' AND ref = ?)")


def week_params(student: str, week: str) -> tuple[str, str, str, str]:
    monday, next_monday = week_bounds(week)
    return student, day_key(monday), day_key(next_monday), student
