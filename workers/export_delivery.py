"""Push delivery: sealed deltas POSTed in order to ZHURNAL_EXPORT_PUSH_URL.

Each delta goes with `Idempotency-Key: <number>`, so a resend after a crash (the receiver got
it, we had not yet written that down) is one the receiver can recognise. The state is one row
(`export_push`): the last delivered number, consecutive failures, the next attempt. A 5xx, a
408/429, a time-out or a broken connection waits an exponential back-off (1 s doubling, up to
ZHURNAL_EXPORT_PUSH_MAX_BACKOFF) and tries the same delta again; any other 4xx stops delivery
with an alert (status and an ERROR log line) until `zhurnal export resume`. A lease in the row
keeps two workers from delivering at once; a dead worker's lease runs out. Everything is in
the database, so a restarted worker goes on from the first undelivered delta.

The actors: `seal_export` (sent by the scheduler) seals and then kicks `deliver_export`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import dramatiq
import httpx

from projections.export_deltas import Manifest, body, manifest, seal
from projections.export_status import PUSH, create_tables, push_state
from projections.store import Tx, ViewStore
from workers import runtime

log = logging.getLogger("zhurnal.export.push")
PUSH_LOCK = 0x7A687075  # "zhpu"
RETRYABLE_4XX = frozenset({408, 425, 429})
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Delivery:
    """What one run did: `done` (nothing left), `retry` (wait until `next_attempt_at`),
    `stopped` (a 4xx: an operator must resume), `busy` (another worker holds the lease),
    `waiting` (backing off)."""

    status: str
    delivered: list[int] = field(default_factory=list)
    error: str | None = None
    next_attempt_at: datetime | None = None


class Pusher:
    def __init__(self, store: ViewStore, url: str, timeout: float = 30.0,
                 max_backoff: float = 900.0, lease_seconds: float = 300.0,
                 clock: Clock = utc_now, client: httpx.Client | None = None,
                 holder: str | None = None) -> None:
        self.store, self.url, self.timeout = store, url, timeout
        self.max_backoff, self.lease = max_backoff, timedelta(seconds=lease_seconds)
        self.clock, self.client = clock, client
        self.holder = holder or f"{uuid.uuid4()}"

    def run(self, limit: int | None = None) -> Delivery:
        """Deliver every sealed delta not yet delivered (at most `limit`), in order."""
        create_tables(self.store)
        refused = self._take_lease()
        if refused is not None:
            return refused
        outcome = Delivery("done")
        try:
            client = self.client or httpx.Client(timeout=self.timeout)
            try:
                while limit is None or len(outcome.delivered) < limit:
                    number = push_state(self.store)["delivered"] + 1
                    sealed = manifest(self.store, number)
                    if sealed is None:
                        break
                    failure = self._send(client, sealed)
                    if failure is not None:
                        failure.delivered = outcome.delivered
                        return failure
                    outcome.delivered.append(number)
            finally:
                if self.client is None:
                    client.close()
        finally:
            self._update("holder = NULL, lease_until = NULL", ())
        return outcome

    def _take_lease(self) -> Delivery | None:
        now = self.clock()
        with self.store.transaction() as tx:
            if self.store.dialect == "postgres":
                tx.execute("SELECT pg_advisory_xact_lock(?)", (PUSH_LOCK,))
            row = tx.fetchone(f"SELECT stopped, next_attempt_at, holder, lease_until "
                              f"FROM {PUSH} WHERE name = 'push'")
            stopped, next_attempt, holder, until = row if row else (0, None, None, None)
            if stopped:
                return Delivery("stopped", error="delivery is stopped: zhurnal export resume")
            if next_attempt and now < _time(next_attempt):
                return Delivery("waiting", next_attempt_at=_time(next_attempt))
            if holder and holder != self.holder and until and now < _time(until):
                return Delivery("busy")
            _set(tx, "holder = ?, lease_until = ?, url = ?",
                 (self.holder, (now + self.lease).isoformat(), self.url))
        return None

    def _send(self, client: httpx.Client, sealed: Manifest) -> Delivery | None:
        number, now = sealed.number, self.clock()
        headers = {"Idempotency-Key": str(number), "Content-Type": "application/gzip",
                   "Content-Length": str(sealed.size),
                   "X-Export-Delta": str(number), "X-Export-Sha256": sealed.sha256,
                   "X-Export-Records": str(sealed.records), "X-Export-Kind": sealed.kind,
                   "X-Export-Positions": f"{sealed.from_position}-{sealed.to_position}"}
        self._update("last_attempt_at = ?", (now.isoformat(),))
        try:
            answer = client.post(self.url, content=_parts(self.store, number), headers=headers,
                                 timeout=self.timeout)
        except httpx.TransportError as error:  # time-outs and broken connections
            return self._failed(number, f"{type(error).__name__}: {error}")
        if answer.is_success:
            self._update("delivered = ?, failures = 0, last_error = NULL, next_attempt_at = NULL, "
                         "delivered_at = ?, lease_until = ?",
                         (number, now.isoformat(), (self.clock() + self.lease).isoformat()),
                         f"delivered = {number - 1}")
            log.info("export delta %d delivered (%d records)", number, sealed.records)
            return None
        text = f"HTTP {answer.status_code}: {answer.text[:300]}"
        if 400 <= answer.status_code < 500 and answer.status_code not in RETRYABLE_4XX:
            alert = f"delta {number} refused by {self.url}: {text}"
            self._update("stopped = 1, alert = ?, last_error = ?", (alert, text))
            log.error("EXPORT PUSH STOPPED: %s; fix it, then run `zhurnal export resume`", alert)
            return Delivery("stopped", error=alert)
        return self._failed(number, text)

    def _failed(self, number: int, error: str) -> Delivery:
        failures = push_state(self.store)["failures"] + 1
        wait = min(self.max_backoff, 2.0 ** (failures - 1))
        next_attempt = self.clock() + timedelta(seconds=wait)
        self._update("failures = ?, last_error = ?, next_attempt_at = ?",
                     (failures, error, next_attempt.isoformat()))
        log.warning("export delta %d not delivered (attempt %d): %s; next attempt in %.0f s",
                    number, failures, error, wait)
        return Delivery("retry", error=error, next_attempt_at=next_attempt)

    def _update(self, assignments: str, params: tuple[object, ...], guard: str = "") -> None:
        with self.store.transaction() as tx:
            _set(tx, assignments, params, guard)


def _set(tx: Tx, assignments: str, params: tuple[object, ...], guard: str = "") -> None:
    tx.execute(f"UPDATE {PUSH} SET {assignments} WHERE name = 'push'"
               + (f" AND {guard}" if guard else ""), params)


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parts(store: ViewStore, number: int) -> Iterator[bytes]:
    yield from body(store, number)


def resume(store: ViewStore) -> None:
    """Clear a stop (after the cause of the 4xx was fixed) and the back-off."""
    create_tables(store)
    with store.transaction() as tx:
        _set(tx, "stopped = 0, alert = NULL, failures = 0, next_attempt_at = NULL", ())


def rewind(store: ViewStore, delivered: int) -> None:
    """Start again after `delivered` (a new receiver that needs everything again: 0)."""
    create_tables(store)
    with store.transaction() as tx:
        _set(tx, "delivered = ?, failures = 0, next_attempt_at = NULL", (delivered,))


@dramatiq.actor(queue_name="export", max_retries=3, time_limit=2 * 3600 * 1000)
def seal_export() -> None:
    """Seal the records since the last delta; then push, when a push URL is set."""
    services = runtime.services()
    sealed = seal(services.views)
    if sealed is None:
        log.info("export: nothing new to seal")
    else:
        log.info("export delta %d sealed: %d records, positions %d-%d", sealed.number,
                 sealed.records, sealed.from_position, sealed.to_position)
    if services.settings.export_push_url:
        deliver_export.send()


@dramatiq.actor(queue_name="export", max_retries=0, time_limit=6 * 3600 * 1000)
def deliver_export() -> None:
    """Push the undelivered deltas in order; after a failure, come back when the back-off
    ends (the scheduler's periodic kick also resumes delivery after any restart)."""
    settings = runtime.services().settings
    if not settings.export_push_url:
        return
    outcome = Pusher(runtime.services().views, settings.export_push_url,
                     timeout=settings.export_push_timeout_seconds,
                     max_backoff=settings.export_push_max_backoff_seconds).run()
    if outcome.status == "retry" and outcome.next_attempt_at is not None:
        delay = (outcome.next_attempt_at - datetime.now(UTC)).total_seconds()
        deliver_export.send_with_options(delay=max(0, int(delay * 1000)) + 50)


EXPORT_ACTORS: list[dramatiq.Actor[..., None]] = [seal_export, deliver_export]
