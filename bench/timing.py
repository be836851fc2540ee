"""Stop-watches around the runner's parts (no edit of the runner), and a compact cProfile table."""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from projections.base import Positioned, Projection
from projections.store import Tx, ViewStore


class Clock:
    """Seconds per phase; `current` names the projection whose process() is running."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}  # statements (reads) or rows (writes) per key
        self.current: str | None = None

    def add(self, key: str, began: float, count: int = 1) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - began
        self.counts[key] = self.counts.get(key, 0) + count


class TimedRecorder:
    def __init__(self, inner: Any, clock: Clock) -> None:
        self.inner, self.clock = inner, clock

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return self.inner.select_notifications(*args, **kwargs)
        finally:
            self.clock.add("select_notifications", began)


class TimedMapper:
    def __init__(self, inner: Any, clock: Clock) -> None:
        self.inner, self.clock = inner, clock

    def to_domain_event(self, stored: Any) -> Any:
        began = time.perf_counter()
        try:
            return self.inner.to_domain_event(stored)
        finally:
            self.clock.add("decode (mapper.to_domain_event)", began)


class TimedTx:
    def __init__(self, inner: Tx, clock: Clock) -> None:
        self.inner, self.clock = inner, clock

    def _key(self, kind: str) -> str:
        current = self.clock.current
        return f"{current}: SQL {kind}" if current else "runner: lock + positions"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        began = time.perf_counter()
        self.inner.execute(sql, params)
        self.clock.add(self._key("writes"), began)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        began = time.perf_counter()
        self.inner.executemany(sql, rows)
        self.clock.add(self._key("writes"), began, len(rows))

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        began = time.perf_counter()
        try:
            return self.inner.fetchall(sql, params)
        finally:
            self.clock.add(self._key("reads"), began)

    def upsert(self, *args: Any) -> None:
        """A bulk upsert, if the store's transactions offer one (passed through, timed)."""
        inner: Any = self.inner
        began = time.perf_counter()
        inner.upsert(*args)
        self.clock.add(self._key("writes"), began, len(args[-1]))

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        began = time.perf_counter()
        try:
            return self.inner.fetchone(sql, params)
        finally:
            self.clock.add(self._key("reads"), began)


class TimedStore:
    """The view store, with BEGIN and COMMIT (the context manager's enter and exit) timed."""

    def __init__(self, inner: ViewStore, clock: Clock) -> None:
        self.inner, self.clock = inner, clock
        self.dialect = inner.dialect

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        began = time.perf_counter()
        manager = self.inner.transaction()
        tx = manager.__enter__()
        self.clock.add("begin", began)
        try:
            yield TimedTx(tx, self.clock)
        except BaseException as error:
            if not manager.__exit__(type(error), error, error.__traceback__):
                raise
        else:
            began = time.perf_counter()
            manager.__exit__(None, None, None)
            self.clock.add("commit", began)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.inner.fetchall(sql, params)

    def exclusive(self, name: str) -> AbstractContextManager[bool]:
        return self.inner.exclusive(name)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.inner.fetchone(sql, params)


class TimedProjection(Projection):
    def __init__(self, inner: Projection, clock: Clock) -> None:
        super().__init__(inner.suffix)
        self.inner, self.clock = inner, clock
        self.name, self.version = inner.name, inner.version

    def table_names(self) -> Sequence[str]:
        return self.inner.table_names()

    def create_tables(self, tx: Tx, dialect: str) -> None:
        self.inner.create_tables(tx, dialect)

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        began = time.perf_counter()
        self.clock.current = self.name
        try:
            self.inner.process(tx, events)
        finally:
            self.clock.current = None
            self.clock.add(f"{self.name}: total", began)


def hot_spots(profile: cProfile.Profile, limit: int) -> list[tuple[str, int, str, str]]:
    """(function, calls, own seconds, cumulative seconds), the largest own time first."""
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:limit]
    return [(_label(key), int(value[1]), f"{value[2]:.3f}", f"{value[3]:.3f}")
            for key, value in rows]


def _label(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    parts = Path(filename).parts
    for anchor in ("site-packages", "python3.11"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + 1:]
            break
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{line}({function})"
