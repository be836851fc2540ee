"""The write floor of a catch-up: PostgreSQL alone taking the read models' final rows.

A catch-up from 0 ends with every projection's tables holding their final rows. However fast
the Python side were, PostgreSQL must still take those rows: parse them, compress the large
values, write the heap and the WAL, and build the indexes. This measures that floor on the same
server: each table's final rows (COPY TO, outside the clock) are COPYed into an empty twin that
has only its primary key, in chunks over as many connections as the machine has cores, then
the twin's other indexes are built (as the runner defers them during a catch-up). The catch-up
can come near this, never below it: its own figure divided by the floor is how much of the
time the projections themselves (decoding, state, repeated writes) still add.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.common import Target, pg_connect, print_table
from projections.base import Projection

CHUNK_ROWS = 50_000  # rows a COPY: big tables are spread over every connection


@dataclass
class TableFloor:
    table: str
    rows: int = 0
    megabytes: float = 0.0
    chunks: list[bytes] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements (no key)


@dataclass
class Floor:
    tables: list[TableFloor]
    copy_seconds: float
    index_seconds: float

    @property
    def seconds(self) -> float:
        return self.copy_seconds + self.index_seconds

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def megabytes(self) -> float:
        return sum(t.megabytes for t in self.tables)


def tables_of(projections: Sequence[Projection]) -> list[str]:
    return [p.table(name) for p in projections for name in p.table_names()]


def _read(target: Target, table: str) -> TableFloor:
    """The table's rows as COPY text in chunks, and its secondary indexes' DDL for the twin."""
    found = TableFloor(table)
    with pg_connect(target) as connection:
        exists = connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        if not exists or exists[0] is None:
            return found
        # COPY text ends each row with a newline and escapes the newlines in values
        with connection.cursor().copy(f"COPY {table} TO STDOUT") as copy:
            data = b"".join(bytes(block) for block in copy)
        lines = data.split(b"\n")[:-1]
        found.rows, found.megabytes = len(lines), len(data) / 1e6
        found.chunks = [b"\n".join(lines[i:i + CHUNK_ROWS]) + b"\n"
                        for i in range(0, len(lines), CHUNK_ROWS)]
        found.indexes = [str(ddl).replace(f" ON public.{table} ", f" ON public.floor_{table} ")
                         .replace("INDEX ", f"INDEX floor_{n}_", 1)
                         for n, (ddl,) in enumerate(connection.execute(
                             "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND "
                             "indexname NOT IN (SELECT conname FROM pg_constraint WHERE "
                             "contype = 'p')", (table,)).fetchall())]
    return found


def _parallel(target: Target, tasks: list[Callable[[Any], None]], workers: int) -> float:
    """Seconds to run the tasks over `workers` connections (each task in a transaction)."""
    todo: queue.Queue[Callable[[Any], None]] = queue.Queue()
    for task in tasks:
        todo.put(task)
    failures: list[BaseException] = []

    def work() -> None:
        with pg_connect(target) as connection:
            while True:
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    with connection.transaction():
                        task(connection)
                except BaseException as error:  # reported after the join
                    failures.append(error)
                    return

    threads = [threading.Thread(target=work) for _ in range(workers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - began


def measure(target: Target, tables: Sequence[str], workers: int | None = None) -> Floor:
    """COPY every table's rows into an empty twin with its key, then build its indexes."""
    workers = workers or os.cpu_count() or 2
    found = [floor for floor in (_read(target, table) for table in tables) if floor.rows]
    with pg_connect(target) as connection:
        connection.execute("CHECKPOINT")
        for floor in found:
            connection.execute(f"DROP TABLE IF EXISTS floor_{floor.table}")
            connection.execute(f"CREATE TABLE floor_{floor.table} (LIKE {floor.table} "
                               "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            key = connection.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'p' AND "
                "conrelid = to_regclass(%s)", (floor.table,)).fetchone()
            if key:
                connection.execute(f"ALTER TABLE floor_{floor.table} ADD {key[0]}")

    def copy(table: str, chunk: bytes) -> Callable[[Any], None]:
        def run(connection: Any) -> None:
            connection.execute("SET LOCAL default_toast_compression = 'lz4'")  # as the runner
            with connection.cursor().copy(f"COPY floor_{table} FROM STDIN") as stream:
                stream.write(chunk)
        return run

    def index(ddl: str) -> Callable[[Any], None]:
        def run(connection: Any) -> None:
            connection.execute("SET LOCAL maintenance_work_mem = '256MB'")  # as the runner
            connection.execute(ddl)
        return run

    # The biggest chunks first, so the connections end together.
    copies = sorted(((floor.table, chunk) for floor in found for chunk in floor.chunks),
                    key=lambda item: -len(item[1]))
    try:
        copy_seconds = _parallel(target, [copy(*item) for item in copies], workers)
        index_seconds = _parallel(target, [index(ddl) for floor in found
                                           for ddl in floor.indexes], workers)
    finally:
        with pg_connect(target) as connection:
            for floor in found:
                connection.execute(f"DROP TABLE IF EXISTS floor_{floor.table}")
    for floor in found:
        floor.chunks = []
    return Floor(found, copy_seconds, index_seconds)


def report(floor: Floor, events: int, catch_up_seconds: float) -> None:
    rows = [(f.table, f"{f.rows:,}", f"{f.megabytes:,.1f}", str(len(f.indexes)))
            for f in sorted(floor.tables, key=lambda f: -f.megabytes)]
    print_table("the write floor: the final rows COPYed into empty tables with their keys, "
                f"then their indexes built, over {os.cpu_count()} connections",
                ("table", "rows", "MB as COPY text", "indexes"), rows)
    ceiling = events / floor.seconds
    print(f"floor: {floor.rows:,} rows, {floor.megabytes:,.0f} MB in {floor.seconds:.2f} s "
          f"(COPY {floor.copy_seconds:.2f} s, indexes {floor.index_seconds:.2f} s): at most "
          f"{ceiling:,.0f} events/s for any catch-up writing these rows; the catch-up took "
          f"{catch_up_seconds:.2f} s = {catch_up_seconds / floor.seconds:.2f}x the floor")
