"""Which derived records an event touches: statistics, diaries, lesson counts.

Each event says which keys it touches, worked out on the journal state right after it (the
roster of a lesson's group on its day, the periods of its year), with its position. At the
end of the batch `export_summaries` recomputes every touched key from the state and writes it
with the last position that touched it (an empty one as a tombstone). So a record is the same
whatever the batch boundaries were: a rebuild from 0 gives the live rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import islice
from typing import Any
from uuid import UUID

from domain.calendar import academic_year_id
from projections.journal_catalogues import YEAR
from projections.journal_state import GROUP, LESSON, STUDENT, JournalState
from projections.rosters import FAR, Doc, day_key, iso_week, roster_on

StatsKey = tuple[str, str, str]  # school, student, week
SubjectKey = tuple[str, str, str, str]  # school, student, week, subject
PeriodKey = tuple[str, str, int, int]  # school, student, academic year, period number
CountKey = tuple[str, str, int, int]  # group, subject, academic year, period number
MAX_PERIODS = 4  # quarters


@lru_cache(maxsize=4096)
def year_id(school_id: str, year: int) -> str:
    return str(academic_year_id(UUID(school_id), year))


class Touches:
    """The derived keys touched in a batch, each with the last position that touched it."""

    def __init__(self, state: JournalState) -> None:
        self.state = state
        self.diaries: dict[StatsKey, int] = {}
        self.weeks: dict[StatsKey, int] = {}
        self.subjects: dict[SubjectKey, int] = {}
        self.periods: dict[PeriodKey, int] = {}
        self.counts: dict[CountKey, int] = {}
        # (group, day) -> its roster that day; cleared when a roster moves (`roster_changed`)
        self.rosters: dict[tuple[str, str], list[str]] = {}
        # (group, day, school, rest) -> (school, student, *rest) for each student of its roster:
        # a lesson touching its whole roster sets them with one C-level update per kind
        self.roster_keys: dict[tuple[str, str, str, tuple[Any, ...]], list[Any]] = {}
        self.numbers: dict[tuple[str, int, str], int | None] = {}  # `period_number`s
        # The state's changed lessons by group (`JournalState.pending`), indexed as they come
        self.changed: dict[str, list[str]] = {}
        self.indexed = 0

    def roster_changed(self) -> None:
        """A roster moved: the rosters cached, and the keys made of them, may be stale."""
        self.rosters.clear()
        self.roster_keys.clear()

    def year_changed(self) -> None:
        """A year's periods may have changed."""
        self.numbers.clear()

    def periods_of(self, school_id: str, year: int) -> list[Doc]:
        doc = self.state.docs.doc(YEAR, year_id(school_id, year))
        return list(doc["periods"]) if doc else []

    def period_number(self, school_id: str, year: int, day: str) -> int | None:
        key = (school_id, year, day)
        if key not in self.numbers:
            self.numbers[key] = next((number for number, period in enumerate(
                self.periods_of(school_id, year), 1) if period["start"] <= day <= period["end"]),
                None)
        return self.numbers[key]

    def lesson(self, doc: Doc, students: Iterable[str] | None, position: int,
               stats: bool) -> None:
        """A lesson changed for some students (None: the group's roster on its day); with
        `stats`, in what the statistics count, else only in what the diary shows."""
        if students is None:
            self._whole(doc, position, stats)
            return
        day, school, week = doc["day"], doc["school_id"], iso_week(doc["day"])
        students = list(students)
        for student in students:
            self.diaries[(school, student, week)] = position
        if not stats:
            return
        number = self.period_number(school, doc["year"], day)
        for student in students:
            self.weeks[(school, student, week)] = position
            self.subjects[(school, student, week, doc["subject_id"])] = position
            if number is not None:
                self.periods[(school, student, doc["year"], number)] = position

    def _whole(self, doc: Doc, position: int, stats: bool) -> None:
        """`lesson` for the group's roster on the lesson's day."""
        group, day, school, week = doc["group_id"], doc["day"], doc["school_id"], iso_week(
            doc["day"])
        weekly = self._keys(group, day, school, (week,))
        self.diaries.update(dict.fromkeys(weekly, position))
        if not stats:
            return
        self.weeks.update(dict.fromkeys(weekly, position))
        self.subjects.update(dict.fromkeys(
            self._keys(group, day, school, (week, doc["subject_id"])), position))
        number = self.period_number(school, doc["year"], day)
        if number is not None:
            self.periods.update(dict.fromkeys(
                self._keys(group, day, school, (doc["year"], number)), position))
            self.counts[(group, doc["subject_id"], doc["year"], number)] = position

    def _keys(self, group_id: str, day: str, school: str, rest: tuple[Any, ...]) -> list[Any]:
        """(school, student, *rest) for each student of the group's roster on `day`."""
        key = (group_id, day, school, rest)
        found = self.roster_keys.get(key)
        if found is None:
            found = self.roster_keys[key] = [(school, student, *rest)
                                             for student in self._roster(group_id, day)]
        return found

    def _roster(self, group_id: str, day: str) -> list[str]:
        found = self.rosters.get((group_id, day))
        if found is None:
            group, parent = self.state.group(group_id)
            found = self.rosters[(group_id, day)] = roster_on(group, parent, day) if group else []
        return found

    def roster_moved(self, student: str, day: str, position: int) -> None:
        """From `day` on, the student may have other lessons in any of their groups."""
        groups = (self.state.docs.doc(STUDENT, student) or {"groups": []})["groups"]
        for group_id in groups:
            for doc in self.lessons_of(group_id, day, FAR):
                self.lesson(doc, (student,), position, stats=True)

    def periods_changed(self, year: Doc, position: int) -> None:
        """Every count and period statistic of the school's year, up to the most periods."""
        school, academic_year, docs = year["school_id"], year["year"], self.state.docs
        groups = {str(pk) for (pk,) in docs.tx.fetchall(
            f"SELECT pk FROM {docs.table} WHERE kind = ? AND school_id = ?", (GROUP, school))}
        groups.update(pk for pk in docs.cached.get(GROUP, ())
                      if (row := docs.rows.get((GROUP, pk))) and row.school_id == school)
        for group_id in sorted(groups):
            group = docs.doc(GROUP, group_id)
            if group is None or group["year"] != academic_year:
                continue
            subjects = {doc["subject_id"] for doc in self.lessons_of(group["id"], "", FAR)}
            if not subjects:
                continue  # no lessons yet: nothing counted, nothing to recount
            for number in range(1, MAX_PERIODS + 1):
                for subject in subjects:
                    self.counts[(group["id"], subject, academic_year, number)] = position
                for student in group["roster"]:
                    self.periods[(school, student, academic_year, number)] = position
            for doc in self.lessons_of(group["id"], "", FAR):
                self.lesson(doc, None, position, stats=True)

    def lessons_of(self, group_id: str, lo: str, hi: str) -> list[Doc]:
        """The group's lessons with lo <= day < hi as they stand now (changed ones included)."""
        docs, pending = self.state.docs, self.state.pending
        found = {pk: row.doc for pk, row in docs.in_range(LESSON, group_id, day_key(lo),
                                                          day_key(hi))}
        found.update((pk, pending[pk]) for pk in self._changed(group_id))
        return [doc for _pk, doc in sorted(found.items())
                if lo <= doc["day"] < hi and doc["group_id"] == group_id]

    def _changed(self, group_id: str) -> list[str]:
        """Pks of the group's changed lessons. The state's only grow while the batch's events
        are applied (a lesson keeps its group), so each is indexed once, not scanned for each
        group; `finish` empties them, and the index with them."""
        pending = self.state.pending
        if len(pending) < self.indexed:
            self.changed.clear()
            self.indexed = 0
        if len(pending) > self.indexed:  # islice walks the indexed ones again
            for pk, doc in islice(pending.items(), self.indexed, None):
                self.changed.setdefault(doc["group_id"], []).append(pk)
            self.indexed = len(pending)
        return self.changed.get(group_id, [])

    def __bool__(self) -> bool:
        return bool(self.diaries or self.weeks or self.subjects or self.periods or self.counts)
