"""The walls and distance-learning views: newest first with cursors, audiences, files and
their space, a lesson's link and materials; both rebuilt from zero equal to the live ones."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.files import FileOwner, OwnerKind
from domain.integrations import Platform
from domain.posts import Audience
from domain.video_lessons import Conference
from infra.container import Container
from projections.distance import Distance, DistanceQueries
from projections.operations import verify
from projections.runner import ProjectionRunner
from projections.walls import WallQueries, Walls
from tests.distance_support import World, build_world


@pytest.fixture
def world(container: Container) -> World:
    return build_world(container.journal)


def _file(world: World, name: str, size: int, owner: FileOwner | None = None) -> UUID:
    owner = owner or FileOwner(OwnerKind.SCHOOL, world.school_id)
    upload = world.journal.reserve_upload(world.admin, owner, name, "application/pdf", size)
    world.journal.complete_upload(world.admin, upload, size, "0" * 64)
    return upload.file_id


def test_a_wall_pages_newest_first_and_forgets_removed_posts(
    container: Container, world: World,
) -> None:
    journal = world.journal
    ids = [journal.publish_school_post(world.admin, world.school_id, f"Запись {n}").answer["id"]
           for n in range(5)]
    journal.edit_post(world.admin, UUID(ids[4]), "Запись 4 (исправлено)")
    journal.remove_post(world.admin, UUID(ids[2]))
    container.runner.catch_up()
    queries = WallQueries(container.views)
    first, cursor = queries.wall(str(world.school_id), ["school"], None, 2)
    second, end = queries.wall(str(world.school_id), ["school"], cursor, 2)
    assert [p["text"] for p in first + second] == [
        "Запись 4 (исправлено)", "Запись 3", "Запись 1", "Запись 0"]
    assert end is None and first[0]["edited_at"] is not None


def test_a_class_wall_shows_each_reader_the_audiences_asked_for(
    container: Container, world: World,
) -> None:
    journal = world.journal
    teacher = world.as_(world.teacher_id)
    journal.publish_class_post(teacher, world.class_a, "Для всех", Audience.CLASS)
    journal.publish_class_post(teacher, world.class_a, "Родителям", Audience.CLASS_PARENTS)
    container.runner.catch_up()
    queries = WallQueries(container.views)
    students, _ = queries.wall(str(world.class_a), ["class"], None, 10)
    parents, _ = queries.wall(str(world.class_a), ["class", "class_parents"], None, 10)
    assert [p["text"] for p in students] == ["Для всех"]
    assert [p["text"] for p in parents] == ["Родителям", "Для всех"]
    assert queries.wall(str(world.class_b), ["class"], None, 10) == ([], None)


def test_files_are_listed_per_owner_and_their_space_counted_until_deleted(
    container: Container, world: World,
) -> None:
    journal = world.journal
    first, second = _file(world, "1.pdf", 100), _file(world, "2.pdf", 50)
    in_class = _file(world, "Класс.pdf", 7, FileOwner(OwnerKind.CLASS, world.class_a))
    lesson = world.lesson()
    journal.attach_lesson_materials(world.as_(world.teacher_id), lesson, [first, in_class])
    container.runner.catch_up()
    queries = DistanceQueries(container.views)
    listed, _ = queries.files(str(world.school_id), None, 10)
    assert [f["id"] for f in listed] == [str(second), str(first)]
    assert queries.used_bytes(str(world.school_id)) == 157
    materials = queries.lesson(str(lesson))
    assert materials is not None
    assert [f["name"] for f in materials["materials"]] == ["1.pdf", "Класс.pdf"]
    journal.delete_file(world.admin, first)
    container.runner.catch_up()
    assert queries.file(str(first)) is None and queries.used_bytes(str(world.school_id)) == 57
    after = queries.lesson(str(lesson))
    assert after is not None and [f["name"] for f in after["materials"]] == ["Класс.pdf"]


def test_the_video_link_shows_on_the_lesson_for_its_class_until_deleted(
    container: Container, world: World,
) -> None:
    journal, teacher = world.journal, world.as_(world.teacher_id)
    world.enable(Platform.SFERUM, Platform.TEAMS)
    lesson = world.lesson(date(2024, 9, 5))
    request = journal.video_lesson_request(teacher, lesson, Platform.TEAMS)
    journal.plan_video_lesson(teacher, request, Conference("https://teams.example/1", "t1"))
    container.runner.catch_up()
    queries = DistanceQueries(container.views)
    found = queries.lesson(str(lesson))
    assert found is not None and found["video"]["url"] == "https://teams.example/1"
    week = queries.video_lessons(str(world.class_a), "2024-09-02", "2024-09-09")
    assert [v["lesson_id"] for v in week] == [str(lesson)]
    assert [p["platform"] for p in queries.integrations(str(world.school_id))] == [
        "sferum", "teams"]
    journal.remove_video_lesson(teacher, lesson)
    container.runner.catch_up()
    gone = queries.lesson(str(lesson))
    assert gone is not None and gone["video"] is None
    assert queries.video_lessons(str(world.class_a), "2024-09-02", "2024-09-09") == []


def test_walls_and_files_rebuilt_from_zero_equal_the_live_views(
    container: Container, world: World,
) -> None:
    journal, teacher = world.journal, world.as_(world.teacher_id)
    world.enable(Platform.SFERUM)
    file_id = _file(world, "План.pdf", 10)
    journal.publish_school_post(world.admin, world.school_id, "Объявление", [file_id])
    post = journal.publish_class_post(teacher, world.class_a, "Родителям",
                                      Audience.CLASS_PARENTS).answer["id"]
    journal.edit_post(teacher, UUID(post), "Родителям 5А")
    lesson = world.lesson()
    journal.attach_lesson_materials(teacher, lesson, [file_id])
    request = journal.video_lesson_request(teacher, lesson)
    journal.plan_video_lesson(teacher, request, Conference("https://sferum.example/1", "1"))
    journal.transfer_student(world.admin, world.students[0], world.class_a, world.class_b,
                             date(2024, 10, 1), "переезд")
    recorder, mapper = container.recorder_and_mapper()
    ProjectionRunner(recorder, mapper, container.views, [Walls(), Distance()],
                     batch_size=4).catch_up()
    factory = lambda suffix: [Walls(suffix), Distance(suffix)]  # noqa: E731
    assert verify(recorder, mapper, container.views, factory) == []
