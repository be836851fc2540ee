"""The chat reconciler: the platform's chats follow the wanted membership, only the difference
is changed, a second run changes nothing, and a failing platform is retried by dramatiq."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import dramatiq
import pytest

from infra.container import Container
from projections.chats import ChatQueries, chat_id
from tests.distance_support import FakeChatPlatform, World, build_world
from workers import runtime
from workers.broker import configure_broker, start_worker


@pytest.fixture
def broker(container: Container) -> Iterator[dramatiq.Broker]:
    configured = configure_broker(None)
    runtime.install(container)
    container.chat_platform = FakeChatPlatform()  # type: ignore[attr-defined]
    yield configured


@pytest.fixture
def world(container: Container) -> World:
    world = build_world(container.journal)
    for person in [*world.students, world.teacher_id, world.admin_id, *world.parents.values()]:
        world.journal.link_sferum_profile(world.as_(person), person, f"p-{person}")
    container.runner.catch_up()
    return world


def _platform(container: Container) -> FakeChatPlatform:
    platform: FakeChatPlatform = container.chat_platform  # type: ignore[attr-defined]
    return platform


def _reconcile(**options: Any) -> None:
    from workers.chats import reconcile_chats

    reconcile_chats(**options)


def test_the_platform_gets_the_wanted_chats_and_a_second_run_changes_nothing(
    container: Container, broker: dramatiq.Broker, world: World,
) -> None:
    _reconcile()
    platform = _platform(container)
    student = f"p-{world.students[0]}"
    assert platform.membership(f"class:{world.class_a}") == {
        **{f"p-{s}": False for s in world.students}, f"p-{world.teacher_id}": True}
    assert platform.membership(f"teachers:{world.school_id}") == {
        f"p-{world.admin_id}": True, f"p-{world.teacher_id}": False}
    assert f"class:{world.class_b}" not in platform.chats  # nobody in it yet: not created
    done = len(platform.changes)
    _reconcile()
    _reconcile(full=True)
    assert len(platform.changes) == done
    assert student in platform.membership(f"class:{world.class_a}")


def test_after_a_transfer_only_the_difference_is_sent(
    container: Container, broker: dramatiq.Broker, world: World,
) -> None:
    _reconcile()
    platform = _platform(container)
    done = len(platform.changes)
    student, parent = world.students[0], world.parents[world.students[0]]
    world.journal.transfer_student(world.admin, student, world.class_a, world.class_b,
                                   date(2024, 10, 1), "переезд")
    container.runner.catch_up()
    _reconcile()
    sent = sorted(change[0] for change in platform.changes[done:])
    assert sent == ["add", "add", "create", "create", "remove", "remove"]
    assert platform.membership(f"class:{world.class_b}") == {f"p-{student}": False}
    assert platform.membership(f"parents:{world.class_b}") == {f"p-{parent}": False}
    assert f"p-{student}" not in platform.membership(f"class:{world.class_a}")


def test_a_new_homeroom_teacher_becomes_the_admin_and_the_old_one_leaves(
    container: Container, broker: dramatiq.Broker, world: World,
) -> None:
    _reconcile()
    other = world.other_teacher_id
    world.journal.link_sferum_profile(world.as_(other), other, f"p-{other}")
    world.journal.assign_homeroom_teacher(world.admin, world.class_a, other)
    container.runner.catch_up()
    _reconcile()
    for key in (f"class:{world.class_a}", f"parents:{world.class_a}"):
        members = _platform(container).membership(key)
        assert members[f"p-{other}"] is True and f"p-{world.teacher_id}" not in members


def test_a_failing_platform_is_retried_until_the_chats_are_whole(
    container: Container, broker: dramatiq.Broker, world: World,
) -> None:
    from workers.chats import ChatsNotReconciled, reconcile_chats

    platform = _platform(container)
    platform.fail_adds = 1
    with pytest.raises(ChatsNotReconciled):
        reconcile_chats()
    platform.fail_adds = 3
    reconcile_chats.send_with_options(min_backoff=10, max_backoff=50)
    worker = start_worker(broker, threads=1)
    try:
        broker.join(reconcile_chats.queue_name, timeout=20_000)  # type: ignore[attr-defined]
        worker.join()
    finally:
        worker.stop()
    wanted = ChatQueries(container.views).wanted(chat_id(f"class:{world.class_a}"))
    assert platform.membership(f"class:{world.class_a}") == wanted != {}
    assert platform.fail_adds == 0
