"""Batched storage for the journal projections: prefetched documents and rewritten rows.

`StateDocs` is a `DocumentTable` that loads many keys, or a `ref`'s documents in a `sort`
range, with one query each, so a batch costs a handful of round trips, not one per event.
`Rewrites` keeps rows owned by a key (a lesson, a student): at flush the owner's rows are
deleted and inserted again (`insert_new`), so derived rows are a pure function of state.
`Diffs` keeps the same kind of rows but writes only what changed: the rows an owner had are
worked out from its state as loaded (before the batch applied anything), so a lesson that
gained one mark writes one row, not all of its rows again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from projections.documents import DocumentTable, Row
from projections.store import CHUNK, IN, Tx, execute_in, fetch_in, insert_new

_decode = msgspec.json.decode
# Rows written per table in this process, and the count at which to ANALYZE it next.
_written: dict[str, int] = {}
_analyze_at: dict[str, int] = {}


def analyze_when_grown(tx: Tx, table: str, rows: int) -> None:
    """ANALYZE a table each time the rows written to it (by this process) double.

    A catch-up fills tables faster than autovacuum samples them; with statistics from when a
    table was small, PostgreSQL answered a prefetch (`kind = ? AND pk IN (...500 keys...)`)
    by scanning every row of the kind through another index (25 ms instead of 2). Doubling
    bounds the cost."""
    total = _written.get(table, 0) + rows
    _written[table] = total
    if total >= _analyze_at.get(table, 1000):
        _analyze_at[table] = 2 * total
        tx.execute(f"ANALYZE {table}")


class StateDocs(DocumentTable):
    """Documents keyed by (kind, pk), cached for one batch, with bulk loads."""

    _COLUMNS = "pk, school_id, ref, sort, flag, doc"

    def __init__(self, tx: Tx, table: str) -> None:
        super().__init__(tx, table)
        self.cached: dict[str, set[str]] = {}
        # (kind, ref) -> pks of cached rows that had that ref (a superset: `in_range` checks)
        self.refs: dict[tuple[str, str], set[str]] = {}
        self.ranges: dict[tuple[str, str], list[tuple[str, str]]] = {}  # [lo, hi) loaded
        self.empty: bool | None = None  # whether the stored table has no rows (None: unknown)

    @staticmethod
    def ddl(table: str) -> list[str]:
        """DocumentTable's, but (kind, ref, sort) instead of (kind, ref): it serves both, and
        every index is one more b-tree each written document updates."""
        by_ref = f"{table}_by_ref"
        return [
            *(statement for statement in DocumentTable.ddl(table) if by_ref not in statement),
            f"CREATE INDEX IF NOT EXISTS {table}_by_range ON {table} (kind, ref, sort)",
        ]

    @staticmethod
    def index_names(table: str) -> list[str]:
        by_ref = f"{table}_by_ref"
        return [*(name for name in DocumentTable.index_names(table) if name != by_ref),
                f"{table}_by_range"]

    def flush(self) -> None:
        written = len(self.dirty)
        super().flush()
        if written:
            self.empty = False
            analyze_when_grown(self.tx, self.table, written)

    def _fresh(self) -> bool:
        # Known empty when the batch began and not flushed since: every document is new.
        return self.empty is True

    def _holds_nothing(self, wanted: int) -> bool:
        """Whether the table is empty, asked once and only for a prefetch of more than one
        chunk: a catch-up from 0 then skips its many queries that could find nothing (a
        48,000-key prefetch is 96 queries of 500 keys, each costly to build and plan)."""
        if self.empty is None and wanted > CHUNK:
            self.empty = self.tx.fetchone(f"SELECT 1 FROM {self.table} LIMIT 1") is None
        return bool(self.empty)

    def _load(self, kind: str, found: Iterable[tuple[Any, ...]]) -> None:
        known = self.cached.setdefault(kind, set())
        rows, refs = self.rows, self.refs
        for pk, school_id, ref, sort, flag, doc in found:
            if (kind, pk) not in rows:  # a document met in this batch is newer
                rows[(kind, pk)] = Row(doc=_decode(doc), school_id=school_id, ref=ref,
                                       sort=sort, flag=flag)
            if ref is not None:
                refs.setdefault((kind, ref), set()).add(pk)
            known.add(pk)

    def get(self, kind: str, pk: str) -> Row | None:
        key = (kind, pk)
        rows = self.rows
        if key in rows:  # the common case: prefetched, or met before in this batch
            return rows[key]
        self.cached.setdefault(kind, set()).add(pk)
        found = super().get(kind, pk)  # (notes it `absent` if not stored)
        if found is not None and found.ref is not None:
            self.refs.setdefault((kind, found.ref), set()).add(pk)
        return found

    def put(self, kind: str, pk: str, row: Row) -> None:
        # The base class's put inlined, without `setdefault(..., set())` (a set built on
        # every call): a catch-up puts a document for nearly every event it applies.
        known = self.cached.get(kind)
        if known is None:
            known = self.cached[kind] = set()
        known.add(pk)
        key = (kind, pk)
        self.rows[key] = row
        self.dirty.add(key)
        if row.ref is not None:
            ref = (kind, row.ref)
            for index in (self.refs, self.by_ref):
                pks = index.get(ref)
                if pks is None:
                    pks = index[ref] = set()
                pks.add(pk)

    def delete(self, kind: str, pk: str) -> None:
        self.cached.setdefault(kind, set()).add(pk)
        super().delete(kind, pk)

    def doc(self, kind: str, pk: str | None) -> dict[str, Any] | None:
        row = self.get(kind, pk) if pk else None
        return row.doc if row else None

    def prefetch(self, kind: str, pks: Iterable[str]) -> None:
        missing = sorted({pk for pk in pks if pk and (kind, pk) not in self.rows})
        if self._holds_nothing(len(missing)):
            self.cached.setdefault(kind, set()).update(missing)
            self.rows.update(dict.fromkeys([(kind, pk) for pk in missing]))
            self.absent.update((kind, pk) for pk in missing)
            return
        self._load(kind, fetch_in(
            self.tx, f"SELECT {self._COLUMNS} FROM {self.table} WHERE kind = ? AND {IN}",
            (kind,), "pk", missing))
        known = self.cached.setdefault(kind, set())
        for pk in missing:
            if (kind, pk) not in self.rows:
                self.rows[(kind, pk)] = None
                self.absent.add((kind, pk))
                known.add(pk)

    def in_range(self, kind: str, ref: str, lo: str, hi: str) -> list[tuple[str, Row]]:
        """Documents of `ref` with lo <= sort < hi, as they stand in this batch.

        A range within one loaded before in this batch is not read again: its stored rows
        are all cached (or newer ones are), and rows put since are found through `refs`."""
        loaded = self.ranges.setdefault((kind, ref), [])
        if not any(a <= lo and hi <= b for a, b in loaded):
            self._load(kind, self.tx.fetchall(
                f"SELECT {self._COLUMNS} FROM {self.table} "
                "WHERE kind = ? AND ref = ? AND sort >= ? AND sort < ?",
                (kind, ref, lo, hi),
            ))
            loaded.append((lo, hi))
        found = []
        rows = self.rows
        for pk in self.refs.get((kind, ref), ()):
            row = rows[(kind, pk)]
            if row is not None and row.ref == ref and lo <= row.sort < hi:
                found.append((pk, row))
        found.sort(key=lambda item: (item[1].sort, item[0]))
        return found


class Rewrites:
    """Rows of `table` owned by a value of `owner`: replaced whole, flushed in bulk."""

    def __init__(self, tx: Tx, table: str, owner: str, columns: Sequence[str]) -> None:
        self.tx = tx
        self.table = table
        self.owner = owner
        self.columns = tuple(columns)
        self.pending: dict[str, list[tuple[Any, ...]]] = {}

    def replace(self, owner: str, rows: Iterable[tuple[Any, ...]]) -> None:
        self.pending[owner] = list(rows)

    def flush(self) -> None:
        if not self.pending:
            return
        owners = sorted(self.pending)
        execute_in(self.tx, f"DELETE FROM {self.table} WHERE {IN}", (), self.owner, owners)
        # Deleted just above: every row is new.
        insert_new(self.tx, self.table, self.columns,
                   [row for owner in owners for row in self.pending[owner]])
        self.pending.clear()


class Diffs:
    """Rows of `table` owned by a value of `owner`, keyed by `key`; flushed as a difference.

    `known(owner, rows)` gives an owner's rows as they stand in the table (derived from the
    state loaded before the batch); `replace(owner, rows)` its rows now. An owner replaced but
    never known is rewritten whole (deleted by owner, then inserted)."""

    def __init__(self, tx: Tx, table: str, owner: str, columns: Sequence[str],
                 key: Sequence[str]) -> None:
        self.tx, self.table, self.owner = tx, table, owner
        self.columns, self.key = tuple(columns), tuple(key)
        self._at = [self.columns.index(column) for column in self.key]
        self.before: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
        self.after: dict[str, list[tuple[Any, ...]]] = {}

    def _keyed(self, rows: Iterable[tuple[Any, ...]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        at = self._at
        return {tuple(row[i] for i in at): row for row in rows}

    def known(self, owner: str, rows: Iterable[tuple[Any, ...]]) -> None:
        if owner not in self.before:
            self.before[owner] = self._keyed(rows)

    def replace(self, owner: str, rows: Iterable[tuple[Any, ...]]) -> None:
        self.after[owner] = list(rows)

    def flush(self) -> None:
        rewrite = sorted(owner for owner in self.after if owner not in self.before)
        upserts: list[tuple[Any, ...]] = []
        deletes: list[tuple[Any, ...]] = []
        for owner in sorted(self.after):
            rows = self.after[owner]
            old = self.before.get(owner)
            if old is None:
                upserts += rows
                continue
            new = self._keyed(rows)
            upserts += [row for key, row in new.items() if old.get(key) != row]
            deletes += [key for key in old if key not in new]
        # One statement for all of them (an owner not in the table costs nothing more).
        execute_in(self.tx, f"DELETE FROM {self.table} WHERE {IN}", (), self.owner, rewrite)
        if deletes:
            where = " AND ".join(f"{column} = ?" for column in self.key)
            self.tx.executemany(f"DELETE FROM {self.table} WHERE {where}", sorted(deletes))
        if upserts:
            self.tx.upsert(self.table, self.columns, self.key, upserts)
        self.before.clear()
        self.after.clear()
