"""The export scheduler: seals at the configured times of the region's clock, one scheduler
per deployment (a second one stands by and takes over when the first one goes)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from infra.container import Container
from tests.conftest import make_settings
from workers.export_scheduler import SchedulerLock, build_scheduler, run_scheduler, seal_times

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


def test_seals_are_scheduled_at_the_configured_times_of_the_regions_clock(
    tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, ZHURNAL_EXPORT_SEAL_TIMES="19:00, 07:00,13:30",
                             ZHURNAL_REGION_TZ="Asia/Vladivostok")
    scheduler = build_scheduler(settings, lambda: None, lambda: None)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"seal-0700", "seal-1330", "seal-1900", "deliver"}
    noon = datetime(2025, 1, 15, 12, 0, tzinfo=VLADIVOSTOK)
    fire = jobs["seal-1330"].trigger.get_next_fire_time(None, noon)
    assert fire == datetime(2025, 1, 15, 13, 30, tzinfo=VLADIVOSTOK)
    assert fire.astimezone(UTC).hour == 3  # UTC+10
    without_push = build_scheduler(settings, lambda: None, None)
    assert "deliver" not in {job.id for job in without_push.get_jobs()}


def test_a_malformed_seal_time_is_refused_at_start() -> None:
    assert seal_times(("13:00", "7:05", "13:00")) == [(7, 5), (13, 0)]
    with pytest.raises(ValueError):
        seal_times(("25:00",))


def test_only_one_scheduler_holds_the_lock(container: Container) -> None:
    settings = container.settings
    url = settings.database_url if settings.is_postgres else None
    first, second = (SchedulerLock(url, settings.data_dir) for _ in range(2))
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_a_standby_scheduler_takes_over_when_the_first_one_stops(container: Container) -> None:
    settings = container.settings
    started: list[str] = []
    sealed = threading.Event()
    stops = {name: threading.Event() for name in ("a", "b")}

    def runner(name: str) -> threading.Thread:
        def on_start(scheduler: BackgroundScheduler) -> None:
            started.append(name)
            if name == "b":  # fire a seal now rather than at 07:00
                scheduler.modify_job("seal-0700", next_run_time=datetime.now(UTC))

        thread = threading.Thread(target=run_scheduler, args=(
            settings, sealed.set, None, stops[name]),
            kwargs={"standby_seconds": 0.05, "on_start": on_start})
        thread.start()
        return thread

    a = runner("a")
    while not started:
        threading.Event().wait(0.01)
    b = runner("b")
    threading.Event().wait(0.3)
    assert started == ["a"]  # b stands by
    stops["a"].set()
    a.join(5)
    assert sealed.wait(5)
    assert started == ["a", "b"]
    stops["b"].set()
    b.join(5)
