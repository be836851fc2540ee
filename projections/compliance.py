"""Deadline compliance: marks of the four lesson-day work types and homework, on time or not.

One row per such mark (late or on time, as flagged when it was placed) and per homework (on
time, too early or late, as judged when it was published), with its lesson's school, class,
group, subject and day, and the teacher who kept the lesson then. A touched lesson has its rows
rewritten (only those that changed are written), so a moved lesson carries its items to the new
day and a removed mark leaves. Its state keeps only what the rows need: no attendance, and only
the marks of those four work types.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from uuid import UUID

from domain.work_types import DUE_ON_LESSON_DAY, built_in_work_type_id
from projections.base import Positioned, Projection
from projections.journal_state import HOMEWORK, LESSON, LESSONS, MARKS, JournalState
from projections.rosters import Doc
from projections.state import Diffs, StateDocs
from projections.store import Tx

ROWS, STATE = "view_compliance", "view_compliance_state"
COLUMNS = ("kind", "item_id", "lesson_id", "school_id", "class_id", "group_id", "subject_id",
           "teacher_id", "day", "status", "at")
INDEXES = ("lesson_id", "school_id, day", "teacher_id, day", "class_id, day")


@lru_cache(maxsize=1024)
def due_on_lesson_day(school_id: str) -> frozenset[str]:
    """The ids of a school's four work types with a lesson-day deadline."""
    return frozenset(str(built_in_work_type_id(UUID(school_id), kind))
                     for kind in DUE_ON_LESSON_DAY)


def items(lesson: Doc) -> list[tuple[Any, ...]]:
    """The lesson's rows: its deadline marks and its homework."""
    where = (lesson["id"], lesson["school_id"], lesson["class_id"], lesson["group_id"],
             lesson["subject_id"])
    due = due_on_lesson_day(lesson["school_id"])
    rows: list[tuple[Any, ...]] = [
        ("mark", mark_id, *where, mark["teacher_id"], lesson["day"],
         "late" if mark["late"] else "on_time", mark["at"])
        for mark_id, mark in lesson["marks"].items() if mark["work_type_id"] in due
    ]
    rows += [("homework", work_id, *where, work["teacher_id"], lesson["day"],
              work["timeliness"], work["published_at"])
             for work_id, work in lesson["homework"].items()]
    return rows


class Compliance(Projection):
    name = "compliance"
    version = 2  # 1 kept every mark and attendance in its state

    def table_names(self) -> Sequence[str]:
        return (STATE, ROWS)

    def index_names(self) -> Sequence[str]:
        rows = self.table(ROWS)
        return [*StateDocs.index_names(self.table(STATE)),
                *(f"{rows}_{n}" for n in range(len(INDEXES)))]

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in StateDocs.ddl(self.table(STATE)):
            tx.execute(statement)
        rows = self.table(ROWS)
        columns = ", ".join(f"{column} TEXT NOT NULL" for column in COLUMNS)
        tx.execute(f"CREATE TABLE IF NOT EXISTS {rows} ({columns}, PRIMARY KEY (kind, item_id))")
        for n, index in enumerate(INDEXES):
            tx.execute(f"CREATE INDEX IF NOT EXISTS {rows}_{n} ON {rows} ({index})")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = StateDocs(tx, self.table(STATE))
        # Only what its rows need: no attendance, and marks of the four work types only.
        state = JournalState(docs, (LESSONS, MARKS, HOMEWORK),
                             keep_mark=lambda school, kind: kind in due_on_lesson_day(school))
        rows = Diffs(tx, self.table(ROWS), "lesson_id", COLUMNS, ("kind", "item_id"))
        state.prefetch(events)
        for lesson_id in docs.cached.get(LESSON, ()):  # as stored: the rows there now
            lesson = docs.doc(LESSON, lesson_id)
            rows.known(lesson_id, items(lesson) if lesson is not None else ())
        state.apply_each(events)
        state.finish()
        for lesson_id in state.touched:
            lesson = state.lesson(lesson_id)
            if lesson is not None:
                rows.replace(lesson_id, items(lesson))
        rows.flush()
        docs.flush()
