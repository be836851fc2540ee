"""The batching runner: a batch of notifications, the views and positions in ONE transaction."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.base import Positioned, Projection
from projections.store import Signal, Tx, ViewStore

log = logging.getLogger(__name__)

POSITIONS = "projection_positions"
BATCHES = "projection_batches"  # each projection's last batch and totals, for /metrics
LOCK_CLASS = 0x7A68726E  # "zhrn": with a projection's position key, one batch at a time
CATCH_UP_BATCH = 50_000  # events in one batch while far behind (rebuild, verify, a restart)


def create_positions_table(tx: Tx) -> None:
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS {POSITIONS} "
        "(name TEXT PRIMARY KEY, position BIGINT NOT NULL, version INTEGER NOT NULL)"
    )


def create_batches_table(tx: Tx) -> None:
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS {BATCHES} (name TEXT PRIMARY KEY, "
        "events BIGINT NOT NULL, seconds DOUBLE PRECISION NOT NULL, "
        "finished_at DOUBLE PRECISION NOT NULL, batches BIGINT NOT NULL, "
        "events_total BIGINT NOT NULL, seconds_total DOUBLE PRECISION NOT NULL)"
    )


def write_batches(tx: Tx, rows: Sequence[tuple[str, int, float]]) -> None:
    """(position key, events, seconds in process()) of each projection in this batch: the
    last batch replaced, the totals added to (in the batch's transaction, so exactly once)."""
    if not rows:
        return
    now = time.time()
    tx.executemany(
        f"INSERT INTO {BATCHES} (name, events, seconds, finished_at, batches, events_total, "
        "seconds_total) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "events = excluded.events, seconds = excluded.seconds, "
        f"finished_at = excluded.finished_at, batches = {BATCHES}.batches + 1, "
        f"events_total = {BATCHES}.events_total + excluded.events, "
        f"seconds_total = {BATCHES}.seconds_total + excluded.seconds",
        [(name, events, seconds, now, events, seconds) for name, events, seconds in rows],
    )


def read_batches(store: ViewStore) -> dict[str, tuple[Any, ...]]:
    """name -> (events, seconds, finished_at, batches, events_total, seconds_total)."""
    rows = store.fetchall(f"SELECT name, events, seconds, finished_at, batches, events_total, "
                          f"seconds_total FROM {BATCHES}")
    return {str(row[0]): tuple(row[1:]) for row in rows}


def lock_projections(tx: Tx, keys: Sequence[str]) -> None:
    """Hold each projection's advisory lock to the end of the transaction (PostgreSQL): one
    batch at a time per projection, whichever process runs it and with what others. Taken in
    name order, so two runners of overlapping sets never wait on each other in a cycle."""
    ordered = sorted(set(keys))
    if ordered:
        tx.execute("SELECT " + ", ".join("pg_advisory_xact_lock(?, hashtext(?))"
                                         for _ in ordered),
                   [value for key in ordered for value in (LOCK_CLASS, key)])


def built_by_older_code(projections: Sequence[Projection], versions: dict[Any, Any],
                        key: Callable[[Projection], str] = lambda p: p.name) -> set[str]:
    """Projections whose tables an earlier version of their code built (`versions`: position
    key -> stored version): this code must not add to them (nor record its version over
    them) until a rebuild swaps them."""
    return {p.name for p in projections if versions.get(key(p)) not in (None, p.version)}


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
    projections: dict[str, float] = field(default_factory=dict)  # name -> seconds in process


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
        catch_up_size: int | None = None,
    ) -> None:
        """`batch_size` events a batch; when a batch finds that many waiting (the runner is
        behind), it takes up to `catch_up_size` (default: `batch_size`) in one transaction:
        each state document and derived row is then loaded and written once for many more
        events. Views are the same whatever the batch boundaries. A batch holds the advisory
        lock of each of its projections (`lock_projections`), so runners of disjoint sets (a
        shadow rebuild, projections split over processes) run side by side.

        A projection that starts from 0 on such batches has its `deferred_index_names`
        dropped for the catch-up and built once it has caught up: one sort over the finished
        table instead of an insert at a random place for every row."""
        self.recorder = recorder
        self.mapper = mapper
        self.store = store
        self.projections = list(projections)
        self.batch_size = batch_size
        self.catch_up_size = max(batch_size, catch_up_size or batch_size)
        self.signal = signal
        self.poll_seconds = poll_seconds
        self.position_key = position_key
        self.last_batch = BatchTiming()
        # Counters of this runner (this process): committed batches, events, failures.
        self.batches = 0
        self.events = 0
        self.seconds = 0.0
        self.failures = 0
        self._stop = threading.Event()
        self.lz4 = False
        self.deferred: list[Projection] = []  # whose deferred indexes wait for the catch-up
        self.setup()

    def setup(self) -> None:
        with self.store.transaction() as tx:
            create_positions_table(tx)
            create_batches_table(tx)
            for projection in self.projections:
                projection.create_tables(tx, self.store.dialect)
            versions = dict(tx.fetchall(f"SELECT name, version FROM {POSITIONS}"))
            self.lz4 = self.store.dialect == "postgres" and bool(tx.fetchone(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"))
        self.outdated = self._outdated(versions)
        for projection in self.projections:
            if projection.name in self.outdated:
                log.warning("projection %s was built by version %s of its code, this is "
                            "version %s: it is not kept until it is rebuilt (`zhurnal worker` "
                            "and `zhurnal serve` rebuild it in the background; or zhurnal "
                            "projections rebuild %s)", projection.name,
                            versions[self.position_key(projection)], projection.version,
                            projection.name)

    def _outdated(self, versions: dict[Any, Any]) -> set[str]:
        return built_by_older_code(self.projections, versions, self.position_key)

    def positions(self) -> dict[str, int]:
        stored = read_positions(self.store)
        return {p.name: stored.get(self.position_key(p), 0) for p in self.projections}

    def run_once(self, stop_at: int | None = None) -> int:
        """Process one batch; returns how many notifications were read (0: caught up).

        The cyclic garbage collector is paused for the batch: a batch makes many small
        objects (events, documents) and few cycles, and with a large heap each collection
        would walk every object again (a third of a catch-up's CPU time)."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run_once(stop_at)
        finally:
            if collecting:
                gc.enable()

    def _run_once(self, stop_at: int | None) -> int:
        began = time.perf_counter()
        with self.store.transaction() as tx:
            if self.store.dialect == "postgres":
                # Several worker processes may run the same projections: one at a time.
                lock_projections(tx, [self.position_key(p) for p in self.projections])
                if self.lz4:  # large values (export diaries, lesson states): 3x faster than pglz
                    tx.execute("SET LOCAL default_toast_compression = 'lz4'")
            rows = tx.fetchall(f"SELECT name, position, version FROM {POSITIONS}")
            stored = {str(name): int(position) for name, position, _version in rows}
            self.outdated = self._outdated({str(name): int(v) for name, _p, v in rows})
            kept = [p for p in self.projections if p.name not in self.outdated]
            if not kept:
                return 0
            positions = {p.name: stored.get(self.position_key(p), 0) for p in kept}
            start = min(positions.values(), default=0)
            notifications = self.recorder.select_notifications(
                start=start, limit=self.batch_size, stop=stop_at, inclusive_of_start=False
            )
            if not notifications:
                for projection in kept:
                    projection.caught_up(tx)
                self._build_deferred(tx)
                return 0
            if len(notifications) == self.batch_size < self.catch_up_size:
                notifications = [*notifications, *self.recorder.select_notifications(
                    start=notifications[-1].id, limit=self.catch_up_size - self.batch_size,
                    stop=stop_at, inclusive_of_start=False)]
                self._defer_indexes(tx, [p for p in kept if not positions[p.name]])
            # A mapper that decodes a batch at once reads its personal-data keys in one query.
            decode = getattr(self.mapper, "to_domain_events", None)
            decoded = (decode(notifications) if decode is not None
                       else [self.mapper.to_domain_event(n) for n in notifications])
            events: list[Positioned] = [
                (n.id, event) for n, event in zip(notifications, decoded, strict=True)
            ]
            last = notifications[-1].id
            # A full catch-up batch: more is waiting (the last batch is a short one, or none).
            catching_up = len(notifications) >= self.catch_up_size > self.batch_size
            spent: list[tuple[str, int, float]] = []
            lives: list[bool] = []
            for projection in kept:
                position = positions[projection.name]
                # Optional hook: a projection with `reads_stored_events` (the audit chain)
                # gets the stored notifications, bytes as recorded, instead of events.
                source = ([(n.id, n) for n in notifications]
                          if getattr(projection, "reads_stored_events", False) else events)
                mine = source if position == start else [e for e in source if e[0] > position]
                if mine:
                    at = time.perf_counter()
                    projection.catching_up = catching_up
                    projection.process(tx, mine)
                    key = self.position_key(projection)
                    spent.append((key, len(mine), time.perf_counter() - at))
                    lives.append(key == projection.name)
                if last > position:
                    write_position(tx, self.position_key(projection), last, projection.version)
            if len(notifications) < self.catch_up_size:
                self._build_deferred(tx)  # near the head: the next batches are small
            # Recorded for the live views only, not for shadow copies (rebuild, verify, as-of).
            write_batches(tx, [row for row, live in zip(spent, lives, strict=True) if live])
        self.last_batch = BatchTiming(len(events), time.perf_counter() - began,
                                      {name: seconds for name, _count, seconds in spent})
        self.batches += 1
        self.events += len(events)
        self.seconds += self.last_batch.seconds
        return len(notifications)

    def _defer_indexes(self, tx: Tx, fresh: Sequence[Projection]) -> None:
        """Drop the deferrable indexes of projections about to catch up from 0."""
        for projection in fresh:
            names = projection.deferred_index_names()
            if names and projection not in self.deferred:
                for name in names:
                    tx.execute(f"DROP INDEX IF EXISTS {name}")
                self.deferred.append(projection)

    def _build_deferred(self, tx: Tx) -> None:
        """Create the indexes dropped for a catch-up (the DDL creates only what is missing;
        `setup` does the same if a process stopped half-way)."""
        if self.deferred and self.store.dialect == "postgres":
            # the sort of a million-row index in memory, not in temporary files
            tx.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for projection in self.deferred:
            projection.create_tables(tx, self.store.dialect)
        self.deferred.clear()

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
                self.failures += 1
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
        pause = min(pause * 2, 0.01)  # a commit is noticed within 10 ms (the diary: 3 ms)
    return True
