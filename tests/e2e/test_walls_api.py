"""Walls over HTTP: who posts where, who reads what (the role model), pages, edits, removal."""

from __future__ import annotations

from typing import Any

import pytest

from api.auth import Role
from domain.person import RepresentativeKind
from domain.school import Requisites
from tests.conftest import Api
from tests.distance_support import FIRST_DAY, World, build_world


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api.container.journal)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def texts(response: Any) -> list[str]:
    return [post["text"] for post in ok(response)["items"]]


def test_the_school_wall_is_written_by_staff_and_read_by_everyone_of_the_school(
    api: Api, world: World,
) -> None:
    teacher = api.as_(Role.TEACHER, str(world.other_teacher_id))
    posted = ok(teacher.post(f"/v1/schools/{world.school_id}/wall",
                             {"text": "Карантин с 1 по 14 февраля"}), 201)
    fresh = {"min_position": posted["position"]}
    student = api.as_(Role.STUDENT, str(world.students[0]))
    parent = api.as_(Role.PARENT, str(world.parents[world.students[0]]))
    for reader in (student, parent, teacher, api.as_(Role.AUDITOR, "auditor")):
        assert texts(reader.get(f"/v1/schools/{world.school_id}/wall", params=fresh)) == [
            "Карантин с 1 по 14 февраля"]
    refused = student.post(f"/v1/schools/{world.school_id}/wall", {"text": "Ура!"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "actor"
    other_school = api.container.journal.register_school(
        world.as_("system"), "Школа № 2", "Europe/Moscow", 1, Requisites()).answer["id"]
    stranger = api.as_(Role.SCHOOL_ADMIN, "someone", other_school)
    assert stranger.get(f"/v1/schools/{world.school_id}/wall").status_code == 403


def test_a_class_wall_shows_students_the_class_posts_and_parents_also_theirs(
    api: Api, world: World,
) -> None:
    homeroom = api.as_(Role.TEACHER, str(world.teacher_id))
    wall = f"/v1/classes/{world.class_a}/wall"
    ok(homeroom.post(wall, {"text": "Экскурсия в пятницу"}), 201)
    last = ok(homeroom.post(wall, {"text": "Родительское собрание", "audience":
                                   "class_parents"}), 201)
    fresh = {"min_position": last["position"]}
    student = api.as_(Role.STUDENT, str(world.students[0]))
    parent = api.as_(Role.PARENT, str(world.parents[world.students[0]]))
    assert texts(student.get(wall, params=fresh)) == ["Экскурсия в пятницу"]
    assert texts(parent.get(wall, params=fresh)) == ["Родительское собрание",
                                                    "Экскурсия в пятницу"]
    assert texts(api.as_(Role.TEACHER, str(world.other_teacher_id)).get(wall)) == [
        "Родительское собрание", "Экскурсия в пятницу"]
    post_id = last["id"]
    assert student.get(f"/v1/posts/{post_id}").status_code == 403
    assert ok(parent.get(f"/v1/posts/{post_id}"))["audience"] == "class_parents"
    b_student = world.person("Бэшкин")
    world.journal.enrol_student(world.admin, world.class_b, b_student, FIRST_DAY)
    assert api.as_(Role.STUDENT, str(b_student)).get(wall).status_code == 403
    other = api.as_(Role.TEACHER, str(world.other_teacher_id))
    refused = other.post(wall, {"text": "Не мой класс"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["message"] == (
        "not the homeroom teacher")


def test_a_parent_reads_the_wall_of_each_childs_class_only(api: Api, world: World) -> None:
    parent = world.parents[world.students[0]]
    sibling = world.person("Младший")
    world.journal.enrol_student(world.admin, world.class_b, sibling, FIRST_DAY)
    linked = world.journal.link_representative(world.admin, sibling, parent,
                                               RepresentativeKind.MOTHER)
    reader = api.as_(Role.PARENT, str(parent))
    fresh = {"min_position": linked.position}
    assert reader.get(f"/v1/classes/{world.class_b}/wall", params=fresh).status_code == 200
    unlinked = world.journal.unlink_representative(world.admin, sibling, parent, "ошибка")
    assert reader.get(f"/v1/classes/{world.class_b}/wall",
                      params={"min_position": unlinked.position}).status_code == 403
    stranger = api.as_(Role.PARENT, str(world.parents[world.students[1]]))
    assert stranger.get(f"/v1/classes/{world.class_b}/wall").status_code == 403


def test_a_wall_pages_with_a_cursor_and_a_post_is_edited_and_removed(
    api: Api, world: World,
) -> None:
    admin = api.as_(Role.SCHOOL_ADMIN, str(world.admin_id), str(world.school_id))
    wall = f"/v1/schools/{world.school_id}/wall"
    ids = [ok(admin.post(wall, {"text": f"№{n}"}), 201)["id"] for n in range(3)]
    edited = ok(admin.patch(f"/v1/posts/{ids[0]}", {"text": "№0 (исправлено)"},
                            headers={"If-Match": '"1"'}))
    stale = admin.patch(f"/v1/posts/{ids[0]}", {"text": "ещё"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    page = ok(admin.get(wall, params={"limit": 2, "min_position": edited["position"]}))
    rest = ok(admin.get(wall, params={"limit": 2, "cursor": page["next_cursor"]}))
    assert [p["text"] for p in page["items"] + rest["items"]] == ["№2", "№1", "№0 (исправлено)"]
    assert rest["next_cursor"] is None
    removed = ok(admin.request("DELETE", f"/v1/posts/{ids[1]}", params={"reason": "дубль"}))
    assert texts(admin.get(wall, params={"min_position": removed["position"]})) == [
        "№2", "№0 (исправлено)"]

