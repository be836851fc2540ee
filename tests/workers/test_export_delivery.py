"""Push delivery against a fake federal receiver on loopback: in order, the delta number as
the Idempotency-Key, exponential back-off on 5xx and time-outs, a stop with an alert on a 4xx,
and a worker killed mid-delivery that resumes with no gap (the one resend is idempotent)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.journal import Command
from infra.container import Container
from projections.export_deltas import seal
from projections.export_status import push_state, status
from tests.conftest import make_settings
from tests.projections.export_support import complete_requisites
from tests.workers.fake_receiver import Receiver
from workers.export_delivery import Pusher, resume

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 15, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def sealed_deltas(container: Container, count: int) -> None:
    """A complete school, renamed between seals: `count` small deltas."""
    journal = container.journal
    school = journal.register_school(Command(actor="admin"), "Школа 0", "Europe/Moscow", 1,
                                     complete_requisites()).answer["id"]
    for n in range(count):
        if n:
            journal.update_school(Command(actor="admin"), _uuid(school), None,
                                  name=f"Школа {n}")
        container.runner.catch_up()
        assert seal(container.views) is not None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    fake = Receiver()
    yield fake
    fake.stop()


def test_deltas_go_in_order_with_their_number_as_the_idempotency_key(
    container: Container, receiver: Receiver
) -> None:
    sealed_deltas(container, 3)
    url = receiver.start()
    outcome = Pusher(container.views, url, timeout=5).run()
    assert (outcome.status, outcome.delivered) == ("done", [1, 2, 3])
    assert receiver.keys == ["1", "2", "3"]
    assert all(got.sha256 == got.declared for got in receiver.received)
    push = status(container.views, container.log_position())["push"]
    assert (push["delivered"], push["waiting"], push["failures"]) == (3, 0, 0)
    assert Pusher(container.views, url).run().delivered == []  # nothing more to send


def test_a_5xx_and_time_outs_back_off_exponentially_then_the_same_delta_goes(
    container: Container, receiver: Receiver
) -> None:
    sealed_deltas(container, 2)
    receiver.script = [503, "slow", "lost"]
    receiver.slow_seconds = 1.0
    url, clock = receiver.start(), Clock()

    def run() -> Any:
        return Pusher(container.views, url, timeout=0.4, clock=clock).run()

    first = run()
    assert (first.status, first.next_attempt_at) == ("retry", clock.now + timedelta(seconds=1))
    assert run().status == "waiting"  # not before the back-off ends
    clock.advance(1)
    second = run()  # the receiver stored it, but answered after we gave up
    assert second.status == "retry" and "Timeout" in (second.error or "")
    assert second.next_attempt_at == clock.now + timedelta(seconds=2)
    clock.advance(2)
    third = run()  # lost: no answer in time, nothing stored
    assert third.next_attempt_at == clock.now + timedelta(seconds=4)
    assert push_state(container.views)["failures"] == 3
    clock.advance(4)
    assert run().delivered == [1, 2]
    assert receiver.keys == ["1", "1", "1", "1", "2"]
    assert sorted(receiver.accepted) == ["1", "2"]  # the resends were recognised
    assert push_state(container.views)["failures"] == 0


def test_a_4xx_stops_delivery_with_an_alert_until_resumed(
    container: Container, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    sealed_deltas(container, 2)
    receiver.script = [422]
    url = receiver.start()
    with caplog.at_level(logging.ERROR, logger="zhurnal.export.push"):
        stopped = Pusher(container.views, url).run()
    assert stopped.status == "stopped" and "HTTP 422" in (stopped.error or "")
    assert any("EXPORT PUSH STOPPED" in r.getMessage() for r in caplog.records)
    push = status(container.views, container.log_position())["push"]
    assert push["stopped"] and "delta 1" in push["alert"] and push["waiting"] == 2
    assert Pusher(container.views, url).run().status == "stopped"
    assert receiver.keys == ["1"]  # nothing sent while stopped
    resume(container.views)
    assert Pusher(container.views, url).run().delivered == [1, 2]
    assert not push_state(container.views)["stopped"]


def test_a_worker_killed_mid_delivery_resumes_with_no_gap_and_one_idempotent_resend(
    container: Container, receiver: Receiver, tmp_path: Path
) -> None:
    sealed_deltas(container, 3)
    receiver.script = [200, "hold"]
    url = receiver.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHURNAL_DATA_DIR": str(tmp_path / "var"),
           "ZHURNAL_SECRET": "s" * 40}
    if container.settings.database_url:
        env["ZHURNAL_DATABASE_URL"] = container.settings.database_url
    script = ("import sys\nfrom infra.container import Container\n"
              "from infra.settings import load_settings\n"
              "from workers.export_delivery import Pusher\n"
              "Pusher(Container(load_settings()).views, sys.argv[1], lease_seconds=1).run()\n")
    worker = subprocess.Popen([sys.executable, "-c", script, url], cwd=ROOT, env=env)
    try:
        assert receiver.held.wait(30), "the worker never sent delta 2"
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # mid-delivery: delta 2 stored, not answered
        worker.wait(10)
    assert push_state(container.views)["delivered"] == 1
    time.sleep(1.2)  # the dead worker's lease runs out
    assert Pusher(container.views, url).run().delivered == [2, 3]
    assert receiver.keys == ["1", "2", "2", "3"]  # delta 2 again: the same key
    assert sorted(receiver.accepted) == ["1", "2", "3"]


def test_two_pushers_at_once_do_not_both_deliver(container: Container,
                                                 receiver: Receiver) -> None:
    sealed_deltas(container, 2)
    url = receiver.start()
    holder = Pusher(container.views, url, holder="a")
    assert holder._take_lease() is None
    assert Pusher(container.views, url, holder="b").run().status == "busy"
    assert holder.run().delivered == [1, 2]


def test_the_seal_actor_seals_and_pushes_through_dramatiq(
    tmp_path: Path, receiver: Receiver
) -> None:
    from workers import runtime
    from workers.broker import configure_broker, start_worker
    from workers.export_delivery import seal_export

    url = receiver.start()
    container = Container(make_settings(tmp_path, ZHURNAL_EXPORT_PUSH_URL=url))
    try:
        container.journal.register_school(Command(actor="admin"), "Школа", "Asia/Omsk", 1,
                                          complete_requisites())
        container.runner.catch_up()
        broker = configure_broker(None)
        runtime.install(container)
        worker = start_worker(broker, threads=1)
        try:
            seal_export.send()
            broker.join("export", timeout=20_000)
            worker.join()
        finally:
            worker.stop()
        assert receiver.keys == ["1"]
        assert push_state(container.views)["delivered"] == 1
    finally:
        container.close()


def _uuid(value: Any) -> Any:
    from uuid import UUID

    return UUID(str(value))
