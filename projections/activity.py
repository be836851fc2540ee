"""Activity: who did what, when, under which command, to which entity; one row an event.

An auditor lists everything a person (or a service) did in a range of time; the entity
history (api/routes/audit.py) finds a mark's lesson here (`part_id`); an "as of" query turns
a moment into the last log position recorded before it. Rows hold ids and names of event
types only, never personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from projections.base import Positioned, Projection
from projections.journal_events import sid
from projections.pagination import checked_limit
from projections.store import Tx, ViewStore, insert_new

# Attributes of an event that name a part of its aggregate with an id of its own.
PART_FIELDS = ("mark_id",)
COLUMNS = ("position", "actor", "at", "command_id", "event_type", "entity_id", "version",
           "part_id")


def instant(value: datetime) -> str:
    """A sortable UTC text for an instant (naive means UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    if utc.year < 1000:  # strftime's %Y does not pad such a year to four digits
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # The same text as the strftime above, at half its cost (one per event in a catch-up).
    return utc.isoformat(timespec="microseconds")[:26] + "Z"


class Activity(Projection):
    name = "activity"
    version = 1
    TABLE = "view_activity"

    def table_names(self) -> Sequence[str]:
        return (self.TABLE,)

    def index_names(self) -> Sequence[str]:
        table = self.table(self.TABLE)
        return [f"{table}_by_actor", f"{table}_by_entity", f"{table}_by_part",
                f"{table}_by_time"]

    def deferred_index_names(self) -> Sequence[str]:
        return self.index_names()  # a batch only appends rows

    def create_tables(self, tx: Tx, dialect: str) -> None:
        table = self.table(self.TABLE)
        by_actor, by_entity, by_part, by_time = self.index_names()
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (position BIGINT PRIMARY KEY, "
            "actor TEXT NOT NULL, at TEXT NOT NULL, command_id TEXT NOT NULL, "
            "event_type TEXT NOT NULL, entity_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "part_id TEXT)"
        )
        tx.execute(f"CREATE INDEX IF NOT EXISTS {by_actor} ON {table} (actor, at, position)")
        tx.execute(f"CREATE INDEX IF NOT EXISTS {by_entity} ON {table} (entity_id, position)")
        tx.execute(f"CREATE INDEX IF NOT EXISTS {by_part} ON {table} (part_id)")
        tx.execute(f"CREATE INDEX IF NOT EXISTS {by_time} ON {table} (at, position)")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        rows = []
        for position, event in events:
            part = None
            for name in PART_FIELDS:
                part = getattr(event, name, None)
                if part is not None:
                    break
            stamp = getattr(event, "timestamp", None)
            command: Any = getattr(event, "command_id", "")
            rows.append((
                position, str(getattr(event, "actor", "")),
                instant(stamp) if isinstance(stamp, datetime) else "",
                sid(command), type(event).__qualname__,
                sid(event.originator_id), int(event.originator_version),
                sid(part) if part is not None else None,
            ))
        # A position's row is written once, by the batch that holds its event (the batch and
        # the projection's position commit together): one COPY on PostgreSQL.
        insert_new(tx, self.table(self.TABLE), COLUMNS, rows)


def _row(row: Sequence[Any]) -> dict[str, Any]:
    item = dict(zip(COLUMNS, row, strict=True))
    item["aggregate"] = str(item["event_type"]).split(".")[0]
    return item


class ActivityQueries:
    def __init__(self, store: ViewStore, table: str = Activity.TABLE) -> None:
        self.store, self.table = store, table

    def of_actor(
        self, actor: str, start: datetime, end: datetime, cursor: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """What `actor` did with start <= time < end, in log order; cursor: a position."""
        limit = checked_limit(limit)
        rows = self.store.fetchall(
            f"SELECT {', '.join(COLUMNS)} FROM {self.table} WHERE actor = ? AND at >= ? "
            "AND at < ? AND position > ? ORDER BY position LIMIT ?",
            (actor, instant(start), instant(end), cursor or 0, limit + 1))
        items = [_row(row) for row in rows[:limit]]
        return items, (items[-1]["position"] if len(rows) > limit else None)

    def of_entity(self, entity_id: str) -> list[dict[str, Any]]:
        rows = self.store.fetchall(
            f"SELECT {', '.join(COLUMNS)} FROM {self.table} WHERE entity_id = ? "
            "ORDER BY position", (entity_id,))
        return [_row(row) for row in rows]

    def owner_of(self, part_id: str) -> str | None:
        """The aggregate a part (a mark) belongs to."""
        row = self.store.fetchone(
            f"SELECT entity_id FROM {self.table} WHERE part_id = ? LIMIT 1", (part_id,))
        return str(row[0]) if row else None

    def position_at(self, moment: datetime) -> int:
        """The last position recorded before any event stamped after `moment`."""
        later = self.store.fetchone(
            f"SELECT MIN(position) FROM {self.table} WHERE at > ?", (instant(moment),))
        if later is not None and later[0] is not None:
            return int(later[0]) - 1
        head = self.store.fetchone(f"SELECT MAX(position) FROM {self.table}")
        return int(head[0]) if head and head[0] is not None else 0
