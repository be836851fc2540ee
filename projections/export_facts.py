"""What the derived export records take from lessons: each lesson's journal by student, and a
group's lessons in a span summed up once for all its students.

A week's statistics of a student are the sums over their lessons; summed per group and span
(a `Block`), the lessons held are counted once for everyone, and each student only adds the
marks and absences they have. A diary entry's lesson fields are encoded once per lesson; each
student's entry only adds their marks, absence and homework (`Facts.diary`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import msgspec

from projections.export_payloads import DiaryHomework, DiaryLesson, DiaryMark
from projections.journal_events import ABSENT, attendance
from projections.rosters import Doc, numeric
from projections.statistics import hundredths
from projections.statistics_queries import ratio

_encode = msgspec.json.Encoder().encode
# Where a student's own fields go in a lesson's diary entry: a byte JSON text never holds.
_GAP = b"\x00"
_HOLE: Any = msgspec.Raw(_GAP)
_NULL, _EMPTY = b"null", b"[]"
Sums = tuple[int, int, int, int, int]  # marks, numeric marks, their total, weighted, weights


class Facts(NamedTuple):
    """A lesson's journal by student, indexed once per batch: their diary entries (one for
    all without marks, absence or homework there), their sums over their marks, and who was
    absent."""

    plain: bytes
    own: dict[str, bytes]
    sums: dict[str, Sums]
    absent: list[str]

    def diary(self, student: str) -> bytes:
        """The student's `DiaryLesson`, byte for byte as msgspec encodes the struct."""
        return self.own.get(student, self.plain)


def encoded_list(items: list[bytes]) -> Any:
    """Encoded items as a JSON array that msgspec writes as it is (in place of a list)."""
    return msgspec.Raw(b"[%s]" % b",".join(items))


def facts_of(lesson: Doc) -> Facts:
    placed: dict[str, list[tuple[str, Doc]]] = {}
    for mark_id, mark in lesson["marks"].items():
        placed.setdefault(mark["student_id"], []).append((mark_id, mark))
    absence: dict[str, bytes] = {}
    absent: list[str] = []
    for student, entry in lesson["attendance"].items():
        status = attendance(entry)
        if status is not None:
            absence[student] = _text(status)
        if status in ABSENT:
            absent.append(student)
    marks = {student: _marks(found) for student, found in placed.items()}
    homework = _homework(lesson)
    head, after_marks, after_absence, tail = _entry(lesson)
    own = {student: b"".join((head, marks.get(student, _EMPTY), after_marks,
                              absence.get(student, _NULL), after_absence,
                              homework.get(student, _EMPTY), tail))
           for student in {*marks, *absence, *homework}}
    return Facts(b"".join((head, _EMPTY, after_marks, _NULL, after_absence, _EMPTY, tail)), own,
                 {student: _sums(found) for student, found in placed.items()}, absent)


def _entry(lesson: Doc) -> tuple[bytes, ...]:
    return tuple(_encode(DiaryLesson(
        lesson_id=lesson["id"], number=lesson["number"], start=lesson["start"],
        end=lesson["end"], subject_id=lesson["subject_id"], group_id=lesson["group_id"],
        teacher_id=lesson["teacher_id"], substitute_id=lesson["substitute_id"],
        room=lesson["room"], topic=lesson["topic"], cancelled=lesson["cancelled"],
        marks=_HOLE, absence=_HOLE, homework=_HOLE)).split(_GAP))


def _marks(placed: list[tuple[str, Doc]]) -> bytes:
    return _encode([DiaryMark(mark_id=mark_id, work_type_id=m["work_type_id"], value=m["value"],
                              weight=m["weight"], late=m["late"]) for mark_id, m in placed])


@lru_cache(maxsize=64)
def _text(status: str) -> bytes:
    return _encode(status)


