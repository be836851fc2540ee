"""A unit of work over keyed JSON documents: read once per batch, written with executemany."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from projections.store import Tx

_encode = msgspec.json.encode
_decode = msgspec.json.decode

Key = tuple[str, str]  # (kind, pk)


class Row(msgspec.Struct):
    """A document and the columns it is found by."""

    doc: dict[str, Any]
    school_id: str | None = None
    ref: str | None = None
    sort: str = ""
    flag: int = 0


class DocumentTable:
    """Rows (kind, pk, school_id, ref, sort, flag, doc) cached for one batch."""

    def __init__(self, tx: Tx, table: str) -> None:
        self.tx = tx
        self.table = table
        self.rows: dict[Key, Row | None] = {}
        self.dirty: set[Key] = set()

    @staticmethod
    def ddl(table: str) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "kind TEXT NOT NULL, pk TEXT NOT NULL, school_id TEXT, ref TEXT, "
            "sort TEXT NOT NULL, flag INTEGER NOT NULL, doc TEXT NOT NULL, "
            "PRIMARY KEY (kind, pk))",
            f"CREATE INDEX IF NOT EXISTS {table}_by_school ON {table} (kind, school_id, sort, pk)",
            f"CREATE INDEX IF NOT EXISTS {table}_by_ref ON {table} (kind, ref)",
        ]

    @staticmethod
    def index_names(table: str) -> list[str]:
        return [f"{table}_by_school", f"{table}_by_ref"]

    def get(self, kind: str, pk: str) -> Row | None:
        key = (kind, pk)
        if key not in self.rows:
            found = self.tx.fetchone(
                f"SELECT school_id, ref, sort, flag, doc FROM {self.table} "
                "WHERE kind = ? AND pk = ?",
                key,
            )
            self.rows[key] = (
                None
                if found is None
                else Row(
                    doc=_decode(found[4]), school_id=found[0], ref=found[1], sort=found[2],
                    flag=found[3],
                )
            )
        return self.rows[key]

    def put(self, kind: str, pk: str, row: Row) -> None:
        self.rows[(kind, pk)] = row
        self.dirty.add((kind, pk))

    def delete(self, kind: str, pk: str) -> None:
        self.rows[(kind, pk)] = None
        self.dirty.add((kind, pk))

    def find(self, kind: str, ref: str) -> list[tuple[str, Row]]:
        """Rows of a kind that refer to `ref`, as they stand in this batch."""
        pks = {
            str(pk)
            for (pk,) in self.tx.fetchall(
                f"SELECT pk FROM {self.table} WHERE kind = ? AND ref = ?", (kind, ref)
            )
        }
        pks |= {pk for (k, pk), row in self.rows.items() if k == kind and row and row.ref == ref}
        found = []
        for pk in sorted(pks):
            row = self.get(kind, pk)
            if row is not None and row.ref == ref:
                found.append((pk, row))
        return found

    def flush(self) -> None:
        upserts: list[tuple[Any, ...]] = []
        deletes: list[Key] = []
        for key in self.dirty:
            row = self.rows[key]
            if row is None:
                deletes.append(key)
            else:
                upserts.append(
                    (*key, row.school_id, row.ref, row.sort, row.flag, _encode(row.doc).decode())
                )
        if deletes:
            self.tx.executemany(f"DELETE FROM {self.table} WHERE kind = ? AND pk = ?", deletes)
        if upserts:
            self.tx.executemany(
                f"INSERT INTO {self.table} (kind, pk, school_id, ref, sort, flag, doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, pk) DO UPDATE SET "
                "school_id = excluded.school_id, ref = excluded.ref, sort = excluded.sort, "
                "flag = excluded.flag, doc = excluded.doc",
                sorted(upserts),
            )
        self.dirty.clear()


def decode_docs(rows: Iterable[tuple[Any, ...]], column: int = 0) -> list[dict[str, Any]]:
    return [_decode(row[column]) for row in rows]
