"""Files over HTTP: streamed upload and download, safe names, types, who reads, deletion,
and the school's quota under racing uploads (the losers get 413, nothing half-written)."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from api.auth import Role
from domain.file_quota import FileQuota
from infra.storage import LocalFileStorage
from tests.conftest import Api
from tests.distance_support import World, build_world


@pytest.fixture
def world(api: Api, tmp_path: Path) -> World:
    api.container.file_storage = LocalFileStorage(tmp_path / "files")  # type: ignore[attr-defined]
    return build_world(api.container.journal)


def _storage(api: Api) -> LocalFileStorage:
    storage: LocalFileStorage = api.container.file_storage  # type: ignore[attr-defined]
    return storage


def _limits(api: Api, **changes: int) -> None:
    api.container.settings = dataclasses.replace(api.container.settings, **changes)


def upload(caller: Api, url: str, content: Any, name: str = "Задание.pdf",
           content_type: str = "application/pdf", **headers: str) -> Any:
    return caller.request("POST", url, content=content, headers={
        "Content-Type": content_type, "X-File-Name": quote(name), **headers})


def _quota(api: Api, world: World) -> FileQuota:
    quota = api.container.journal.repository.get(FileQuota.create_id(world.school_id))
    assert isinstance(quota, FileQuota)
    return quota


def test_an_upload_streams_to_storage_and_downloads_byte_for_byte_to_the_school(
    api: Api, world: World,
) -> None:
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    content = bytes(range(256)) * 5000  # 1.28 MB: several chunks
    stored = upload(teacher, f"/v1/schools/{world.school_id}/files", content, "План урока.pdf")
    assert stored.status_code == 201, stored.text
    body = stored.json()
    assert (body["name"], body["size"], body["content_type"]) == (
        "План урока.pdf", len(content), "application/pdf")
    parent = api.as_(Role.PARENT, str(world.parents[world.students[0]]))
    got = parent.get(f"/v1/files/{body['id']}/content",
                     params={"min_position": body["position"]})
    assert got.status_code == 200 and got.content == content
    assert got.headers["content-disposition"].endswith(
        "filename*=UTF-8''%D0%9F%D0%BB%D0%B0%D0%BD%20%D1%83%D1%80%D0%BE%D0%BA%D0%B0.pdf")
    assert got.headers["x-content-type-options"] == "nosniff"
    outsider = api.as_(Role.STUDENT, str(world.person("Чужой")))
    assert outsider.get(f"/v1/files/{body['id']}/content").status_code == 403


def test_the_clients_name_never_becomes_a_path(api: Api, world: World, tmp_path: Path) -> None:
    admin = api.as_(Role.SCHOOL_ADMIN, str(world.admin_id), str(world.school_id))
    stored = upload(admin, f"/v1/schools/{world.school_id}/files", b"secret",
                    "../../../etc/passwd.txt", "text/plain")
    assert stored.status_code == 201, stored.text
    assert stored.json()["name"] == "passwd.txt"
    assert _storage(api).keys() == [stored.json()["id"]]
    assert not [p for p in tmp_path.rglob("passwd*")]


def test_a_type_outside_the_allow_list_is_refused_and_holds_no_space(
    api: Api, world: World,
) -> None:
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    refused = upload(teacher, f"/v1/schools/{world.school_id}/files", b"<script>", "x.html",
                     "text/html")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert _storage(api).keys() == []


def test_a_file_over_the_size_limit_gets_413_even_when_its_size_is_not_declared(
    api: Api, world: World,
) -> None:
    _limits(api, file_max_bytes=1000)
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    url = f"/v1/schools/{world.school_id}/files"
    declared = upload(teacher, url, b"x" * 1500)
    streamed = upload(teacher, url, iter([b"x" * 600, b"x" * 600]))  # chunked: no length
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert streamed.json()["code"] == "FileTooLarge"
    assert _storage(api).keys() == [] and list(_storage(api).partials.iterdir()) == []
    assert _quota(api, world).reservations == {}


def test_racing_uploads_over_the_quota_leave_it_whole_and_nothing_half_written(
    api: Api, world: World,
) -> None:
    _limits(api, files_quota_bytes=1000)
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    start = threading.Barrier(8)

    def race(index: int) -> Any:
        start.wait()
        return upload(teacher, f"/v1/schools/{world.school_id}/files", bytes([index]) * 300,
                      f"Файл {index}.pdf")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(race, range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 3 + [413] * 5
    losers = [a.json() for a in answers if a.status_code == 413]
    assert {p["code"] for p in losers} == {"QuotaExceeded"}
    assert all("free" in p["detail"] for p in losers)
    quota = _quota(api, world)
    assert (quota.used, quota.reservations) == (900, {})
    assert len(_storage(api).keys()) == 3 and list(_storage(api).partials.iterdir()) == []


def test_a_retried_upload_with_its_idempotency_key_stores_one_file(api: Api, world: World) -> None:
    teacher = api.as_(Role.TEACHER, str(world.teacher_id))
    url = f"/v1/schools/{world.school_id}/files"
    first = upload(teacher, url, b"abc", **{"Idempotency-Key": "k1"})
    again = upload(teacher, url, b"abc", **{"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(_storage(api).keys()) == 1


def test_a_class_file_is_for_its_class_and_deleting_it_frees_its_space(
    api: Api, world: World,
) -> None:
    student = world.students[0]
    mine = api.as_(Role.STUDENT, str(student))
    stored = upload(mine, f"/v1/classes/{world.class_a}/files", b"my essay", "Эссе.txt",
                    "text/plain")
    assert stored.status_code == 201, stored.text
    file_id, position = stored.json()["id"], stored.json()["position"]
    other = world.person("Из5Б")
    world.journal.enrol_student(world.admin, world.class_b, other, date(2024, 9, 2))
    listed = api.as_(Role.PARENT, str(world.parents[student])).get(
        f"/v1/classes/{world.class_a}/files", params={"min_position": position})
    assert [f["id"] for f in listed.json()["items"]] == [file_id]
    assert listed.json()["used_bytes"] == 8
    stranger = api.as_(Role.STUDENT, str(other))
    assert stranger.get(f"/v1/files/{file_id}").status_code == 403
    assert api.as_(Role.STUDENT, str(world.students[1])).request(
        "DELETE", f"/v1/files/{file_id}").status_code == 422  # not the uploader, nor an admin
    deleted = mine.request("DELETE", f"/v1/files/{file_id}")
    assert deleted.status_code == 200, deleted.text
    assert _storage(api).keys() == [] and _quota(api, world).used == 0
    gone = mine.get(f"/v1/files/{file_id}", params={"min_position": deleted.json()["position"]})
    assert gone.status_code == 404
