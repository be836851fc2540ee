"""A unit of work over keyed JSON documents: read once per batch, written with executemany."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from projections.store import Tx, insert_new

_encode = msgspec.json.encode
_decode = msgspec.json.decode

Key = tuple[str, str]  # (kind, pk)
_COLUMNS = ("kind", "pk", "school_id", "ref", "sort", "flag", "doc")


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
        self.by_ref: dict[Key, set[str]] = {}  # (kind, ref) -> pks that referred to it
        self.refs_loaded: set[Key] = set()  # (kind, ref) whose stored rows are loaded
        self.absent: set[Key] = set()  # looked up and not stored: written by a plain insert

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
            if found is None:
                self.absent.add(key)
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
        if row.ref is not None:
            self.by_ref.setdefault((kind, row.ref), set()).add(pk)

    def delete(self, kind: str, pk: str) -> None:
        self.rows[(kind, pk)] = None
        self.dirty.add((kind, pk))

    def find(self, kind: str, ref: str) -> list[tuple[str, Row]]:
        """Rows of a kind that refer to `ref`, as they stand in this batch.

        The stored rows of (kind, ref) are loaded whole, once per batch, in one query; rows
        put in the batch are found through `by_ref`, not by scanning every cached row.
        """
        key = (kind, ref)
        pks = self.by_ref.setdefault(key, set())
        if key not in self.refs_loaded:
            self.refs_loaded.add(key)
            for pk, school_id, row_ref, sort, flag, doc in self.tx.fetchall(
                f"SELECT pk, school_id, ref, sort, flag, doc FROM {self.table} "
                "WHERE kind = ? AND ref = ?",
                key,
            ):
                pks.add(pk)
                if (kind, pk) not in self.rows:
                    self.rows[(kind, pk)] = Row(
                        doc=_decode(doc), school_id=school_id, ref=row_ref, sort=sort,
                        flag=flag,
                    )
        found = []
        for pk in sorted(pks):
            row = self.get(kind, pk)  # a cache hit: every pk in by_ref is in self.rows
            if row is not None and row.ref == ref:
                found.append((pk, row))
        return found

    def flush(self) -> None:
        upserts: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []  # keys found not stored in this batch
        deletes: list[Key] = []
        fresh, absent = self._fresh(), self.absent
        for key in self.dirty:
            row = self.rows[key]
            if row is None:
                deletes.append(key)
            else:
                (inserts if fresh or key in absent else upserts).append(
                    (*key, row.school_id, row.ref, row.sort, row.flag, _encode(row.doc).decode())
                )
        if deletes:
            self.tx.executemany(f"DELETE FROM {self.table} WHERE kind = ? AND pk = ?", deletes)
        insert_new(self.tx, self.table, _COLUMNS, sorted(inserts))
        if upserts:
            self.tx.upsert(self.table, _COLUMNS, ("kind", "pk"), sorted(upserts))
        self.dirty.clear()
        self.absent.clear()

    def _fresh(self) -> bool:
        """Whether the table is known to hold none of the documents written (then inserted,
        not upserted)."""
        return False


def decode_docs(rows: Iterable[tuple[Any, ...]], column: int = 0) -> list[dict[str, Any]]:
    return [_decode(row[column]) for row in rows]
