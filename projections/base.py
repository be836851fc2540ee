"""A projection: the events it handles, its tables, its queries."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from projections.store import Tx, ViewStore

Positioned = tuple[int, Any]  # (log position, domain event)


class Projection(ABC):
    """A read model kept by the runner; `suffix` names a shadow copy for rebuilds."""

    name: str
    version: int = 1
    # Set by the runner before each `process`: a full catch-up batch, more events waiting.
    catching_up: bool = False

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix

    def table(self, name: str) -> str:
        return f"{name}{self.suffix}"

    @abstractmethod
    def table_names(self) -> Sequence[str]:
        """The base names of this projection's tables."""

    def index_names(self) -> Sequence[str]:
        """Names of this copy's indexes (dropped when a shadow is swapped in)."""
        return ()

    def deferred_index_names(self) -> Sequence[str]:
        """Indexes only queries use, never `process`: a catch-up from 0 builds them at its
        end (`ProjectionRunner`). `create_tables` must create them if missing."""
        return ()

    @abstractmethod
    def create_tables(self, tx: Tx, dialect: str) -> None:
        """Create the tables if missing (portable DDL)."""

    @abstractmethod
    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        """Apply a batch of events in the runner's transaction."""

    def caught_up(self, tx: Tx) -> None:
        """The runner found nothing more to read: finish what a catch-up left for later."""
        return None  # most projections leave nothing

    def drop_tables(self, tx: Tx) -> None:
        for name in self.table_names():
            tx.execute(f"DROP TABLE IF EXISTS {self.table(name)}")

    def dump(self, store: ViewStore) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: what `verify` compares."""
        return {
            name: sorted(store.fetchall(f"SELECT * FROM {self.table(name)}"), key=repr)
            for name in self.table_names()
        }
