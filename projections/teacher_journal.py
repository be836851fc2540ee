"""The teacher journal: a class (or subgroup) x subject x attestation period grid.

Columns are the lessons held (not cancelled) in the period, rows the students who were in
the group during it, cells their marks and absences, and each row ends with the period mark
of the class's gradebook. The projection keeps lessons keyed by (group, subject) and sorted by
day, so a grid is four indexed reads: the group, its year's periods, the lessons, the gradebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from projections.base import Positioned, Projection
from projections.journal_catalogues import GRADEBOOK, YEAR
from projections.journal_events import attendance
from projections.journal_state import (
    GRADES,
    GROUP,
    JOURNAL,
    LESSON,
    LESSONS,
    ROSTER,
    YEARS,
    JournalState,
)
from projections.rosters import Doc, day_key, member_on, overlaps, spans
from projections.state import StateDocs
from projections.store import Tx, ViewStore, chunks, marks

_decode = msgspec.json.decode


def by_group_and_subject(lesson: Doc) -> str:
    return f"{lesson['group_id']}|{lesson['subject_id']}"


class TeacherJournal(Projection):
    name = "teacher_journal"
    version = 1
    STATE = "view_journal_state"

    def table_names(self) -> Sequence[str]:
        return (self.STATE,)

    def index_names(self) -> Sequence[str]:
        return StateDocs.index_names(self.table(self.STATE))

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in StateDocs.ddl(self.table(self.STATE)):
            tx.execute(statement)

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = StateDocs(tx, self.table(self.STATE))
        state = JournalState(docs, (ROSTER, LESSONS, JOURNAL, YEARS, GRADES),
                             lesson_ref=by_group_and_subject)
        state.apply_all(events)
        docs.flush()


class JournalQueries:
    def __init__(self, store: ViewStore, table: str = TeacherJournal.STATE,
                 registry: str = "view_registry") -> None:
        self.store, self.table, self.registry = store, table, registry

    def _doc(self, kind: str, pk: str) -> Doc | None:
        row = self.store.fetchone(f"SELECT doc FROM {self.table} WHERE kind = ? AND pk = ?",
                                  (kind, pk))
        return _decode(row[0]) if row else None

    def group(self, group_id: str) -> Doc | None:
        return self._doc(GROUP, group_id)

    def periods(self, school_id: str, year: int) -> list[Doc]:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.table} WHERE kind = ? AND ref = ? AND sort = ?",
            (YEAR, school_id, str(year)),
        )
        return list(_decode(row[0])["periods"]) if row else []

    def period(self, school_id: str, year: int, name: str) -> Doc | None:
        wanted = name.strip().lower()
        return next((p for p in self.periods(school_id, year) if p["name"].lower() == wanted),
                    None)

    def grid(self, group: Doc, subject_id: str, period: Doc) -> dict[str, Any]:
        """The grid of a group (from `group`) in a subject over an attestation period."""
        parent = self._doc(GROUP, group["parent_id"]) if group["parent_id"] else None
        class_id = group["parent_id"] or group["id"]
        start, end = period["start"], period["end"]
        lessons = [
            _decode(doc) for (doc,) in self.store.fetchall(
                f"SELECT doc FROM {self.table} WHERE kind = ? AND ref = ? AND sort >= ? "
                "AND sort < ? AND flag = 0 ORDER BY sort, pk",
                (LESSON, f"{group['id']}|{subject_id}", day_key(start), day_key(end) + "99"),
            )
        ]
        gradebook = self.store.fetchone(
            f"SELECT doc FROM {self.table} WHERE kind = ? AND ref = ?",
            (GRADEBOOK, f"{class_id}|{subject_id}"),
        )
        period_marks = (_decode(gradebook[0])["grades"].get(f"period:{period['name']}", {})
                        if gradebook else {})
        students = [s for s in group["roster"] if overlaps(spans(group, parent, s), start, end)]
        names = self._names(students)
        students.sort(key=lambda s: (names.get(s, ""), s))
        return {
            "group_id": group["id"], "group": group["name"], "class_id": class_id,
            "subject_id": subject_id, "period": period,
            "lessons": [{"lesson_id": lesson["id"], "day": lesson["day"],
                         "number": lesson["number"], "topic": lesson["topic"],
                         "teacher_id": lesson["teacher_id"],
                         "substitute_id": lesson["substitute_id"]} for lesson in lessons],
            "rows": [{"student_id": student, "name": names.get(student),
                      "cells": [_cell(lesson, group, parent, student) for lesson in lessons],
                      "period_mark": period_marks.get(student)} for student in students],
        }

    def _names(self, people: list[str]) -> dict[str, str]:
        """'Last First' of each person, from the registries (one query per 500)."""
        names: dict[str, str] = {}
        for chunk in chunks(sorted(people)):
            for pk, doc in self.store.fetchall(
                f"SELECT pk, doc FROM {self.registry} WHERE kind = ? "
                f"AND pk IN ({marks(len(chunk))})", ("person", *chunk),
            ):
                name = _decode(doc).get("name") or {}
                names[str(pk)] = " ".join(filter(None, (name.get("last"), name.get("first"))))
        return names


def _cell(lesson: Doc, group: Doc, parent: Doc | None, student: str) -> dict[str, Any]:
    return {
        "enrolled": member_on(group, parent, student, lesson["day"]),
        "marks": [{"mark_id": mark_id, "value": mark["value"],
                   "work_type_id": mark["work_type_id"], "weight": mark["weight"],
                   "late": mark["late"]}
                  for mark_id, mark in lesson["marks"].items() if mark["student_id"] == student],
        "attendance": attendance(lesson["attendance"].get(student)),
    }
