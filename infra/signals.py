"""Wake-up signals for projection runners: in-process, or Redis pub/sub across processes."""

from __future__ import annotations

import logging
import threading

import redis

log = logging.getLogger(__name__)
CHANNEL = "zhurnal:log"


class LocalSignal:
    """Wakes the waiter: the embedded default, all in one process.

    A counter, not a bare `threading.Event` that `wait` clears after waking: a notify landing
    between the event's wake-up and its clear() was lost, and the runner then slept a whole
    poll interval (1 s) with new events in the log. `wait` returns at once when anything was
    notified since the previous `wait` returned (the batch the runner ran in between may have
    started before that event was committed)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._notified = 0
        self._seen = 0

    def notify(self, position: int) -> None:
        with self._changed:
            self._notified += 1
            self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        with self._changed:
            woken = self._changed.wait_for(lambda: self._notified != self._seen, timeout)
            self._seen = self._notified
            return woken


class RedisSignal(LocalSignal):
    """Publishes each new position; a listener thread wakes the local waiters."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.client = redis.Redis.from_url(url)
        self._listener: threading.Thread | None = None
        self._stopped = threading.Event()

    def notify(self, position: int) -> None:
        try:
            self.client.publish(CHANNEL, str(position))
        except redis.RedisError:
            log.warning("could not publish the wake-up signal; runners will poll")
        super().notify(position)

    def listen(self) -> None:
        """Start the subscriber thread (runner processes only)."""
        if self._listener is None:
            self._listener = threading.Thread(target=self._listen, name="signal", daemon=True)
            self._listener.start()

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
                pubsub.subscribe(CHANNEL)
                while not self._stopped.is_set():
                    # A timeout, so a closing signal is noticed within a second.
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        super().notify(0)
                pubsub.close()
                return
            except (redis.RedisError, OSError, ValueError):
                if self._stopped.is_set():
                    return  # closed under us on shutdown
                log.warning("signal subscription lost; retrying in 1 s")
                self._stopped.wait(1.0)

    def close(self) -> None:
        self._stopped.set()
        if self._listener is not None:
            self._listener.join(timeout=3)
        self.client.close()
