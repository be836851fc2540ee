"""The student diary: one ready JSON document per (student, ISO week), read with one lookup.

A week holds the lessons of every class and subgroup the student was in on each day (so a
transfer mid-week shows the old class before the move and the new one after), with their
changes applied and described, the student's homework and its status, marks with work type
and weight, and attendance (an override wins). A batch applies its events to the journal
state, works out which (student, week) documents they can change, and rebuilds just those.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from projections.base import Positioned, Projection
from projections.diary_weeks import WEEK, WeekBuilder
from projections.documents import DocumentTable
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
from projections.rosters import FAR, day_key, iso_week, roster_on, week_bounds
from projections.state import StateDocs, chunks, marks
from projections.store import Tx, ViewStore

Key = tuple[str, str]  # (student, week)


class Diary(Projection):
    name = "diary"
    version = 1
    STATE, WEEKS = "view_diary_state", "view_diary"

    def table_names(self) -> Sequence[str]:
        return (self.STATE, self.WEEKS)

    def index_names(self) -> Sequence[str]:
        return [*StateDocs.index_names(self.table(self.STATE)),
                *DocumentTable.index_names(self.table(self.WEEKS))]

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in [*StateDocs.ddl(self.table(self.STATE)),
                          *DocumentTable.ddl(self.table(self.WEEKS))]:
            tx.execute(statement)

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs, weeks = StateDocs(tx, self.table(self.STATE)), StateDocs(tx, self.table(self.WEEKS))
        state = JournalState(docs, (ROSTER, LESSONS, CHANGES, JOURNAL, HOMEWORK, NAMES))
        state.apply_all(events)
        dirty = self._lessons_dirty(state) | self._rosters_dirty(state, weeks)
        dirty |= self._renames_dirty(state, weeks)
        WeekBuilder(state, weeks).rebuild(dirty)
        docs.flush()
        weeks.flush()

    def _lessons_dirty(self, state: JournalState) -> set[Key]:
        """Who had or has each touched lesson, in the week of each day it held."""
        places = [place for lesson in state.touched for place in state.places[lesson]]
        state.docs.prefetch(GROUP, {group for group, _day in places})
        state.docs.prefetch(GROUP, {doc["parent_id"] for group, _day in places
                                    if (doc := state.docs.doc(GROUP, group)) and doc["parent_id"]})
        dirty: set[Key] = set()
        rosters: dict[tuple[str, str], list[str]] = {}
        for lesson_id, students in state.touched.items():
            for group_id, day in state.places[lesson_id]:
                if students is None and (group_id, day) not in rosters:
                    group, parent = state.group(group_id)
                    rosters[(group_id, day)] = roster_on(group, parent, day) if group else []
                week = iso_week(day)
                dirty.update((student, week) for student in (
                    rosters[(group_id, day)] if students is None else students))
        return dirty

    def _rosters_dirty(self, state: JournalState, weeks: StateDocs) -> set[Key]:
        """From the day a student's roster moved: the weeks they have, and may now have."""
        moves = state.roster_moves
        dirty: set[Key] = set()
        for chunk in chunks(sorted(moves)):
            for ref, sort in weeks.tx.fetchall(
                f"SELECT ref, sort FROM {weeks.table} "
                f"WHERE kind = ? AND ref IN ({marks(len(chunk))})", (WEEK, *chunk),
            ):
                if sort >= iso_week(moves[ref]):
                    dirty.add((ref, sort))
        state.docs.prefetch(STUDENT, moves)
        for student, day in moves.items():
            for group_id in (state.docs.doc(STUDENT, student) or {"groups": []})["groups"]:
                for _pk, row in state.docs.in_range(LESSON, group_id, day_key(day), day_key(FAR)):
                    dirty.add((student, iso_week(row.doc["day"])))
        return dirty

    def _renames_dirty(self, state: JournalState, weeks: StateDocs) -> set[Key]:
        dirty: set[Key] = set()
        for school_id, item_id in sorted(state.renamed):
            for (pk,) in weeks.tx.fetchall(
                f"SELECT pk FROM {weeks.table} WHERE kind = ? AND school_id = ? AND doc LIKE ?",
                (WEEK, school_id, f'%"{item_id}"%'),
            ):
                student, _, week = str(pk).partition(":")
                dirty.add((student, week))
        return dirty


class DiaryQueries:
    def __init__(self, store: ViewStore, table: str = Diary.WEEKS) -> None:
        self.store, self.table = store, table

    def week(self, student_id: str, week: str) -> bytes | None:
        """The stored JSON of the week as is (served without decoding); None: no lessons."""
        row = self.store.fetchone(f"SELECT doc FROM {self.table} WHERE kind = ? AND pk = ?",
                                  (WEEK, f"{student_id}:{week}"))
        return str(row[0]).encode() if row else None

    @staticmethod
    def empty(student_id: str, week: str) -> dict[str, Any]:
        monday = date.fromisoformat(week_bounds(week)[0])
        return {"student_id": student_id, "week": week, "start": monday.isoformat(),
                "end": (monday + timedelta(days=6)).isoformat(), "days": []}
