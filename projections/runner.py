"""The batching runner: a batch of notifications, the views and positions in ONE transaction."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.base import Positioned, Projection
from projections.store import Signal, Tx, ViewStore

log = logging.getLogger(__name__)

POSITIONS = "projection_positions"
RUNNER_LOCK = 0x7A68726E  # "zhrn"


def create_positions_table(tx: Tx) -> None:
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS {POSITIONS} "
        "(name TEXT PRIMARY KEY, position BIGINT NOT NULL, version INTEGER NOT NULL)"
    )


def read_position(store: ViewStore, name: str) -> int:
    row = store.fetchone(f"SELECT position FROM {POSITIONS} WHERE name = ?", (name,))
    return int(row[0]) if row else 0


def read_positions(store: ViewStore) -> dict[str, int]:
    rows = store.fetchall(f"SELECT name, position FROM {POSITIONS}")
    return {str(name): int(position) for name, position in rows}


def write_position(tx: Tx, name: str, position: int, version: int) -> None:
    tx.execute(
        f"INSERT INTO {POSITIONS} (name, position, version) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
        "version = excluded.version",
        (name, position, version),
    )


@dataclass
class BatchTiming:
    events: int = 0
    seconds: float = 0.0


class ProjectionRunner:
    """Follows the log for a set of projections, each at its own position."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        store: ViewStore,
        projections: Sequence[Projection],
        batch_size: int = 2000,
        signal: Signal | None = None,
        poll_seconds: float = 1.0,
        position_key: Callable[[Projection], str] = lambda p: p.name,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.store = store
        self.projections = list(projections)
        self.batch_size = batch_size
        self.signal = signal
        self.poll_seconds = poll_seconds
        self.position_key = position_key
        self.last_batch = BatchTiming()
        self._stop = threading.Event()
        self.setup()

    def setup(self) -> None:
        with self.store.transaction() as tx:
            create_positions_table(tx)
            for projection in self.projections:
                projection.create_tables(tx, self.store.dialect)

    def positions(self) -> dict[str, int]:
        stored = read_positions(self.store)
        return {p.name: stored.get(self.position_key(p), 0) for p in self.projections}

    def run_once(self, stop_at: int | None = None) -> int:
        """Process one batch; returns how many notifications were read (0: caught up)."""
        began = time.perf_counter()
        with self.store.transaction() as tx:
            if self.store.dialect == "postgres":
                # Several worker processes may run the same projections: one at a time.
                tx.execute("SELECT pg_advisory_xact_lock(?)", (RUNNER_LOCK,))
            rows = tx.fetchall(f"SELECT name, position FROM {POSITIONS}")
            stored = {str(name): int(position) for name, position in rows}
            positions = {p.name: stored.get(self.position_key(p), 0) for p in self.projections}
            start = min(positions.values(), default=0)
            notifications = self.recorder.select_notifications(
                start=start, limit=self.batch_size, stop=stop_at, inclusive_of_start=False
            )
            if not notifications:
                return 0
            events: list[Positioned] = [
                (n.id, self.mapper.to_domain_event(n)) for n in notifications
            ]
            last = notifications[-1].id
            for projection in self.projections:
                position = positions[projection.name]
                mine = events if position == start else [e for e in events if e[0] > position]
                if mine:
                    projection.process(tx, mine)
                if last > position:
                    write_position(tx, self.position_key(projection), last, projection.version)
        self.last_batch = BatchTiming(len(events), time.perf_counter() - began)
        return len(notifications)

    def catch_up(
        self, stop_at: int | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Run batches until the log (or `stop_at`) is reached; returns events processed."""
        total = 0
        while True:
            count = self.run_once(stop_at)
            if count == 0:
                return total
            total += count
            if progress is not None:
                progress(count)

    def run_forever(self) -> None:
        """Catch up, then wait for a signal (or the poll interval) and repeat."""
        while not self._stop.is_set():
            try:
                count = self.run_once()
            except Exception:
                log.exception("projection batch failed; retrying")
                self._stop.wait(self.poll_seconds)
                continue
            if count == 0:
                if self.signal is not None:
                    self.signal.wait(self.poll_seconds)
                else:
                    self._stop.wait(self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self.signal is not None:
            self.signal.notify(0)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="projection-runner", daemon=True)
        thread.start()
        return thread


def wait_for_position(
    store: ViewStore, name: str, min_position: int, timeout: float
) -> bool:
    """Read-your-writes: wait (bounded) until the projection has passed `min_position`."""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while read_position(store, name) < min_position:
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return True
