"""Video lessons over HTTP: the seed's exact error, the platform choice, the link on the
lesson for the class, its removal, materials; the platform is a fake adapter."""

from __future__ import annotations

from typing import Any

import pytest

from api.auth import Role
from tests.conftest import Api
from tests.distance_support import FakeConferences, World, build_world

SEED_ERROR = ("У вашей образовательной организации не настроена интеграция с платформой "
              "Сферум. Обратитесь к администратору.")


@pytest.fixture
def world(api: Api) -> World:
    api.container.conferences = FakeConferences()  # type: ignore[attr-defined]
    return build_world(api.container.journal)


def _fake(api: Api) -> FakeConferences:
    fake: FakeConferences = api.container.conferences  # type: ignore[attr-defined]
    return fake


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _enable(api: Api, world: World, platform: str) -> dict[str, Any]:
    admin = api.as_(Role.SCHOOL_ADMIN, str(world.admin_id), str(world.school_id))
    return ok(admin.put(f"/v1/schools/{world.school_id}/integrations/{platform}",
                        {"organisation_id": "1535"}))


def test_a_school_without_the_integration_gets_the_seeds_error_word_for_word(
    api: Api, world: World,
) -> None:
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    lesson = world.lesson()
    for body in ({}, {"platform": "sferum"}):
        refused = teacher.post(f"/v1/lessons/{lesson}/video-lesson", body)
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == SEED_ERROR
        assert refused.json()["errors"] == [{"field": "platform", "message": "not configured"}]
    assert _fake(api).created == []


def test_the_link_appears_in_the_lesson_for_the_class_and_deleting_it_removes_it(
    api: Api, world: World,
) -> None:
    _enable(api, world, "sferum")
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    lesson = world.lesson()
    planned = ok(teacher.post(f"/v1/lessons/{lesson}/video-lesson", {}), 201)
    assert planned["platform"] == "sferum"
    assert planned["url"] == "https://sferum.example/call/1"
    assert _fake(api).created[0].organisation_id == "1535"
    student = api.as_(Role.STUDENT, str(world.students[0]))
    fresh = {"min_position": planned["position"]}
    online = ok(student.get(f"/v1/lessons/{lesson}/online", params=fresh))
    assert online["video"]["url"] == planned["url"]
    week = ok(student.get(f"/v1/classes/{world.class_a}/video-lessons",
                          params={"start": "2024-09-02"}))
    assert [item["lesson_id"] for item in week["items"]] == [str(lesson)]
    removed = ok(teacher.request("DELETE", f"/v1/lessons/{lesson}/video-lesson"))
    assert _fake(api).cancelled == [("sferum", "call-1")]
    after = ok(student.get(f"/v1/lessons/{lesson}/online",
                           params={"min_position": removed["position"]}))
    assert after["video"] is None


def test_with_two_services_the_teacher_is_asked_to_choose(api: Api, world: World) -> None:
    _enable(api, world, "sferum")
    _enable(api, world, "teams")
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    lesson = world.lesson()
    refused = teacher.post(f"/v1/lessons/{lesson}/video-lesson", {})
    assert refused.status_code == 422
    assert refused.json()["code"] == "PlatformChoiceNeeded"
    assert refused.json()["errors"][0]["field"] == "platform"
    chosen = ok(teacher.post(f"/v1/lessons/{lesson}/video-lesson", {"platform": "teams"}), 201)
    assert chosen["platform"] == "teams" and chosen["url"].startswith("https://teams.")


def test_only_the_lessons_teacher_plans_and_a_retry_makes_no_second_call(
    api: Api, world: World,
) -> None:
    _enable(api, world, "sferum")
    lesson = world.lesson()
    url = f"/v1/lessons/{lesson}/video-lesson"
    parent = api.as_(Role.PARENT, str(world.parents[world.students[0]]))
    assert parent.post(url, {}).status_code == 403
    assert api.as_(Role.TEACHER, str(world.other_teacher_id)).post(url, {}).status_code == 422
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    first = ok(teacher.post(url, {}, headers={"Idempotency-Key": "plan-1"}), 201)
    again = teacher.post(url, {}, headers={"Idempotency-Key": "plan-1"})
    assert again.status_code == 201 and again.json()["url"] == first["url"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(_fake(api).created) == 1


def test_a_platform_that_fails_records_nothing_and_an_unwired_one_is_503(
    api: Api, world: World,
) -> None:
    _enable(api, world, "sferum")
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    lesson = world.lesson()
    _fake(api).fail = True
    failed = teacher.post(f"/v1/lessons/{lesson}/video-lesson", {})
    assert failed.status_code == 502 and failed.json()["code"] == "PlatformUnavailable"
    del api.container.conferences  # type: ignore[attr-defined]
    assert teacher.post(f"/v1/lessons/{lesson}/video-lesson", {}).status_code == 503
    assert not world.journal.get_video_lesson(world.journal.get_lesson(lesson)).active


def test_materials_attach_to_the_lesson_and_show_with_it(
    api: Api, world: World, tmp_path: Any,
) -> None:
    from infra.storage import LocalFileStorage

    api.container.file_storage = LocalFileStorage(tmp_path)  # type: ignore[attr-defined]
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    stored = ok(teacher.request("POST", f"/v1/classes/{world.class_a}/files", content=b"%PDF",
                                headers={"Content-Type": "application/pdf",
                                         "X-File-Name": "theory.pdf"}), 201)
    lesson = world.lesson()
    attached = ok(teacher.post(f"/v1/lessons/{lesson}/materials",
                               {"file_ids": [stored["id"]]}))
    parent = api.as_(Role.PARENT, str(world.parents[world.students[0]]))
    online = ok(parent.get(f"/v1/lessons/{lesson}/online",
                           params={"min_position": attached["position"]}))
    assert [(m["id"], m["name"]) for m in online["materials"]] == [(stored["id"], "theory.pdf")]
    assert online["video"] is None
