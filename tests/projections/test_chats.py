"""Сферум chats kept from the roster: who is wanted in each chat, after every roster move."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.integrations import Platform
from domain.school import StaffPosition
from domain.video_lessons import Conference
from infra.container import Container
from projections.chats import ChatQueries, Chats, chat_id
from projections.operations import verify
from projections.runner import ProjectionRunner
from tests.distance_support import World, build_world


@pytest.fixture
def world(container: Container) -> World:
    return build_world(container.journal)


def _wanted(container: Container, key: str) -> dict[str, bool]:
    container.runner.catch_up()
    return ChatQueries(container.views).wanted(chat_id(key))


def _link(world: World, *people: UUID) -> dict[UUID, str]:
    profiles = {}
    for person in people:
        profiles[person] = f"vk{str(person)[:8]}"
        world.journal.link_sferum_profile(world.as_(person), person, profiles[person])
    return profiles


def test_only_people_with_a_sferum_profile_are_wanted_in_the_class_chat(
    container: Container, world: World,
) -> None:
    key = f"class:{world.class_a}"
    assert _wanted(container, key) == {}
    chat = ChatQueries(container.views).chat(chat_id(key))
    assert chat is not None and chat["title"] == "Класс 5А" and chat["candidates"] == 4
    p = _link(world, world.students[0], world.teacher_id)
    assert _wanted(container, key) == {p[world.students[0]]: False, p[world.teacher_id]: True}


def test_the_parents_chat_holds_the_parents_and_the_homeroom_teacher_as_its_admin(
    container: Container, world: World,
) -> None:
    parent = world.parents[world.students[1]]
    p = _link(world, parent, world.students[1], world.teacher_id)
    assert _wanted(container, f"parents:{world.class_a}") == {
        p[parent]: False, p[world.teacher_id]: True}


def test_the_teachers_room_holds_all_staff_with_the_administrators_as_admins(
    container: Container, world: World,
) -> None:
    p = _link(world, world.admin_id, world.teacher_id, world.other_teacher_id)
    key = f"teachers:{world.school_id}"
    assert _wanted(container, key) == {p[world.admin_id]: True, p[world.teacher_id]: False,
                                       p[world.other_teacher_id]: False}
    world.journal.dismiss_staff(world.admin, world.school_id, world.other_teacher_id,
                                StaffPosition.TEACHER, "уволен")
    assert p[world.other_teacher_id] not in _wanted(container, key)


def test_a_transfer_moves_the_student_and_their_parent_to_the_new_classs_chats(
    container: Container, world: World,
) -> None:
    student = world.students[0]
    parent = world.parents[student]
    p = _link(world, student, parent)
    world.journal.transfer_student(world.admin, student, world.class_a, world.class_b,
                                   date(2024, 10, 1), "по заявлению")
    assert p[student] not in _wanted(container, f"class:{world.class_a}")
    assert p[parent] not in _wanted(container, f"parents:{world.class_a}")
    assert _wanted(container, f"class:{world.class_b}") == {p[student]: False}
    assert _wanted(container, f"parents:{world.class_b}") == {p[parent]: False}


def test_a_new_homeroom_teacher_replaces_the_old_one_as_the_admin_of_both_class_chats(
    container: Container, world: World,
) -> None:
    p = _link(world, world.teacher_id, world.other_teacher_id)
    world.journal.assign_homeroom_teacher(world.admin, world.class_a, world.other_teacher_id)
    for key in (f"class:{world.class_a}", f"parents:{world.class_a}"):
        assert _wanted(container, key) == {p[world.other_teacher_id]: True}


def test_members_added_later_and_a_profile_unlinked_leaves_every_chat(
    container: Container, world: World,
) -> None:
    newcomer = world.person("Новенькая")
    p = _link(world, newcomer)
    assert _wanted(container, f"class:{world.class_a}") == {}
    world.journal.enrol_student(world.admin, world.class_a, newcomer, date(2024, 9, 10))
    assert _wanted(container, f"class:{world.class_a}") == {p[newcomer]: False}
    world.journal.unlink_sferum_profile(world.as_(newcomer), newcomer)
    assert _wanted(container, f"class:{world.class_a}") == {}
    mine = ChatQueries(container.views).chats_of_person(str(newcomer))
    assert [(c["kind"], c["in_chat"]) for c in mine] == [("class", False)]


def test_a_video_lesson_makes_the_class_by_subject_chat_with_its_students_and_teachers(
    container: Container, world: World,
) -> None:
    journal = world.journal
    world.enable(Platform.SFERUM)
    p = _link(world, *world.students, world.teacher_id, world.other_teacher_id)
    key = f"subject:{world.class_a}:{world.subject_id}"
    assert _wanted(container, key) == {}
    lesson = world.lesson()
    request = journal.video_lesson_request(world.as_(world.teacher_id), lesson)
    journal.plan_video_lesson(world.as_(world.teacher_id), request,
                              Conference("https://sferum.example/1", "1"))
    expected = {p[s]: False for s in world.students} | {p[world.teacher_id]: True}
    assert _wanted(container, key) == expected
    journal.assign_teacher(world.admin, world.class_a, world.subject_id, world.other_teacher_id,
                           date(2024, 9, 2))
    assert _wanted(container, key) == expected | {p[world.other_teacher_id]: True}
    chat = ChatQueries(container.views).chat(chat_id(key))
    assert chat is not None and chat["title"] == "5А · Математика"


def test_the_chats_rebuilt_from_zero_equal_the_ones_kept_batch_by_batch(
    container: Container, world: World,
) -> None:
    journal = world.journal
    world.enable(Platform.SFERUM)
    _link(world, *world.students, world.teacher_id, *world.parents.values())
    lesson = world.lesson()
    request = journal.video_lesson_request(world.as_(world.teacher_id), lesson)
    journal.plan_video_lesson(world.as_(world.teacher_id), request,
                              Conference("https://sferum.example/1", "1"))
    journal.transfer_student(world.admin, world.students[0], world.class_a, world.class_b,
                             date(2024, 10, 1), "переезд")
    journal.assign_homeroom_teacher(world.admin, world.class_b, world.other_teacher_id)
    _link(world, world.other_teacher_id)
    recorder, mapper = container.recorder_and_mapper()
    small = ProjectionRunner(recorder, mapper, container.views, [Chats()], batch_size=3)
    small.catch_up()
    assert verify(recorder, mapper, container.views, lambda suffix: [Chats(suffix)]) == []
