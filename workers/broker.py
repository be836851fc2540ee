"""dramatiq configured explicitly: Redis in production, an in-process broker embedded."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, TimeLimit


def configure_broker(redis_url: str | None) -> dramatiq.Broker:
    """Build and install the broker; the middleware list is ours, not dramatiq's defaults."""
    middleware = [AgeLimit(), TimeLimit(), Callbacks(), Pipelines(), Retries(max_retries=20)]
    broker: dramatiq.Broker
    if redis_url:
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=redis_url, middleware=middleware, namespace="zhurnal"
        )
    else:
        broker = StubBroker(middleware=middleware)
        broker.emit_after("process_boot")
    dramatiq.set_broker(broker)
    from workers.actors import ACTORS  # declared after the broker, so they bind to it

    for actor in ACTORS:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker


def start_worker(broker: dramatiq.Broker, threads: int = 2) -> dramatiq.Worker:
    """Worker threads in this process (the embedded default and `zhurnal worker`)."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    return worker