def _homework(lesson: Doc) -> dict[str, bytes]:
    """Each student's homework of the lesson; students with the same statuses (most: each
    assigned) share one encoding."""
    statuses: dict[str, list[tuple[str, str]]] = {}
    for work in lesson["homework"].values():
        for student, status in work["students"].items():
            statuses.setdefault(student, []).append((work["id"], status))
    encoded: dict[tuple[tuple[str, str], ...], bytes] = {}
    found: dict[str, bytes] = {}
    for student, pairs in statuses.items():
        key = tuple(pairs)
        text = encoded.get(key)
        if text is None:
            text = encoded[key] = _encode([DiaryHomework(homework_id=work_id, status=status)
                                           for work_id, status in pairs])
        found[student] = text
    return found


def _sums(placed: list[tuple[str, Doc]]) -> Sums:
    count = total = weighted = weights = 0
    for _mark_id, mark in placed:
        value = numeric(mark["value"])
        if value is not None:
            weight = hundredths(mark["weight"])
            count, total = count + 1, total + value
            weighted += value * weight
            weights += weight
    return len(placed), count, total, weighted, weights


# Averages of the same few sums again and again: each is a Decimal division.
_ratio = lru_cache(maxsize=1 << 16)(ratio)


@dataclass(slots=True)
class Tally:
    marks: int = 0
    numeric: int = 0
    total: int = 0
    weighted: int = 0
    weights: int = 0
    absences: int = 0
    lessons: int = 0

    def add(self, sums: Sums) -> None:
        self.marks += sums[0]
        self.numeric += sums[1]
        self.total += sums[2]
        self.weighted += sums[3]
        self.weights += sums[4]

    def merge(self, other: Tally) -> None:
        self.marks, self.numeric = self.marks + other.marks, self.numeric + other.numeric
        self.total, self.weighted = self.total + other.total, self.weighted + other.weighted
        self.weights, self.absences = self.weights + other.weights, self.absences + other.absences
        self.lessons += other.lessons

    def line(self) -> dict[str, Any]:
        return {"marks": self.marks, "numeric_marks": self.numeric,
                "average": _ratio(self.total, self.numeric),
                "weighted_average": _ratio(self.weighted, self.weights),
                "absences": self.absences, "lessons": self.lessons}


class Block(NamedTuple):
    """A group's lessons in a span, in order, with their facts, and what the statistics count
    of them: lessons held (not cancelled) per subject, with every subject of the span even if
    none was held; each student's marks and absences on the held ones, per subject."""

    lessons: list[Doc]
    facts: list[Facts]
    held: dict[str, int]
    students: dict[str, dict[str, Tally]]


def block_of(lessons: list[Doc], fact: Callable[[Doc], Facts]) -> Block:
    held: dict[str, int] = {}
    students: dict[str, dict[str, Tally]] = {}
    found = [fact(lesson) for lesson in lessons]
    for lesson, facts in zip(lessons, found, strict=True):
        subject = lesson["subject_id"]
        held[subject] = held.get(subject, 0)
        if lesson["cancelled"]:
            continue
        held[subject] += 1
        for student, sums in facts.sums.items():
            _own(students, student, subject).add(sums)
        for student in facts.absent:
            _own(students, student, subject).absences += 1
    return Block(lessons, found, held, students)


def _own(students: dict[str, dict[str, Tally]], student: str, subject: str) -> Tally:
    by_subject = students.setdefault(student, {})
    found = by_subject.get(subject)
    if found is None:
        found = by_subject[subject] = Tally()
    return found


def tally(blocks: list[Block], student: str) -> dict[str, Tally]:
    """The student's statistics per subject over their blocks (every subject of them)."""
    by_subject: dict[str, Tally] = {}
    for block in blocks:
        own = block.students.get(student, {})
        for subject, held in block.held.items():
            found = by_subject.get(subject)
            if found is None:
                found = by_subject[subject] = Tally()
            found.lessons += held
            if subject in own:
                found.merge(own[subject])
    return by_subject


def total(by_subject: dict[str, Tally]) -> Tally:
    found = Tally()
    for one in by_subject.values():
        found.merge(one)
    return found
