"""Statistics: the facts weekly, period and class statistics are summed from, in SQL.

Per lesson: its row (group, subject, day, cancelled), its marks (a five-point value as a
number, '5-' and '4+' as 5 and 4, other marks as NULL; the weight in hundredths, so sums are
exact) and its absences. Per student: the stints in each group (a subgroup's clipped to its
class's). A touched lesson or a moved student has its rows rewritten whole, so the facts are
a pure function of the journal state and a rebuild gives the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# A mark's value as a number, by value (a scale has a handful of values; `numeric` once each).
_NUMERIC: dict[str, int | None] = {}


def _numeric(value: str) -> int | None:
    try:
        return _NUMERIC[value]
    except KeyError:
        number = _NUMERIC[value] = numeric(value)
        return number


def lesson_rows(lesson_id: str, doc: Doc | None) -> tuple[Rows, Rows, Rows]:
    """A lesson's row, its marks' rows and its absences' rows (none without a lesson)."""
    if doc is None:
        return [], [], []
    class_id, subject_id, day = doc["class_id"], doc["subject_id"], doc["day"]
    return (
        [(lesson_id, doc["school_id"], class_id, doc["group_id"], subject_id, day,
          int(doc["cancelled"]))],
        [(mark_id, lesson_id, mark["student_id"], class_id, subject_id, day,
          _numeric(mark["value"]), hundredths(mark["weight"]))
         for mark_id, mark in doc["marks"].items()],
        [(lesson_id, student, status) for student, entry in doc["attendance"].items()
         if (status := attendance(entry)) in ABSENT],
    )


class Facts:
    """The three fact tables of lessons, each a `Diffs` owned by the lesson."""

    def __init__(self, tx: Tx, table: Callable[[str], str]) -> None:
        self.lessons, self.marks, self.absences = (
            Diffs(tx, table(name), "lesson_id", COLUMNS[name], KEYS[name])
            for name in ("view_stats_lessons", "view_stats_marks", "view_stats_absences"))

    def known(self, lesson_id: str, doc: Doc | None) -> None:
        """A lesson's rows as stored (its state before the batch; None: it has none)."""
        lessons, marks, absences = lesson_rows(lesson_id, doc) if doc is not None else _NONE
        self.lessons.known(lesson_id, lessons)
        self.marks.known(lesson_id, marks)
        self.absences.known(lesson_id, absences)

    def replace(self, lesson_id: str, doc: Doc) -> None:
        lessons, marks, absences = lesson_rows(lesson_id, doc)
        self.lessons.replace(lesson_id, lessons)
        self.marks.replace(lesson_id, marks)
        self.absences.replace(lesson_id, absences)

    def flush(self) -> None:
        self.lessons.flush()
        self.marks.flush()
        self.absences.flush()


_NONE: tuple[Rows, Rows, Rows] = ([], [], [])


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
        facts = Facts(tx, self.table)
        state.prefetch(events)
        for lesson_id in docs.cached.get(LESSON, ()):  # as stored: the rows there now
            facts.known(lesson_id, docs.doc(LESSON, lesson_id))
        state.apply_each(events)
        state.finish()
        for lesson_id in state.touched:
            doc = state.lesson(lesson_id)
            if doc is not None:
                facts.replace(lesson_id, doc)
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
        facts.flush()
        stints.flush()
        docs.flush()
