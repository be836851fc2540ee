"""Aggregates kept between commands, lent to one command at a time (DESIGN: write side).

A command takes an aggregate out of the cache, brings it up to date with the events stored
after its version (another process may have written them) and gives it back when the
command ends, if it matches the log: saved by the command, or not changed at all. An
aggregate left with pending events (a refused command) or whose save failed is dropped, so
the cache never holds a state the log does not have, and no copy is needed to lend one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from uuid import UUID

from eventsourcing.domain import Aggregate


class AggregateCache:
    """A thread-safe LRU of aggregates at a version that is in the log."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        """Lend the cached aggregate to the caller alone (None: not cached)."""
        with self._lock:
            return self._items.pop(aggregate_id, None)

    def peek(self, aggregate_id: UUID) -> Aggregate | None:
        """The cached aggregate, for reading attributes that never change (ids)."""
        return self._items.get(aggregate_id)

    def give(self, aggregate: Aggregate) -> None:
        """Keep an aggregate that matches the log, unless a newer one is kept already."""
        with self._lock:
            kept = self._items.get(aggregate.id)
            if kept is not None and kept.version > aggregate.version:
                return
            self._items[aggregate.id] = aggregate
            self._items.move_to_end(aggregate.id)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
