"""dramatiq actors: long projection operations run on the workers, not in API requests."""

from __future__ import annotations

import logging

import dramatiq

from projections import operations
from workers import runtime
from workers.chats import reconcile_chats
from workers.export_delivery import EXPORT_ACTORS

log = logging.getLogger(__name__)


@dramatiq.actor(queue_name="operations", max_retries=3, time_limit=6 * 3600 * 1000)
def rebuild_projections(names: list[str] | None = None) -> None:
    """Rebuild projections from position 0 in shadow tables and swap them in."""
    services = runtime.services()
    recorder, mapper = services.recorder_and_mapper()
    count = operations.rebuild(
        recorder, mapper, services.views, services.projections, names,
        batch_size=services.settings.projection_batch_size,
    )
    log.info("rebuilt %s from %d events", names or "all projections", count)


ACTORS: list[dramatiq.Actor[..., None]] = [rebuild_projections, reconcile_chats, *EXPORT_ACTORS]
