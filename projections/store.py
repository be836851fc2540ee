"""What a projection needs of its database: portable SQL in one transaction per batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable


class Tx(Protocol):
    """A transaction; SQL uses `?` placeholders on every database."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    def upsert(
        self, table: str, columns: Sequence[str], key: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Insert `rows`, replacing the non-key columns of rows whose `key` exists."""


IN = "{in}"  # where `fetch_in` puts "column is one of the values"
CHUNK = 500  # values per IN list where a database takes no array parameter


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]


def marks(count: int) -> str:
    """'?, ?, ?' for an IN list of `count` values."""
    return ", ".join("?" * count)


@runtime_checkable
class InQueries(Protocol):
    """A transaction that selects by a list of values in one statement of one shape."""

    def fetchall_in(
        self, sql: str, params: Sequence[Any], column: str, values: Sequence[Any],
    ) -> list[tuple[Any, ...]]:
        """Rows of `sql` with its `{in}` read as `column` in `values`; `{in}` comes after
        the placeholders of `params`."""

    def execute_in(
        self, sql: str, params: Sequence[Any], column: str, values: Sequence[Any],
    ) -> None:
        """`sql` (a DELETE, an UPDATE) with its `{in}` read as `column` in `values`."""


def in_list(sql: str, params: Sequence[Any], column: str,
            values: Sequence[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(SQL, parameters) of `sql` with `{in}` as IN lists of at most CHUNK values."""
    for chunk in chunks(values):
        yield sql.replace(IN, f"{column} IN ({marks(len(chunk))})"), (*params, *chunk)


def fetch_in(tx: Tx, sql: str, params: Sequence[Any], column: str,
             values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of `sql` whose `column` is in `values` (its `{in}`, after `params`' marks).

    PostgreSQL takes the values as one array (`column = ANY(?)`): one statement, prepared
    once, instead of IN lists of hundreds of marks, each parsed and planned anew. A
    transaction without `fetchall_in` (a wrapper) gets IN lists, as SQLite does."""
    if not values:
        return []
    if isinstance(tx, InQueries):
        return tx.fetchall_in(sql, params, column, values)
    return [row for text, args in in_list(sql, params, column, values)
            for row in tx.fetchall(text, args)]


def execute_in(tx: Tx, sql: str, params: Sequence[Any], column: str,
               values: Sequence[Any]) -> None:
    """`sql` for the rows whose `column` is in `values` (as `fetch_in`): on PostgreSQL one
    statement, not one per value (an `executemany`) nor one per IN list."""
    if not values:
        return
    if isinstance(tx, InQueries):
        tx.execute_in(sql, params, column, values)
        return
    for text, args in in_list(sql, params, column, values):
        tx.execute(text, args)


@runtime_checkable
class NewRows(Protocol):
    """A transaction that inserts rows known to be new faster than it upserts them."""

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert `rows`, none of whose keys is in `table` (nor twice among them)."""

    def insert_if_new(self, table: str, columns: Sequence[str],
                      rows: Sequence[Sequence[Any]]) -> bool:
        """`insert` under a savepoint; if a key is in `table` after all, back to the
        savepoint: nothing inserted (False)."""


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """`INSERT INTO table (columns) VALUES (?, ...)`: one row's statement."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(len(columns))})"


def insert_new(tx: Tx, table: str, columns: Sequence[str],
               rows: Sequence[Sequence[Any]]) -> None:
    """Rows known to be new (a key never stored, a table empty when the batch began): on
    PostgreSQL one COPY straight into the table, without the staging table and the conflict
    check of `upsert`, which cost about as much again as the insert itself."""
    if not rows:
        return
    if isinstance(tx, NewRows):
        tx.insert(table, columns, rows)
        return
    tx.executemany(insert_sql(table, columns), rows)


def insert_believed_new(tx: Tx, table: str, columns: Sequence[str],
                        rows: Sequence[Sequence[Any]]) -> bool:
    """Rows whose keys are believed new (`Written`): inserted as `insert_new` does; if a
    key is stored after all (another process wrote the table), nothing is inserted and the
    caller upserts them (False)."""
    if not rows:
        return True
    if isinstance(tx, NewRows):
        return tx.insert_if_new(table, columns, rows)
    return False


class Written:
    """The keys this process wrote to a table since it found the table empty: a hint of
    which rows are new, so that a catch-up from 0 inserts them (`insert_believed_new`)
    instead of upserting every row of every batch after the first.

    Kept as bits of the keys' hashes in a fixed bitmap, so its memory is bounded however
    large the table grows: a clear bit means "not written since", a set bit "maybe". As the
    bitmap fills, more rows are "maybe" and go by the upsert, as they did without it."""

    def __init__(self, bits: int = 1 << 27) -> None:  # 16 MB: 1% "maybe" at 1.4M keys
        self.size = bits
        self.bits: bytearray | None = None  # None: nothing known (the table was not empty)

    @property
    def known(self) -> bool:
        return self.bits is not None

    def begin(self) -> None:
        """The table was found empty: nothing in it yet."""
        self.bits = bytearray(self.size // 8)

    def forget(self) -> None:
        """What the table holds is not known any more (another process wrote it)."""
        self.bits = None

    def split(self, salt: str, keys: Iterable[str]) -> list[bool]:
        """Per key (of the kind `salt`): written before (maybe); all are marked written."""
        bits = self.bits
        if bits is None:
            return [True for _ in keys]
        mask, seen = self.size - 1, []
        offset = hash(salt)
        for key in keys:
            h = (hash(key) ^ offset) & mask
            byte, bit = h >> 3, 1 << (h & 7)
            seen.append(bool(bits[byte] & bit))
            bits[byte] |= bit
        return seen


class ViewStore(Protocol):
    """The read-model database: SQLite (its own file) or PostgreSQL."""

    dialect: str

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    def exclusive(self, name: str) -> AbstractContextManager[bool]:
        """Whether the caller got the named lock of the deployment, held for the block."""
        ...


class Signal(Protocol):
    """Wakes a projection runner when the log has grown."""

    def notify(self, position: int) -> None: ...

    def wait(self, timeout: float) -> bool: ...
