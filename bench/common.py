"""Scratch databases, raw driver connections and the table printer shared by the benches."""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from infra.container import Container
from infra.settings import load_settings

# The server scratch databases are made on (another one, e.g. tuned: ZHURNAL_BENCH_PG_SERVER).
PG_SERVER = os.environ.get("ZHURNAL_BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
KINDS = ("sqlite", "postgres")
_counter = itertools.count()


@dataclass(frozen=True)
class Target:
    """One scratch deployment: a SQLite directory or a PostgreSQL database."""

    kind: str  # "sqlite" or "postgres"
    data_dir: Path  # SQLite files (and the secret) live here in both cases
    database_url: str | None = None

    def container(self, batch_size: int = 2000) -> Container:
        env = {
            "ZHURNAL_DATA_DIR": str(self.data_dir),
            "ZHURNAL_SECRET": "bench",
            "ZHURNAL_PROJECTION_BATCH": str(batch_size),
        }
        if self.database_url:
            env["ZHURNAL_DATABASE_URL"] = self.database_url
        return Container(load_settings(env))


def kinds(option: str) -> list[str]:
    return list(KINDS) if option == "both" else [option]


@contextmanager
def scratch(kind: str, tmp_root: str | None = None) -> Iterator[Target]:
    """A fresh deployment, removed afterwards (PostgreSQL: a zhurnal_bench_* database)."""
    data_dir = Path(tempfile.mkdtemp(prefix="zhurnal_bench_", dir=tmp_root))
    name = f"zhurnal_bench_{os.getpid()}_{next(_counter)}"
    try:
        if kind == "sqlite":
            yield Target(kind, data_dir)
            return
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            yield Target(kind, data_dir, f"{PG_SERVER}/{name}")
        finally:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def sqlite_connect(path: Path, synchronous: str | None = None) -> sqlite3.Connection:
    """A plain autocommit connection in WAL mode, like eventsourcing's and the view store's."""
    connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    if synchronous is not None:
        connection.execute(f"PRAGMA synchronous={synchronous}")
    return connection


def sqlite_synchronous(path: Path) -> int:
    """The synchronous level a fresh connection gets (eventsourcing never sets it)."""
    connection = sqlite3.connect(str(path))
    try:
        return int(connection.execute("PRAGMA synchronous").fetchone()[0])
    finally:
        connection.close()


def pg_connect(target: Target, autocommit: bool = True) -> psycopg.Connection[Any]:
    assert target.database_url is not None
    return psycopg.connect(target.database_url, autocommit=autocommit)


def load() -> str:
    """The machine's load average: the figures are only as quiet as the machine."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def seconds(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def rate(count: int, elapsed: float) -> str:
    return f"{count / elapsed:,.0f}" if elapsed > 0 else "inf"


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole > 0 else "-"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    for index, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                        enumerate(zip(row, widths, strict=True))))
        if index == 0:
            print(line)
