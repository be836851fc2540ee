"""Wake-up signals for projection runners: in-process, or Redis pub/sub across processes."""

from __future__ import annotations

import logging
import threading

import redis

log = logging.getLogger(__name__)
CHANNEL = "zhurnal:log"


class LocalSignal:
    """A threading.Event: the embedded default, all in one process."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def notify(self, position: int) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        woken = self._event.wait(timeout)
        self._event.clear()
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
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                for message in pubsub.listen():
                    if self._stopped.is_set():
                        return
                    if message.get("type") == "message":
                        super().notify(0)
            except redis.RedisError:
                log.warning("signal subscription lost; retrying in 1 s")
                self._stopped.wait(1.0)

    def close(self) -> None:
        self._stopped.set()
        self.client.close()
