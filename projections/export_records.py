"""The export's current records and its gates, as a unit of work for one batch.

`export_records`: one row per (entity, key), the record as it stands now: operation (0 upsert,
1 delete: a tombstone stays so a delta can carry it), schema version, payload, the log position
it last came from, its late flag, its school and the person it is about. A delta is the rows
whose position lies in its range, through open gates (`export_deltas`).

`export_gates`: one row per school (requisites complete and valid) and per person (complete
identification). When a gate opens at position P, every record behind it is moved up to P
(`SET position = P WHERE position < P`), so the next delta carries the full current state.
Records are never dropped while a gate is closed: they wait behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from projections.export_schemas import DELETE, UPSERT, VERSIONS
from projections.state import chunks, marks
from projections.store import Tx

RECORDS, GATES = "export_records", "export_gates"
_encode = msgspec.json.encode
Key = tuple[str, str]  # (entity, key)
# school, person, op, position, late, payload
Pending = tuple[str, str | None, int, int, int, str | None]
_COLUMNS = ("entity", "key", "school_id", "person_id", "op", "version", "position", "late",
            "payload")


def ddl(records: str, gates: str, dialect: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {records} (entity TEXT NOT NULL, key TEXT NOT NULL, "
        "school_id TEXT NOT NULL, person_id TEXT, op INTEGER NOT NULL, version INTEGER NOT NULL, "
        "position BIGINT NOT NULL, late INTEGER NOT NULL, payload TEXT, "
        "PRIMARY KEY (entity, key))",
        f"CREATE INDEX IF NOT EXISTS {records}_by_position ON {records} (position, entity, key)",
        f"CREATE INDEX IF NOT EXISTS {records}_by_school ON {records} "
        "(school_id, position, entity, key)",
        f"CREATE INDEX IF NOT EXISTS {records}_by_person ON {records} (person_id, position)",
        f"CREATE TABLE IF NOT EXISTS {gates} (kind TEXT NOT NULL, id TEXT NOT NULL, "
        "ready INTEGER NOT NULL, name TEXT NOT NULL, missing TEXT NOT NULL, "
        "schools TEXT NOT NULL, PRIMARY KEY (kind, id))",
    ]


def index_names(records: str) -> list[str]:
    return [f"{records}_by_position", f"{records}_by_school", f"{records}_by_person"]


class Records:
    """Writes of one batch: the last write of a key wins; flushed with one executemany."""

    def __init__(self, tx: Tx, table: str) -> None:
        self.tx, self.table = tx, table
        self.pending: dict[Key, Pending] = {}
        self.live: dict[Key, tuple[str, str | None] | None] = {}  # a live row's school, person
        self.opened: dict[tuple[str, str], int] = {}  # (gate kind, id) -> last opening

    def upsert(self, entity: str, key: str, school_id: str, person_id: str | None,
               payload: msgspec.Struct, position: int, late: bool = False) -> None:
        self.pending[(entity, key)] = (school_id, person_id, UPSERT, position, int(late),
                                       _encode(payload).decode())

    def delete(self, entity: str, key: str, position: int) -> None:
        """A tombstone, only for a record that is live now (a second delete writes nothing)."""
        found = self._live(entity, key)
        if found is not None:
            self.pending[(entity, key)] = (found[0], found[1], DELETE, position, 0, None)

    def tombstone(self, entity: str, key: str, school_id: str, person_id: str | None,
                  position: int) -> None:
        """A tombstone whether or not the record was ever live (derived records)."""
        self.pending[(entity, key)] = (school_id, person_id, DELETE, position, 0, None)

    def _live(self, entity: str, key: str) -> tuple[str, str | None] | None:
        row = self.pending.get((entity, key))
        if row is not None:
            return (row[0], row[1]) if row[2] == UPSERT else None
        if (entity, key) not in self.live:
            found = self.tx.fetchone(
                f"SELECT school_id, person_id FROM {self.table} "
                "WHERE entity = ? AND key = ? AND op = ?", (entity, key, UPSERT))
            self.live[(entity, key)] = (str(found[0]), found[1]) if found else None
        return self.live[(entity, key)]

    def open_gate(self, kind: str, gate_id: str, position: int) -> None:
        """Everything behind the gate moves up to `position` at flush."""
        self.opened[(kind, gate_id)] = max(position, self.opened.get((kind, gate_id), 0))

    def flush(self) -> None:
        rows = [(entity, key, school, person, op, VERSIONS[entity], position, late, payload)
                for (entity, key), (school, person, op, position, late, payload)
                in self.pending.items()]
        if rows:  # one COPY-staged upsert on PostgreSQL; keys are unique (a dict's)
            rows.sort(key=lambda row: (row[0], row[1]))
            self.tx.upsert(self.table, _COLUMNS, ("entity", "key"), rows)
        column = {"school": "school_id", "person": "person_id"}
        for (kind, gate_id), position in sorted(self.opened.items()):
            self.tx.execute(
                f"UPDATE {self.table} SET position = ? WHERE {column[kind]} = ? AND position < ?",
                (position, gate_id, position))
        self.pending.clear()
        self.live.clear()
        self.opened.clear()


class Gates:
    """Gate rows of the schools and people a batch touched, written at its end."""

    def __init__(self, tx: Tx, table: str) -> None:
        self.tx, self.table = tx, table
        self.rows: dict[tuple[str, str], tuple[int, str, str, str]] = {}

    def put(self, kind: str, gate_id: str, ready: bool, name: str, missing: Sequence[str],
            schools: Sequence[str] = ()) -> None:
        self.rows[(kind, gate_id)] = (int(ready), name, _encode(list(missing)).decode(),
                                      _encode(sorted(schools)).decode())

    def flush(self) -> None:
        if self.rows:
            self.tx.executemany(
                f"INSERT INTO {self.table} (kind, id, ready, name, missing, schools) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET "
                "ready = excluded.ready, name = excluded.name, missing = excluded.missing, "
                "schools = excluded.schools",
                [(*key, *row) for key, row in sorted(self.rows.items())])
        self.rows.clear()


def live_keys(tx: Tx, table: str, entity: str, keys: Sequence[str]) -> set[str]:
    """Which of the keys are live records now (for a batch's bulk checks)."""
    found: set[str] = set()
    for chunk in chunks(sorted(set(keys))):
        found.update(str(key) for (key,) in tx.fetchall(
            f"SELECT key FROM {table} WHERE entity = ? AND op = ? "
            f"AND key IN ({marks(len(chunk))})", (entity, UPSERT, *chunk)))
    return found


def decode_list(text: str) -> list[Any]:
    value = msgspec.json.decode(text)
    return list(value) if isinstance(value, list) else []
