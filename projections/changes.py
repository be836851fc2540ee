"""The change-details feed: every lesson change with its old and new values, in log order.

One row per change event (substitution, cancellation, reinstatement, room, time, subject,
move), keyed by its log position, with the lesson's school, class, group, subject, teacher and
substitute and day as they stood after the change (and the day before it, for moves). Rows are
only ever added; a query filters by school, class, teacher and dates and pages by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from projections.base import Positioned, Projection
from projections.journal_events import CHANGE_KINDS, iso
from projections.journal_state import LESSONS, JournalState
from projections.pagination import checked_limit, decode_cursor, encode_cursor
from projections.state import StateDocs
from projections.store import Tx, ViewStore, marks

_encode, _decode = msgspec.json.encode, msgspec.json.decode
FEED, STATE = "view_changes", "view_changes_state"
COLUMNS = ("position", "lesson_id", "school_id", "class_id", "group_id", "subject_id",
           "teacher_id", "substitute_id", "day", "old_day", "kind", "old", "new", "reason",
           "actor", "at")
INDEXED = ("school_id", "class_id", "group_id", "teacher_id", "substitute_id")


class LessonChanges(Projection):
    name = "lesson_changes"
    version = 1

    def table_names(self) -> Sequence[str]:
        return (STATE, FEED)

    def index_names(self) -> Sequence[str]:
        feed = self.table(FEED)
        return [*StateDocs.index_names(self.table(STATE)), *(f"{feed}_{c}" for c in INDEXED)]

    def deferred_index_names(self) -> Sequence[str]:
        feed = self.table(FEED)
        return [f"{feed}_{column}" for column in INDEXED]  # a batch only appends to the feed

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in StateDocs.ddl(self.table(STATE)):
            tx.execute(statement)
        feed = self.table(FEED)
        columns = ", ".join(f"{column} TEXT" for column in COLUMNS[1:])
        tx.execute(f"CREATE TABLE IF NOT EXISTS {feed} (position BIGINT PRIMARY KEY, {columns})")
        for column in INDEXED:
            tx.execute(f"CREATE INDEX IF NOT EXISTS {feed}_{column} ON {feed} ({column}, position)")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = StateDocs(tx, self.table(STATE))
        state = JournalState(docs, (LESSONS,))
        state.prefetch(events)
        rows: list[tuple[Any, ...]] = []
        # Change events are a few in a thousand: the rest are applied in runs between them.
        done = 0
        for index in [i for i, (_, event) in enumerate(events)
                      if type(event).__qualname__ in CHANGE_KINDS]:
            state.apply_each(events[done:index])
            done = index + 1
            row = self._change(state, *events[index])
            if row is not None:
                rows.append(row)
        state.apply_each(events[done:])
        state.finish()
        if rows:
            tx.executemany(f"INSERT INTO {self.table(FEED)} ({', '.join(COLUMNS)}) "
                           f"VALUES ({marks(len(COLUMNS))})", rows)
        docs.flush()

    @staticmethod
    def _change(state: JournalState, position: int, event: Any) -> tuple[Any, ...] | None:
        """Apply a change event; its row in the feed (None for a lesson not known)."""
        before = state.lesson(str(event.originator_id))
        old_day = before["day"] if before else None
        state.apply(event)
        if before is None:
            return None
        kind, old, new = CHANGE_KINDS[type(event).__qualname__](event)
        lesson = before  # the same document, changed in place by `apply`
        return (
            position, lesson["id"], lesson["school_id"], lesson["class_id"],
            lesson["group_id"], lesson["subject_id"], lesson["teacher_id"],
            lesson["substitute_id"], lesson["day"], old_day, kind,
            _encode(old).decode(), _encode(new).decode(), event.reason, event.actor,
            iso(event.timestamp),
        )


class ChangeQueries:
    def __init__(self, store: ViewStore, table: str = FEED) -> None:
        self.store, self.table = store, table

    def feed(
        self, cursor: str | None, limit: int, school_id: str | None = None,
        class_id: str | None = None, teacher_id: str | None = None,
        start: str | None = None, end: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Changes in log order; a class matches its subgroups' lessons, a teacher matches
        the lesson's teacher or substitute, dates match the lesson's day before or after."""
        limit = checked_limit(limit)
        key = decode_cursor(cursor, 1)
        where: list[str] = ["position > ?"]
        params: list[Any] = [int(str(key[0])) if key else 0]
        if school_id:
            where.append("school_id = ?")
            params.append(school_id)
        if class_id:
            where.append("(class_id = ? OR group_id = ?)")
            params += [class_id, class_id]
        if teacher_id:
            where.append("(teacher_id = ? OR substitute_id = ?)")
            params += [teacher_id, teacher_id]
        if start or end:
            lo, hi = start or "0000-01-01", end or "9999-12-31"
            where.append("((day >= ? AND day <= ?) OR (old_day >= ? AND old_day <= ?))")
            params += [lo, hi, lo, hi]
        rows = self.store.fetchall(
            f"SELECT {', '.join(COLUMNS)} FROM {self.table} WHERE {' AND '.join(where)} "
            "ORDER BY position LIMIT ?", [*params, limit + 1],
        )
        items = [self._item(row) for row in rows[:limit]]
        next_cursor = encode_cursor(items[-1]["position"]) if len(rows) > limit else None
        return items, next_cursor

    @staticmethod
    def _item(row: tuple[Any, ...]) -> dict[str, Any]:
        item = dict(zip(COLUMNS, row, strict=True))
        item["position"] = int(item["position"])
        item["old"], item["new"] = _decode(item["old"]), _decode(item["new"])
        return item
