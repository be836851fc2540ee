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

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import msgspec

from projections.export_schemas import DELETE, UPSERT, VERSIONS
from projections.store import IN, Tx, Written, chunks, fetch_in, insert_believed_new, insert_new

RECORDS, GATES = "export_records", "export_gates"
_encode = msgspec.json.Encoder().encode
# entity, key, school, person, op, version, position, late, payload: the row as written
Pending = tuple[str, str, str, str | None, int, int, int, int, str | None]
_COLUMNS = ("entity", "key", "school_id", "person_id", "op", "version", "position", "late",
            "payload")
# Keyed by the position of the event: written once, by the batch that holds the event.
NEW_ONLY = frozenset({"system_event"})
SPILL = 100_000  # pending rows a batch deriving many records writes out at a time


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
    """Writes of one batch: the last write of a key wins; flushed in one bulk upsert."""

    def __init__(self, tx: Tx, table: str, written: Written | None = None) -> None:
        self.tx, self.table = tx, table
        self.written = Written() if written is None else written
        # entity -> key -> row: flushed in (entity, key) order, each entity's keys sorted as
        # plain strings (several times faster than 1.4M (entity, key) tuples)
        self.pending: defaultdict[str, dict[str, Pending]] = defaultdict(dict)
        # entity -> key -> position of a delete of a record not written in this batch: a
        # tombstone if the stored record is live, looked up for all of them at flush
        self.doubtful: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self.opened: dict[tuple[str, str], int] = {}  # (gate kind, id) -> last opening

    def upsert(self, entity: str, key: str, school_id: str, person_id: str | None,
               payload: msgspec.Struct, position: int, late: bool = False) -> None:
        self.pending[entity][key] = (entity, key, school_id, person_id, UPSERT, VERSIONS[entity],
                                     position, 1 if late else 0, _encode(payload).decode())
        if self.doubtful:
            self.doubtful[entity].pop(key, None)

    def delete(self, entity: str, key: str, position: int) -> None:
        """A tombstone, only for a record that is live now (a second delete writes nothing)."""
        row = self.pending[entity].get(key)
        if row is not None:
            if row[4] == UPSERT:
                self.pending[entity][key] = (entity, key, row[2], row[3], DELETE,
                                             VERSIONS[entity], position, 0, None)
        else:
            self.doubtful[entity].setdefault(key, position)

    def tombstone(self, entity: str, key: str, school_id: str, person_id: str | None,
                  position: int) -> None:
        """A tombstone whether or not the record was ever live (derived records)."""
        self.pending[entity][key] = (entity, key, school_id, person_id, DELETE,
                                     VERSIONS[entity], position, 0, None)
        if self.doubtful:
            self.doubtful[entity].pop(key, None)

    def open_gate(self, kind: str, gate_id: str, position: int) -> None:
        """Everything behind the gate moves up to `position` at flush."""
        self.opened[(kind, gate_id)] = max(position, self.opened.get((kind, gate_id), 0))

    def flush(self) -> None:
        self._resolve_doubtful()
        self._write()
        self._open_gates()
        self.doubtful.clear()
        self.opened.clear()

    def spill(self, limit: int = SPILL) -> None:
        """Write the pending rows now if there are `limit` of them (the gates still move
        what is behind them at `flush`): a batch deriving a year's statistics and diaries
        holds a part of them at a time, not all."""
        if sum(map(len, self.pending.values())) >= limit:
            self._write()

    def _write(self) -> None:
        written = self.written
        # Asked only when some row's key could be stored already and nothing is known.
        empty = (bool(self.pending.keys() - NEW_ONLY) and not written.known
                 and self.tx.fetchone(f"SELECT 1 FROM {self.table} LIMIT 1") is None)
        if empty:
            written.begin()
        new: list[Pending] = []  # keys not stored: a plain insert (COPY)
        believed: list[Pending] = []  # keys not written since the table was empty: the same,
        # unless another process wrote it meanwhile (then an upsert)
        rows: list[Pending] = []  # keys that may be stored: the upsert
        for entity, pending in sorted(self.pending.items()):
            keys = sorted(pending)
            if entity in NEW_ONLY:
                new.extend(pending[key] for key in keys)
                continue
            for key, seen in zip(keys, written.split(entity, keys), strict=True):
                (rows if seen else believed).append(pending[key])
        self.pending.clear()
        # Rows whose keys cannot be stored yet go in by COPY; the rest by one COPY-staged
        # upsert on PostgreSQL, in key order.
        insert_new(self.tx, self.table, _COLUMNS, new)
        if not insert_believed_new(self.tx, self.table, _COLUMNS, believed):
            written.forget()
            rows = sorted([*believed, *rows], key=lambda row: (row[0], row[1]))
        if rows:
            self.tx.upsert(self.table, _COLUMNS, ("entity", "key"), rows)

    def _resolve_doubtful(self) -> None:
        """Deletes of records not written in the batch: a tombstone for each stored live one
        (a query per entity, not one per delete)."""
        for entity, deletes in sorted(self.doubtful.items()):
            for key, school, person in fetch_in(
                    self.tx, f"SELECT key, school_id, person_id FROM {self.table} "
                    f"WHERE entity = ? AND op = ? AND {IN}", (entity, UPSERT), "key",
                    sorted(deletes)):
                self.pending[entity][key] = (entity, key, str(school), person, DELETE,
                                             VERSIONS[entity], deletes[key], 0, None)

    def _open_gates(self) -> None:
        """Every record behind a gate opened in the batch moves up to the opening: one
        statement a kind of gate and chunk (while a catch-up from 0 runs, the by-school index
        is not there, and a statement a school would scan the table each time)."""
        column = {"school": "school_id", "person": "person_id"}
        for kind in sorted({kind for kind, _id in self.opened}):
            gates = sorted((gate_id, position) for (of, gate_id), position
                           in self.opened.items() if of == kind)
            for chunk in chunks(gates):
                values = ", ".join("(?, CAST(? AS BIGINT))" for _ in chunk)
                self.tx.execute(
                    f"WITH gate (id, at) AS (VALUES {values}) UPDATE {self.table} "
                    f"SET position = gate.at FROM gate WHERE {self.table}.{column[kind]} = "
                    f"gate.id AND {self.table}.position < gate.at",
                    [value for gate in chunk for value in gate])


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
    return {str(key) for (key,) in fetch_in(
        tx, f"SELECT key FROM {table} WHERE entity = ? AND op = ? AND {IN}", (entity, UPSERT),
        "key", sorted(set(keys)))}


def decode_list(text: str) -> list[Any]:
    value = msgspec.json.decode(text)
    return list(value) if isinstance(value, list) else []
