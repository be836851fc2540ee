"""The catch-up baseline: rows shaped like a document view, written with plain executemany."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.common import Target, pg_connect, seconds, sqlite_connect
from projections.store import ViewStore

RAW = "bench_raw_view"
COLUMNS = "kind, pk, school_id, ref, sort, flag, doc"


def ddl(table: str) -> list[str]:
    """The shape of projections/documents.py's tables: same columns, key and indexes."""
    return [
        f"CREATE TABLE {table} (kind TEXT NOT NULL, pk TEXT NOT NULL, school_id TEXT, ref TEXT, "
        "sort TEXT NOT NULL, flag INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, pk))",
        f"CREATE INDEX {table}_by_school ON {table} (kind, school_id, sort, pk)",
        f"CREATE INDEX {table}_by_ref ON {table} (kind, ref)",
    ]


def upsert(table: str) -> str:
    """The statement DocumentTable.flush() issues."""
    return (
        f"INSERT INTO {table} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, pk) DO UPDATE SET school_id = excluded.school_id, "
        "ref = excluded.ref, sort = excluded.sort, flag = excluded.flag, doc = excluded.doc"
    )


def sample_rows(
    views: ViewStore, count: int, table: str = "view_registry"
) -> list[tuple[Any, ...]]:
    """`count` rows sized like the projection's own documents, each with a distinct key."""
    sample = views.fetchall(f"SELECT {COLUMNS} FROM {table}")
    rows = []
    for i in range(count):
        kind, pk, school_id, ref, sort, flag, doc = sample[i % len(sample)]
        rows.append((kind, f"{pk}#{i}", school_id, ref, sort, flag, doc))
    return rows


def raw_write(target: Target, rows: Sequence[tuple[Any, ...]], batch: int, table: str) -> float:
    """executemany in batches of the runner's size, one transaction per batch; seconds."""
    batches = [rows[i:i + batch] for i in range(0, len(rows), batch)]
    if target.kind == "sqlite":
        # Its own file, with the view store's pragmas (WAL, synchronous=NORMAL).
        lite = sqlite_connect(target.data_dir / "raw_views.db", "NORMAL")
        try:
            for sql in ddl(table):
                lite.execute(sql)

            def write_lite() -> None:
                for chunk in batches:
                    lite.execute("BEGIN IMMEDIATE")
                    lite.executemany(upsert(table), chunk)
                    lite.execute("COMMIT")

            return seconds(write_lite)
        finally:
            lite.close()
    with pg_connect(target) as pg:
        for sql in ddl(table):
            pg.execute(sql)

        def write_pg() -> None:
            for chunk in batches:
                with pg.transaction(), pg.cursor() as cursor:
                    cursor.executemany(upsert(table).replace("?", "%s"), chunk)

        return seconds(write_pg)
