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

from collections.abc import Mapping
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


class Lesson(msgspec.Struct):
    """An entry's shared JSON object, key for key (a struct: encoded twice as fast as a
    dict of the same keys, and a catch-up encodes one per lesson a batch touches)."""

    lesson_id: str
    school_id: str
    number: int
    start: str
    end: str
    subject_id: str
    subject: str | None
    group_id: str
    group: str
    class_id: str
    teacher_id: str
    substitute_id: str | None
    room: str | None
    topic: str | None
    cancelled: bool
    cancel_reason: str | None
    moved_from: str | None
    move_reason: str | None
    changes: list[Any]


class Mark(msgspec.Struct):
    """A mark as a student's diary shows it (the JSON object, key for key)."""

    mark_id: str
    value: str
    work_type_id: str
    work_type: str | None
    weight: str
    late: bool


_entry_decoder = msgspec.json.Decoder(Entry)
_spans_decoder = msgspec.json.Decoder(list[tuple[str, str | None]])
_UNCHANGED = ("assigned", 0)


def _work(work: Doc) -> Work:
    """A homework's stored piece: its JSON before and after the student's own keys."""
    head = _encode({
        "homework_id": work["id"], "text": work["text"], "file_ids": work["file_ids"],
        "due_date": work["due_date"], "due_lesson_id": work["due_lesson_id"],
        "individual": work["individual"]})
    tail = _encode({
        "duration_minutes": work["duration_minutes"], "needs_checking": work["needs_checking"],
        "result_file_required": work["result_file_required"]})
    students, comments = work["students"], work["comments"]
    changed: dict[str, tuple[str, int]]
    if comments:
        changed = {}
        for student, status in students.items():
            mine = (status, comments.get(student, 0))
            if mine != _UNCHANGED:
                changed[student] = mine
    else:  # the common case: no comments, so only a status other than assigned counts
        changed = {student: (status, 0) for student, status in students.items()
                   if status != "assigned"}
    return Work(msgspec.Raw(head), msgspec.Raw(tail), " ".join(students), changed)


# An attendance status's JSON, by status (a handful of them, met in every lesson).
_ATTENDANCE: dict[str, msgspec.Raw] = {}


def _attendance(status: str) -> msgspec.Raw:
    raw = _ATTENDANCE.get(status)
    if raw is None:
        raw = _ATTENDANCE[status] = msgspec.Raw(_encode(status))
    return raw


def entry(lesson: Doc, group: Doc, subject: str | None,
          work_types: Mapping[str, str | None]) -> Entry:
    """The stored entry of a lesson; `work_types[work_type_id]` names a mark's work type."""
    marks: dict[str, list[Mark]] = {}
    for mark_id, mark in lesson["marks"].items():
        kind = mark["work_type_id"]
        item = Mark(mark_id, mark["value"], kind, work_types[kind], mark["weight"],
                    mark["late"])
        mine = marks.get(mark["student_id"])
        if mine is None:
            marks[mark["student_id"]] = [item]
        else:
            mine.append(item)
    moved = lesson["day"] != lesson["original_day"]
    base = Lesson(
        lesson["id"], lesson["school_id"], lesson["number"], lesson["start"], lesson["end"],
        lesson["subject_id"], subject, lesson["group_id"], group["name"], lesson["class_id"],
        lesson["teacher_id"], lesson["substitute_id"], lesson["room"], lesson["topic"],
        lesson["cancelled"], lesson["cancel_reason"],
        lesson["original_day"] if moved else None, lesson["move_reason"], lesson["changes"])
    attendance = {}
    for student, value in lesson["attendance"].items():
        status = effective(value)
        if status is not None:
            attendance[student] = _attendance(status)
    return Entry(lesson["day"], lesson["number"], lesson["start"], lesson["id"],
                 msgspec.Raw(_encode(base)),
                 {k: msgspec.Raw(_encode(v)) for k, v in marks.items()},
                 [_work(work) for work in lesson["homework"].values()], attendance)


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
