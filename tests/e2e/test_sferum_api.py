"""Сферум over HTTP: a person links their own profile and sees their chats; staff see the
school's chats and who is in them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalTokens, Role
from infra.container import Container
from tests.conftest import Api
from tests.distance_support import World, build_world, by_kind


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api.container.journal)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_person_links_their_own_profile_and_is_then_in_their_chats(
    api: Api, world: World,
) -> None:
    student = world.students[0]
    me = api.as_(Role.STUDENT, str(student))
    other = api.as_(Role.STUDENT, str(world.students[1]))
    url = f"/v1/people/{student}/sferum-profile"
    assert other.put(url, {"profile_id": "vk-1"}).status_code == 403
    assert me.put(url, {"profile_id": "bad id!"}).status_code == 422
    linked = ok(me.put(url, {"profile_id": "vk-1"}))
    chats = ok(me.get(f"/v1/people/{student}/chats",
                      params={"min_position": linked["position"]}))["items"]
    assert [(c["kind"], c["title"], c["in_chat"]) for c in chats] == [
        ("class", "Класс 5А", True)]
    assert other.get(f"/v1/people/{student}/chats").status_code == 403
    unlinked = ok(me.request("DELETE", url))
    again = ok(me.get(f"/v1/people/{student}/chats",
                      params={"min_position": unlinked["position"]}))["items"]
    assert [c["in_chat"] for c in again] == [False]


def test_staff_see_the_schools_chats_and_their_members_but_students_do_not(
    api: Api, world: World,
) -> None:
    admin = api.as_(Role.SCHOOL_ADMIN, str(world.admin_id), str(world.school_id))
    linked = ok(admin.put(f"/v1/people/{world.teacher_id}/sferum-profile",
                          {"profile_id": "vk-teacher"}))
    chats = ok(admin.get(f"/v1/schools/{world.school_id}/chats",
                         params={"min_position": linked["position"]}))["items"]
    assert sorted(c["kind"] for c in chats) == ["class", "class", "parents", "parents",
                                                "teachers"]
    room = by_kind(chats, "teachers")[0]
    assert (room["candidates"], room["wanted"]) == (3, 1)
    detail = ok(admin.get(f"/v1/chats/{room['id']}"))
    assert [(m["person_id"], m["in_chat"]) for m in detail["members"]
            if m["in_chat"]] == [(str(world.teacher_id), True)]
    student = api.as_(Role.STUDENT, str(world.students[0]))
    assert student.get(f"/v1/schools/{world.school_id}/chats").status_code == 403
    assert student.get(f"/v1/chats/{room['id']}").status_code == 403


def test_a_school_admin_links_the_profile_of_a_teacher_hired_a_moment_ago(
    container: Container, tokens: LocalTokens,
) -> None:
    """The registries view lags the log: the refusal is only given once it has caught up."""
    world = build_world(container.journal)  # no runner yet: the view knows nobody
    late = threading.Timer(0.3, container.start_runner)
    late.start()
    try:
        with TestClient(create_app(container, tokens), raise_server_exceptions=False) as client:
            admin = Api(client, tokens, container).as_(
                Role.SCHOOL_ADMIN, str(world.admin_id), str(world.school_id))
            ok(admin.put(f"/v1/people/{world.teacher_id}/sferum-profile",
                         {"profile_id": "vk-new-teacher"}))
            stranger = Api(client, tokens, container).as_(
                Role.SCHOOL_ADMIN, "someone-else", "another-school")
            assert stranger.put(f"/v1/people/{world.teacher_id}/sferum-profile",
                                {"profile_id": "vk-x"}).status_code == 403
    finally:
        late.join()
