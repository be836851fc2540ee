"""The API's asynchronous view reads on PostgreSQL: the shared `min_position` poller ends with
the views it polls (a test client's loop, a server's shutdown)."""

from __future__ import annotations

import asyncio

from infra.aioviews import AsyncViews
from infra.viewdb import PostgresViewStore
from projections.runner import POSITIONS


def test_closing_the_views_stops_the_poller_and_opens_no_pool_again(postgres_url: str) -> None:
    """A read waited for a position never reached and gave up; the views close while the
    poller sleeps. Its next poll once opened a new pool in a loop about to end, and the
    loop's shutdown then waited on that pool for good (a hang at a test client's exit)."""
    store = PostgresViewStore(postgres_url)
    with store.transaction() as tx:
        tx.execute(f"CREATE TABLE IF NOT EXISTS {POSITIONS} (name TEXT PRIMARY KEY, "
                   "position BIGINT NOT NULL, version INTEGER NOT NULL DEFAULT 1)")

    async def scenario() -> tuple[bool, bool, bool]:
        views = AsyncViews(store)
        views.watch.interval = 0.3  # the poller sleeps while the waiter gives up
        await views.open()
        reached = await views.watch.wait_for("diary", 10, timeout=0.1)
        await views.close()
        await asyncio.sleep(0.5)  # past the poller's next wake-up
        reopened = views._pool is not None
        poller = views.watch._poller
        return reached, reopened, poller is None or poller.done()

    try:
        reached, reopened, stopped = asyncio.run(asyncio.wait_for(scenario(), 10))
    finally:
        store.close()
    assert (reached, reopened, stopped) == (False, False, True)
