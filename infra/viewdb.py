"""Read-model databases: a SQLite file of its own, or the PostgreSQL database of the log."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from projections.store import IN, in_list, insert_sql


class _SqliteTx:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.connection.execute(sql, params).fetchone()
        return row

    def upsert(
        self, table: str, columns: Sequence[str], key: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        self.connection.executemany(_upsert_sql(table, columns, key), rows)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(insert_sql(table, columns), rows)

    def insert_if_new(self, table: str, columns: Sequence[str],
                      rows: Sequence[Sequence[Any]]) -> bool:
        self.connection.execute("SAVEPOINT believed_new")
        try:
            self.insert(table, columns, rows)
        except sqlite3.IntegrityError:
            self.connection.execute("ROLLBACK TO SAVEPOINT believed_new")
            return False
        finally:
            self.connection.execute("RELEASE SAVEPOINT believed_new")
        return True

    def fetchall_in(
        self, sql: str, params: Sequence[Any], column: str, values: Sequence[Any],
    ) -> list[tuple[Any, ...]]:
        # SQLite has no array parameter: IN lists, chunked below its variable limit.
        return [row for text, args in in_list(sql, params, column, values)
                for row in self.connection.execute(text, args).fetchall()]

    def execute_in(
        self, sql: str, params: Sequence[Any], column: str, values: Sequence[Any],
    ) -> None:
        for text, args in in_list(sql, params, column, values):
            self.connection.execute(text, args)


def _upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """One row's upsert, with `?` marks."""
    return f"{insert_sql(table, columns)} {_on_conflict(columns, key)}"


def _on_conflict(columns: Sequence[str], key: Sequence[str]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


_LOCKS: dict[tuple[str, str], threading.Lock] = {}  # (database file, name) -> its lock
_LOCKS_GUARD = threading.Lock()


class SqliteViewStore:
    """One connection per thread; WAL and a busy time-out so readers never block the writer."""

    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=30000")
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self) -> Iterator[_SqliteTx]:
        connection = self._connection()
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether this process got the named lock, held to the end of the block (the
        embedded store has one process: a lock of the process)."""
        with _LOCKS_GUARD:
            lock = _LOCKS.setdefault((self.path, name), threading.Lock())
        mine = lock.acquire(blocking=False)
        try:
            yield mine
        finally:
            if mine:
                lock.release()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, params).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._connection().execute(sql, params).fetchone()
        return row

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _pg(sql: str) -> str:
    # Our SQL never holds a literal '?' or '%', so a plain swap is safe.
    return sql.replace("?", "%s")


def _any(sql: str, params: Sequence[Any], column: str,
         values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
    """`{in}` as `column = ANY(array)`: one statement text whatever the count of values, so
    psycopg prepares it once, and there is no list of marks to parse and plan each time."""
    return _pg(sql.replace(IN, f"{column} = ANY(?)")), (*params, list(values))


class _PostgresTx:
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(_pg(sql), params)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.cursor.executemany(_pg(sql), rows)  # type: ignore[arg-type]

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(_pg(sql), params)  # type: ignore[arg-type]
        return self.cursor.fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.cursor.execute(_pg(sql), params)  # type: ignore[arg-type]
        return self.cursor.fetchone()

    def fetchall_in(
        self, sql: str, params: Sequence[Any], column: str, values: Sequence[Any],
    ) -> list[tuple[Any, ...]]:
        # One array parameter: the statement's text is the same whatever the count, so
        # psycopg prepares it once, and there is no list of marks to parse and plan.
        if not values:
            return []
        self.cursor.execute(*_any(sql, params, column, values))  # type: ignore[arg-type]
        return self.cursor.fetchall()

    def execute_in(
        self, sql: str, params: Sequence[Any], column: str, values: Sequence[Any],
    ) -> None:
        if values:
            self.cursor.execute(*_any(sql, params, column, values))  # type: ignore[arg-type]

    def upsert(
        self, table: str, columns: Sequence[str], key: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """COPY into a temporary table, then one INSERT ... SELECT ... ON CONFLICT: a batch
        costs three statements, not one prepared execution per row (executemany)."""
        if len(rows) < 50:
            self.cursor.executemany(_pg(_upsert_sql(table, columns, key)), rows)
            return
        stage = f"stage_{table}"
        names = ", ".join(columns)
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {table}) ON COMMIT DELETE ROWS"
        )
        self._copy(stage, columns, rows)
        self.cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "
            f"{_on_conflict(columns, key)}"
        )
        # Emptied now, not only at commit: the next upsert of the transaction starts clean.
        self.cursor.execute(f"TRUNCATE {stage}")

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """COPY straight into the table: the rows' keys are new (see `insert_new`)."""
        if len(rows) < 50:
            self.cursor.executemany(_pg(insert_sql(table, columns)), rows)
            return
        self._copy(table, columns, rows)

    def insert_if_new(self, table: str, columns: Sequence[str],
                      rows: Sequence[Sequence[Any]]) -> bool:
        try:
            with self.cursor.connection.transaction():  # a savepoint
                self.insert(table, columns, rows)
        except psycopg.errors.UniqueViolation:
            return False
        return True

    def _copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


class PostgresViewStore:
    """Views in the database of the log, through a small connection pool."""

    dialect = "postgres"

    def __init__(self, url: str, max_size: int = 10) -> None:
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, open=True)

    @contextmanager
    def transaction(self) -> Iterator[_PostgresTx]:
        with (
            self.pool.connection() as connection,
            connection.transaction(),
            connection.cursor() as cursor,
        ):
            yield _PostgresTx(cursor)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether this session got the named advisory lock, held (on a connection of its
        own) to the end of the block: one process at a time in the whole deployment."""
        with self.pool.connection() as connection:
            connection.autocommit = True
            row = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s))",
                                     (f"zhurnal:{name}",)).fetchone()
            mine = bool(row and row[0])
            try:
                yield mine
            finally:
                if mine:
                    connection.execute("SELECT pg_advisory_unlock(hashtext(%s))",
                                       (f"zhurnal:{name}",))
                connection.autocommit = False  # as the pool hands its connections out

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.pool.connection() as connection:
            return connection.execute(_pg(sql), params).fetchall()  # type: ignore[arg-type]

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self.pool.connection() as connection:
            return connection.execute(_pg(sql), params).fetchone()  # type: ignore[arg-type]

    def close(self) -> None:
        self.pool.close()
