"""Statistics: the facts weekly, period and class statistics are summed from, in SQL.

Per lesson: its row (group, subject, day, cancelled), its marks (a five-point value as a
number, '5-' and '4+' as 5 and 4, other marks as NULL; the weight in hundredths, so sums are
exact) and its absences. Per student: the stints in each group (a subgroup's clipped to its
class's). A touched lesson or a moved student has its rows rewritten whole, so the facts are
a pure function of the journal state and a rebuild gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from projections.base import Positioned, Projection
from projections.journal_events import ABSENT, attendance
from projections.journal_state import (
    GROUP,
    JOURNAL,
    LESSON,
    LESSONS,
    NAMES,
    ROSTER,
    STUDENT,
    YEARS,
    JournalState,
)
from projections.rosters import Doc, numeric, spans
from projections.state import Diffs, Rewrites, StateDocs
from projections.store import Tx

TABLES = {
    "view_stats_lessons": (
        "lesson_id TEXT PRIMARY KEY, school_id TEXT NOT NULL, class_id TEXT NOT NULL, "
        "group_id TEXT NOT NULL, subject_id TEXT NOT NULL, day TEXT NOT NULL, "
        "cancelled INTEGER NOT NULL",
        ("group_id, day", "class_id, day")),
    "view_stats_marks": (
        "mark_id TEXT PRIMARY KEY, lesson_id TEXT NOT NULL, student_id TEXT NOT NULL, "
        "class_id TEXT NOT NULL, subject_id TEXT NOT NULL, day TEXT NOT NULL, value INTEGER, "
        "weight INTEGER NOT NULL",
        ("lesson_id", "student_id, day", "class_id, day")),
    "view_stats_absences": (
        "lesson_id TEXT NOT NULL, student_id TEXT NOT NULL, status TEXT NOT NULL, "
        "PRIMARY KEY (lesson_id, student_id)",
        ("student_id",)),
    "view_stats_stints": (
        "student_id TEXT NOT NULL, group_id TEXT NOT NULL, start_day TEXT NOT NULL, "
        "end_day TEXT, class_id TEXT NOT NULL, school_id TEXT NOT NULL, year INTEGER NOT NULL, "
        "PRIMARY KEY (student_id, group_id, start_day)",
        ("group_id", "class_id")),
}
COLUMNS = {
    "view_stats_lessons": ("lesson_id", "school_id", "class_id", "group_id", "subject_id",
                           "day", "cancelled"),
    "view_stats_marks": ("mark_id", "lesson_id", "student_id", "class_id", "subject_id", "day",
                         "value", "weight"),
    "view_stats_absences": ("lesson_id", "student_id", "status"),
    "view_stats_stints": ("student_id", "group_id", "start_day", "end_day", "class_id",
                          "school_id", "year"),
}
KEYS = {"view_stats_lessons": ("lesson_id",), "view_stats_marks": ("mark_id",),
        "view_stats_absences": ("lesson_id", "student_id")}
STATE = "view_stats_state"
Rows = list[tuple[Any, ...]]


@lru_cache(maxsize=256)
def hundredths(weight: str) -> int:
    return int(Decimal(weight) * 100)


def lesson_rows(lesson_id: str, doc: Doc | None) -> tuple[Rows, Rows, Rows]:
    """A lesson's row, its marks' rows and its absences' rows (none without a lesson)."""
    if doc is None:
        return [], [], []
    class_id, subject_id, day = doc["class_id"], doc["subject_id"], doc["day"]
    return (
        [(lesson_id, doc["school_id"], class_id, doc["group_id"], subject_id, day,
          int(doc["cancelled"]))],
        [(mark_id, lesson_id, mark["student_id"], class_id, subject_id, day,
          numeric(mark["value"]), hundredths(mark["weight"]))
         for mark_id, mark in doc["marks"].items()],
        [(lesson_id, student, status) for student, entry in doc["attendance"].items()
         if (status := attendance(entry)) in ABSENT],
    )


class Statistics(Projection):
    name = "statistics"
    version = 1

    def table_names(self) -> Sequence[str]:
        return (STATE, *TABLES)

    def index_names(self) -> Sequence[str]:
        names = list(StateDocs.index_names(self.table(STATE)))
        for table, (_columns, indexes) in TABLES.items():
            names += [f"{self.table(table)}_{n}" for n in range(len(indexes))]
        return names

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in StateDocs.ddl(self.table(STATE)):
            tx.execute(statement)
        for table, (columns, indexes) in TABLES.items():
            name = self.table(table)
            tx.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
            for n, index in enumerate(indexes):
                tx.execute(f"CREATE INDEX IF NOT EXISTS {name}_{n} ON {name} ({index})")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = StateDocs(tx, self.table(STATE))
        state = JournalState(docs, (ROSTER, LESSONS, JOURNAL, YEARS, NAMES))
        facts = [Diffs(tx, self.table(table), "lesson_id", COLUMNS[table], KEYS[table])
                 for table in ("view_stats_lessons", "view_stats_marks", "view_stats_absences")]
        state.prefetch(events)
        for lesson_id in sorted(docs.cached.get(LESSON, ())):  # as stored: the rows there now
            for diffs, rows in zip(facts, lesson_rows(lesson_id, docs.doc(LESSON, lesson_id)),
                                   strict=True):
                diffs.known(lesson_id, rows)
        state.apply_each(events)
        state.finish()
        for lesson_id in state.touched:
            doc = state.lesson(lesson_id)
            if doc is not None:
                for diffs, rows in zip(facts, lesson_rows(lesson_id, doc), strict=True):
                    diffs.replace(lesson_id, rows)
        stints = Rewrites(tx, self.table("view_stats_stints"), "student_id",
                          COLUMNS["view_stats_stints"])
        docs.prefetch(STUDENT, state.roster_moves)
        groups = {student: (docs.doc(STUDENT, student) or {"groups": []})["groups"]
                  for student in state.roster_moves}
        docs.prefetch(GROUP, {group for ids in groups.values() for group in ids})
        for student, group_ids in groups.items():
            rows = []
            for group_id in group_ids:
                group, parent = state.group(group_id)
                if group is not None:
                    class_id = group["parent_id"] or group["id"]
                    rows += [(student, group_id, start, end, class_id, group["school_id"],
                              group["year"]) for start, end in spans(group, parent, student)]
            stints.replace(student, rows)
        for diffs in facts:
            diffs.flush()
        stints.flush()
        docs.flush()
