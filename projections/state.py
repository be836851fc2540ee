"""Batched storage for the journal projections: prefetched documents and rewritten rows.

`StateDocs` is a `DocumentTable` that loads many keys, or a `ref`'s documents in a `sort`
range, with one query each, so a batch costs a handful of round trips, not one per event.
`Rewrites` keeps rows owned by a key (a lesson, a student): at flush the owner's rows are
deleted and re-inserted with two `executemany`, so derived rows are a pure function of state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import msgspec

from projections.documents import DocumentTable, Row
from projections.store import Tx

_decode = msgspec.json.decode
CHUNK = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def marks(count: int) -> str:
    """'?, ?, ?' for an IN list of `count` values."""
    return ", ".join("?" * count)


class StateDocs(DocumentTable):
    """Documents keyed by (kind, pk), cached for one batch, with bulk loads."""

    _COLUMNS = "pk, school_id, ref, sort, flag, doc"

    def __init__(self, tx: Tx, table: str) -> None:
        super().__init__(tx, table)
        self.cached: dict[str, set[str]] = {}

    @staticmethod
    def ddl(table: str) -> list[str]:
        return [
            *DocumentTable.ddl(table),
            f"CREATE INDEX IF NOT EXISTS {table}_by_range ON {table} (kind, ref, sort)",
        ]

    @staticmethod
    def index_names(table: str) -> list[str]:
        return [*DocumentTable.index_names(table), f"{table}_by_range"]

    def _load(self, kind: str, found: Iterable[tuple[Any, ...]]) -> None:
        known = self.cached.setdefault(kind, set())
        for pk, school_id, ref, sort, flag, doc in found:
            if (kind, pk) not in self.rows:
                self.rows[(kind, pk)] = Row(doc=_decode(doc), school_id=school_id, ref=ref,
                                            sort=sort, flag=flag)
                known.add(pk)

    def get(self, kind: str, pk: str) -> Row | None:
        self.cached.setdefault(kind, set()).add(pk)
        return super().get(kind, pk)

    def put(self, kind: str, pk: str, row: Row) -> None:
        self.cached.setdefault(kind, set()).add(pk)
        super().put(kind, pk, row)

    def doc(self, kind: str, pk: str | None) -> dict[str, Any] | None:
        row = self.get(kind, pk) if pk else None
        return row.doc if row else None

    def prefetch(self, kind: str, pks: Iterable[str]) -> None:
        missing = sorted({pk for pk in pks if pk and (kind, pk) not in self.rows})
        for chunk in chunks(missing):
            found = self.tx.fetchall(
                f"SELECT {self._COLUMNS} FROM {self.table} "
                f"WHERE kind = ? AND pk IN ({marks(len(chunk))})",
                (kind, *chunk),
            )
            self._load(kind, found)
            for pk in chunk:
                if (kind, pk) not in self.rows:
                    self.rows[(kind, pk)] = None
                    self.cached.setdefault(kind, set()).add(pk)

    def in_range(self, kind: str, ref: str, lo: str, hi: str) -> list[tuple[str, Row]]:
        """Documents of `ref` with lo <= sort < hi, as they stand in this batch."""
        self._load(kind, self.tx.fetchall(
            f"SELECT {self._COLUMNS} FROM {self.table} "
            "WHERE kind = ? AND ref = ? AND sort >= ? AND sort < ?",
            (kind, ref, lo, hi),
        ))
        found = []
        for pk in self.cached.get(kind, ()):
            row = self.rows[(kind, pk)]
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
        self.tx.executemany(
            f"DELETE FROM {self.table} WHERE {self.owner} = ?", [(owner,) for owner in owners]
        )
        rows = [row for owner in owners for row in self.pending[owner]]
        if rows:
            self.tx.executemany(
                f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
                f"VALUES ({marks(len(self.columns))})",
                rows,
            )
        self.pending.clear()
