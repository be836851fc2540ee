""""As of": a view exactly as it stood at a past log position, for auditors.

The projections a view needs are replayed from position 0 up to that position into
temporary shadow tables of their own (a random suffix, like operations.py's `_shadow`), the
query runs on them, and they are dropped. Nothing live is touched, and the answer is what
the live view held when the log ended at that position, by construction.

Cost: one replay reads `position` events and applies them to the replayed projections only:
about as long as rebuilding those projections up to there (tens of thousands of events a
second, see bench/). It is bounded: a position past `MAX_EVENTS` is refused, and one
replay runs at a time in a process (`busy()`), so auditors cannot load the database with
concurrent replays. Far-back moments of a large region are an offline job: rebuild the
projection with `zhurnal projections rebuild` into a copy of the database.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from domain.errors import DomainError, InvalidValue
from projections.base import Projection
from projections.runner import POSITIONS, ProjectionRunner
from projections.store import ViewStore

MAX_EVENTS = 500_000
SUFFIX = "_asof_"
Factory = Callable[[str], list[Projection]]
_one_at_a_time = threading.Lock()


class ReplayBusy(DomainError):
    title = "Another as-of replay is running"


@contextmanager
def replayed(
    recorder: ApplicationRecorder, mapper: Mapper[Any], store: ViewStore, factory: Factory,
    names: Sequence[str], position: int, batch_size: int = 2000,
    max_events: int = MAX_EVENTS, wait_seconds: float = 10.0,
) -> Iterator[dict[str, Projection]]:
    """The named projections replayed up to `position`, by name, dropped on exit."""
    if position < 0:
        raise InvalidValue("position", "a log position is not negative")
    if position > max_events:
        raise InvalidValue("position", f"replaying {position} events is more than the "
                                       f"{max_events} an on-line as-of query may")
    if not _one_at_a_time.acquire(timeout=wait_seconds):
        raise ReplayBusy("another as-of replay is running; retry shortly")
    suffix = SUFFIX + uuid.uuid4().hex[:10]
    shadows = [p for p in factory(suffix) if p.name in names]
    try:
        runner = ProjectionRunner(recorder, mapper, store, shadows, batch_size=batch_size,
                                  position_key=lambda p: p.name + suffix)
        if position:
            runner.catch_up(stop_at=position)
        yield {shadow.name: shadow for shadow in shadows}
    finally:
        try:
            with store.transaction() as tx:
                for shadow in shadows:
                    shadow.drop_tables(tx)
                    tx.execute(f"DELETE FROM {POSITIONS} WHERE name = ?",
                               (shadow.name + suffix,))
        finally:
            _one_at_a_time.release()
