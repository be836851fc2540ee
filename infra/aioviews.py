"""Async reads of the views for the hottest routes (the diary), without a thread hop.

A synchronous FastAPI route or dependency runs in the thread pool: each costs a hand-over
between threads, several per request, and under load that hand-over, not the query, is what
a request waits for. `AsyncViews` queries from the serving event loop instead: a psycopg
`AsyncConnectionPool` on PostgreSQL, opened in the loop that uses it (one per API process);
on SQLite (the embedded default) the synchronous store in a worker thread.

`PositionWatch` is the read-your-writes wait (`min_position`) for it: the requests that wait
share one poller, which reads the projection positions every few milliseconds while anybody
waits (one cheap query for all of them) and wakes each request as soon as its view has passed
its position, so a wait costs at most one poll interval after the runner's commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from anyio import to_thread
from psycopg import AsyncConnection, errors, pq
from psycopg.adapt import Transformer
from psycopg.types.string import ByteaBinaryLoader
from psycopg_pool import AsyncConnectionPool

from infra.viewdb import PostgresViewStore, _pg
from projections.runner import POSITIONS
from projections.store import ViewStore

_REFRESH = 60.0  # seconds a connection goes from query to query outside the pool


class AsyncViews:
    """`fetchall`/`fetchone` of a view store, awaitable; `open` in the loop that uses it."""

    def __init__(self, store: ViewStore, max_size: int = 4) -> None:
        # A few connections: one process's loop keeps them all busy (a read is ~0.5 ms of
        # the database's time), and more only count against max_connections.
        self.store = store
        self.max_size = max_size
        self._pool: AsyncConnectionPool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.watch = PositionWatch(self)
        # Connections back from a query, handed to the next one without the pool's lock and
        # timeout (~40 us a query); back to the pool when broken or every `_REFRESH` seconds,
        # so the pool still replaces broken and expired ones.
        self._idle: list[AsyncConnection[Any]] = []
        self._refresh_at = 0.0
        # Each statement's name and PostgreSQL text, and the ones each connection prepared.
        self._statements: dict[str, tuple[bytes, bytes]] = {}
        self._prepared: WeakKeyDictionary[AsyncConnection[Any], set[bytes]] = (
            WeakKeyDictionary())

    async def open(self) -> None:
        if not isinstance(self.store, PostgresViewStore):
            return
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._loop is loop:
            return
        # A pool serves the loop it was opened in; a new loop (a test client's) gets its own.
        self._pool, self._loop = None, loop
        self._idle = []
        pool = AsyncConnectionPool(self.store.pool.conninfo, min_size=2,
                                   max_size=self.max_size, open=False,
                                   kwargs={"autocommit": True}, configure=_raw_text)
        await pool.open(wait=True, timeout=10)
        self._pool = pool

    async def close(self) -> None:
        # The shared poller first: a poll after the pool closed would open another one in a
        # loop about to end (a test client's), whose shutdown then waited on it for good.
        await self.watch.close()
        pool, self._pool, self._loop = self._pool, None, None
        idle, self._idle = self._idle, []
        if pool is not None:
            for connection in idle:
                await pool.putconn(connection)
            await pool.close()

    async def fetchall(self, sql: str, params: Sequence[Any] = (),
                       raw: bool = False) -> list[tuple[Any, ...]]:
        """The rows; with `raw`, PostgreSQL's text columns come as their UTF-8 bytes (on
        SQLite as str): JSON documents go to msgspec without being decoded into str and
        encoded back (a diary week reads ~50 KB of them)."""
        if not isinstance(self.store, PostgresViewStore):
            return await to_thread.run_sync(self.store.fetchall, sql, params)
        if self._pool is None or self._loop is not asyncio.get_running_loop():
            await self.open()
        assert self._pool is not None
        # getconn/putconn, not `connection()`: its context manager and the connection's own
        # (a commit on exit, nothing to commit in autocommit) cost ~5% of a diary read.
        pool, idle = self._pool, self._idle
        connection = idle.pop() if idle else await pool.getconn()
        try:
            if all(type(param) is str for param in params):
                return await self._query(connection, sql, params, raw)
            cursor = connection.cursor(binary=raw)
            await cursor.execute(_pg(sql), params)  # type: ignore[arg-type]
            return await cursor.fetchall()
        finally:
            if (connection.pgconn.transaction_status is pq.TransactionStatus.IDLE
                    and pool is self._pool and len(idle) < self.max_size
                    and time.monotonic() < self._refresh_at):
                idle.append(connection)
            else:
                await pool.putconn(connection)  # a broken one is discarded and replaced
                if not idle:
                    self._refresh_at = time.monotonic() + _REFRESH

    async def _query(self, connection: AsyncConnection[Any], sql: str,
                     params: Sequence[str], raw: bool) -> list[tuple[Any, ...]]:
        """`cursor.execute` and `fetchall` for text parameters, on libpq itself: the
        statement prepared once per connection, each later run one round trip with a single
        wait in the loop per network read. psycopg's own path costs ~0.1 ms more of CPU
        per query (its generators, a timer and a reader registration per wait)."""
        statement = self._statements.get(sql)
        if statement is None:
            # Our SQL never holds a literal '?' (see `_pg`): each is the next parameter.
            first, *rest = sql.split("?")
            numbered = first + "".join(f"${n}{part}" for n, part in enumerate(rest, 1))
            statement = (f"_zv{len(self._statements)}".encode(), numbered.encode())
            self._statements[sql] = statement
        name, command = statement
        pgconn = connection.pgconn
        prepared = self._prepared.setdefault(connection, set())
        if name not in prepared:
            pgconn.send_prepare(name, command)
            await _results(pgconn)
            prepared.add(name)
        pgconn.send_query_prepared(name, [param.encode() for param in params],
                                   result_format=pq.Format.BINARY if raw else pq.Format.TEXT)
        result = (await _results(pgconn))[-1]
        loader = Transformer(connection)
        loader.set_pgresult(result)
        return loader.load_rows(0, result.ntuples, tuple)

    async def fetchone(self, sql: str, params: Sequence[Any] = (),
                       raw: bool = False) -> tuple[Any, ...] | None:
        rows = await self.fetchall(sql, params, raw)
        return rows[0] if rows else None

    async def position(self, name: str) -> int:
        row = await self.fetchone(f"SELECT position FROM {POSITIONS} WHERE name = ?", (name,))
        return int(row[0]) if row else 0


async def _results(pgconn: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """Flush what was sent, wait for and return every result of it (a failed one raised).

    The socket is watched for the whole query (one registration, not one per network read:
    a diary week's ~50 KB arrive in several)."""
    loop = asyncio.get_running_loop()
    fileno = pgconn.socket
    while pgconn.flush():  # nonblocking: the rest of the query still to be sent
        ready: asyncio.Future[None] = loop.create_future()
        loop.add_writer(fileno, _wake, ready)
        try:
            await ready
        finally:
            loop.remove_writer(fileno)
    results = []
    waiting = _Waiting(loop)
    try:
        while True:
            pgconn.consume_input()
            while pgconn.is_busy():
                await waiting.readable(fileno)
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            results.append(result)
    finally:
        waiting.close(fileno)
    for result in results:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            raise errors.error_from_result(result, encoding="utf-8")
    return results


class _Waiting:
    """A reader registered at the first wait, kept until `close`: each wait a new future."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.ready: asyncio.Future[None] | None = None
        self.watching = False

    def _wake(self) -> None:
        if self.ready is not None and not self.ready.done():
            self.ready.set_result(None)

    async def readable(self, fileno: int) -> None:
        self.ready = self.loop.create_future()
        if not self.watching:
            self.loop.add_reader(fileno, self._wake)
            self.watching = True
        await self.ready

    def close(self, fileno: int) -> None:
        if self.watching:
            self.loop.remove_reader(fileno)


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


async def _raw_text(connection: AsyncConnection[Any]) -> None:
    # Binary results only (`raw`): text in binary format is its UTF-8 bytes, loaded as is.
    connection.adapters.register_loader("text", ByteaBinaryLoader)


class PositionWatch:
    """Wait until a projection has passed a position: one shared poller for all waiters."""

    def __init__(self, views: AsyncViews, interval: float = 0.003) -> None:
        self.views = views
        self.interval = interval
        self._waiters: list[tuple[str, int, asyncio.Future[None]]] = []
        self._poller: asyncio.Task[None] | None = None

    async def wait_for(self, name: str, position: int, timeout: float) -> bool:
        if await self.views.position(name) >= position:
            return True
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append((name, position, waiter))
        if self._poller is None or self._poller.done() or self._poller.get_loop() is not loop:
            self._poller = loop.create_task(self._poll())
        try:
            await asyncio.wait_for(waiter, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters = [w for w in self._waiters if w[2] is not waiter]

    async def close(self) -> None:
        """Stop the poller (the waiters time out or were answered)."""
        poller, self._poller = self._poller, None
        if poller is not None and not poller.done() and poller.get_loop() is \
                asyncio.get_running_loop():
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller

    async def _poll(self) -> None:
        failures = 0
        while self._waiters:
            await asyncio.sleep(self.interval)
            if not self._waiters:  # answered or timed out meanwhile: no query for nobody
                return
            began = time.monotonic()
            try:
                rows = await self.views.fetchall(f"SELECT name, position FROM {POSITIONS}")
            except Exception:  # a lost connection: the waiters time out, or the next poll
                failures += 1
                await asyncio.sleep(min(1.0, 0.05 * failures))
                continue
            failures = 0
            positions = {str(name): int(at) for name, at in rows}
            for name, position, waiter in self._waiters:
                if positions.get(name, 0) >= position and not waiter.done():
                    waiter.set_result(None)
            # A slow database is not polled harder than it answers.
            await asyncio.sleep(min(0.05, time.monotonic() - began))
