"""The export's periodic jobs: seal at ZHURNAL_EXPORT_SEAL_TIMES (ZHURNAL_REGION_TZ), and
kick the push delivery every minute, so it resumes by itself after any restart.

Exactly one scheduler runs: `zhurnal export scheduler` takes a lock before it schedules
anything (a PostgreSQL session advisory lock, or a file lock beside the SQLite files) and holds
it for its life. A second one waits as a standby and takes over when the first one's lock goes
(its process ended: PostgreSQL and the kernel release the lock with it). The jobs only send
dramatiq messages; the workers do the work.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("zhurnal.export.scheduler")
SCHEDULER_LOCK = 0x7A687363  # "zhsc"
KICK_SECONDS = 60


def seal_times(times: tuple[str, ...]) -> list[tuple[int, int]]:
    """'07:00' -> (7, 0); a malformed time is refused at start, not at 7 o'clock."""
    parsed = []
    for text in times:
        hours, _, minutes = text.partition(":")
        hour, minute = int(hours), int(minutes or 0)
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError(f"not a time of day: {text!r}")
        parsed.append((hour, minute))
    return sorted(set(parsed))


def build_scheduler(settings: Any, seal: Callable[[], object],
                    deliver: Callable[[], object] | None) -> BackgroundScheduler:
    zone = ZoneInfo(settings.region_tz)
    scheduler = BackgroundScheduler(timezone=zone)
    for hour, minute in seal_times(settings.export_seal_times):
        scheduler.add_job(seal, CronTrigger(hour=hour, minute=minute, timezone=zone),
                          id=f"seal-{hour:02d}{minute:02d}", coalesce=True, max_instances=1,
                          misfire_grace_time=3600)
    if deliver is not None:
        scheduler.add_job(deliver, IntervalTrigger(seconds=KICK_SECONDS, timezone=zone),
                          id="deliver", coalesce=True, max_instances=1)
    return scheduler


class SchedulerLock:
    """Held by the one running scheduler; `acquire` answers at once, True when it got it."""

    def __init__(self, database_url: str | None, data_dir: Path) -> None:
        self.database_url, self.path = database_url, data_dir / "export-scheduler.lock"
        self._connection: psycopg.Connection[Any] | None = None
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        if self.database_url:
            if self._connection is None:
                self._connection = psycopg.connect(self.database_url, autocommit=True)
            row = self._connection.execute("SELECT pg_try_advisory_lock(%s)",
                                           (SCHEDULER_LOCK,)).fetchone()
            return bool(row and row[0])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self._file or self.path.open("a")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            # Unlocked explicitly: a closed session's locks go only when its server process
            # has ended, a moment after close() returns, and a standby would find it held.
            with contextlib.suppress(psycopg.Error):
                self._connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEDULER_LOCK,))
            self._connection.close()  # the session lock goes with the session anyway
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def run_scheduler(settings: Any, seal: Callable[[], object], deliver: Callable[[], object] | None,
                  stop: threading.Event, standby_seconds: float = 5.0,
                  on_start: Callable[[BackgroundScheduler], None] | None = None) -> None:
    """Wait for the lock (standby), then schedule until `stop` is set."""
    lock = SchedulerLock(settings.database_url if settings.is_postgres else None,
                         settings.data_dir)
    try:
        waited = False
        while not lock.acquire():
            if not waited:
                log.info("another export scheduler is running; standing by")
                waited = True
            if stop.wait(standby_seconds):
                return
        scheduler = build_scheduler(settings, seal, deliver)
        scheduler.start()
        log.info("export scheduler running: seals at %s %s",
                 ", ".join(settings.export_seal_times), settings.region_tz)
        if on_start is not None:
            on_start(scheduler)
        stop.wait()
        scheduler.shutdown(wait=False)
    finally:
        lock.release()
