"""The student diary: a student's ISO week, read with one indexed query.

A week holds the lessons of every class and subgroup the student was in on each day (so a
transfer mid-week shows the old class before the move and the new one after), with their
changes applied and described, the student's homework and its status, marks with work type
and weight, and attendance (an override wins). A batch applies its events to the journal
state and writes the pieces a week is made of (projections/diary_weeks.py): an entry per
touched lesson, and the stints of each student whose roster moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from projections.base import Positioned, Projection
from projections.diary_weeks import ENTRY, STINT, assemble, entry, week_params, week_sql
from projections.documents import Row
from projections.journal_state import (
    CHANGES,
    GROUP,
    HOMEWORK,
    JOURNAL,
    LESSON,
    LESSONS,
    NAMES,
    ROSTER,
    STUDENT,
    JournalState,
)
from projections.rosters import lesson_sort, spans, week_bounds
from projections.state import StateDocs
from projections.store import Tx, ViewStore


class Diary(Projection):
    name = "diary"
    version = 2  # 1 kept a ready document per (student, week)
    STATE, WEEKS = "view_diary_state", "view_diary"

    def table_names(self) -> Sequence[str]:
        return (self.STATE, self.WEEKS)

    def index_names(self) -> Sequence[str]:
        return [*StateDocs.index_names(self.table(self.STATE)),
                *StateDocs.index_names(self.table(self.WEEKS))]

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in [*StateDocs.ddl(self.table(self.STATE)),
                          *StateDocs.ddl(self.table(self.WEEKS))]:
            tx.execute(statement)

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs, pieces = StateDocs(tx, self.table(self.STATE)), StateDocs(tx, self.table(self.WEEKS))
        state = JournalState(docs, (ROSTER, LESSONS, CHANGES, JOURNAL, HOMEWORK, NAMES))
        state.apply_all(events)
        lessons = set(state.touched) | self._renamed(state, pieces)
        docs.prefetch(LESSON, lessons)
        found = [doc for lesson_id in sorted(lessons) if (doc := state.lesson(lesson_id))]
        docs.prefetch(GROUP, {doc["group_id"] for doc in found})
        state.prefetch_names({doc["school_id"] for doc in found})
        names = Names(state)
        for doc in found:
            self._entry(state, pieces, doc, names)
        self._stints(state, pieces)
        docs.flush()
        pieces.flush()

    @staticmethod
    def _entry(state: JournalState, pieces: StateDocs, lesson: dict[str, Any],
               names: Names) -> None:
        group = state.docs.doc(GROUP, lesson["group_id"])
        if group is None:  # a lesson of a group the log never opened: not in any diary
            pieces.delete(ENTRY, lesson["id"])
            return
        school_id = lesson["school_id"]
        piece = entry(lesson, group, names.subject(school_id, lesson["subject_id"]),
                      names.work_types(school_id))
        pieces.put(ENTRY, lesson["id"], Row(
            doc=piece,  # type: ignore[arg-type]  # a Struct, encoded as a doc
            school_id=school_id, ref=lesson["group_id"],
            sort=lesson_sort(lesson["day"], lesson["number"])))

    @staticmethod
    def _stints(state: JournalState, pieces: StateDocs) -> None:
        """Each moved student's effective stints in each of their groups."""
        moved = sorted(state.roster_moves)
        state.docs.prefetch(STUDENT, moved)
        groups = {student: list((state.docs.doc(STUDENT, student) or {"groups": []})["groups"])
                  for student in moved}
        state.docs.prefetch(GROUP, {group for ids in groups.values() for group in ids})
        state.docs.prefetch(GROUP, {doc["parent_id"] for ids in groups.values() for group in ids
                                    if (doc := state.docs.doc(GROUP, group)) and doc["parent_id"]})
        for student, group_ids in groups.items():
            for group_id in group_ids:
                group, parent = state.group(group_id)
                stints = spans(group, parent, student) if group else []
                pk = f"{student}:{group_id}"
                if stints:
                    pieces.put(STINT, pk, Row(doc=stints,  # type: ignore[arg-type]
                                              ref=student, sort=group_id))
                else:
                    pieces.delete(STINT, pk)

    @staticmethod
    def _renamed(state: JournalState, pieces: StateDocs) -> set[str]:
        """Lessons that show a subject or work type renamed in this batch."""
        found: set[str] = set()
        for school_id, item_id in sorted(state.renamed):
            found.update(str(pk) for (pk,) in pieces.tx.fetchall(
                f"SELECT pk FROM {pieces.table} WHERE kind = ? AND school_id = ? AND doc LIKE ?",
                (ENTRY, school_id, f'%"{item_id}"%'),
            ))
        return found


class WorkTypes(dict[str, str | None]):
    """A school's work type names, each looked up once a batch: a batch's lessons name the
    same few work types tens of thousands of times."""

    def __init__(self, state: JournalState, school_id: str) -> None:
        super().__init__()
        self.state, self.school_id = state, school_id

    def __missing__(self, kind: str) -> str | None:
        name = self[kind] = (self.state.work_type(self.school_id, kind) or {}).get("name")
        return name


class Names:
    """Subject and work type names as they stand after a batch's events, looked up once."""

    def __init__(self, state: JournalState) -> None:
        self.state = state
        self.subjects: dict[tuple[str, str], str | None] = {}
        self.types: dict[str, WorkTypes] = {}

    def subject(self, school_id: str, subject_id: str) -> str | None:
        key = (school_id, subject_id)
        try:
            return self.subjects[key]
        except KeyError:
            name = self.subjects[key] = self.state.subject_name(school_id, subject_id)
            return name

    def work_types(self, school_id: str) -> WorkTypes:
        found = self.types.get(school_id)
        if found is None:
            found = self.types[school_id] = WorkTypes(self.state, school_id)
        return found


class DiaryQueries:
    def __init__(self, store: ViewStore, table: str = Diary.WEEKS) -> None:
        self.store, self.table = store, table

    def week(self, student_id: str, week: str) -> bytes | None:
        """The week's JSON, spliced from stored pieces; None: no lessons."""
        rows = self.store.fetchall(week_sql(self.table), week_params(student_id, week))
        return assemble(student_id, week, rows) if rows else None

    @staticmethod
    def empty(student_id: str, week: str) -> dict[str, Any]:
        monday = date.fromisoformat(week_bounds(week)[0])
        return {"student_id": student_id, "week": week, "start": monday.isoformat(),
                "end": (monday + timedelta(days=6)).isoformat(), "days": []}
