"""What a projection needs of its database: portable SQL in one transaction per batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


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


class ViewStore(Protocol):
    """The read-model database: SQLite (its own file) or PostgreSQL."""

    dialect: str

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...


class Signal(Protocol):
    """Wakes a projection runner when the log has grown."""

    def notify(self, position: int) -> None: ...

    def wait(self, timeout: float) -> bool: ...
