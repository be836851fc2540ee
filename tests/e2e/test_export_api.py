"""The export over HTTP: an exporter pulls deltas, checks and acknowledges them, resumes; the
schemas, the held-back report and the status; nobody else reads the export."""

from __future__ import annotations

import gzip
import hashlib

import msgspec

from api.auth import Role
from domain.journal import Command
from domain.school import Requisites
from projections.export_deltas import seal
from projections.export_schemas import schema_document
from tests.conftest import Api
from tests.projections.export_support import complete_requisites


def _deltas(api: Api, count: int) -> str:
    """A complete school renamed between seals: `count` deltas; its id."""
    journal, container = api.container.journal, api.container
    school = journal.register_school(Command(actor="admin"), "Школа 0", "Europe/Moscow", 1,
                                     complete_requisites()).answer["id"]
    for n in range(count):
        if n:
            position = journal.update_school(Command(actor="admin"), _uuid(school), None,
                                             name=f"Школа {n}").position
        else:
            position = container.log_position()
        assert container.wait_for("export", position, timeout=10)
        assert seal(container.views) is not None
    return str(school)


def test_an_exporter_pulls_checks_acknowledges_and_resumes(api: Api) -> None:
    school = _deltas(api, 3)
    exporter = api.as_(Role.EXPORTER, "myschool")
    page = exporter.get("/v1/export/deltas").json()
    assert [d["number"] for d in page["items"]] == [1, 2, 3]
    assert (page["after"], page["acknowledged"], page["latest"]) == (0, 0, 3)
    first = page["items"][0]
    got = exporter.get("/v1/export/deltas/1/body")
    assert got.status_code == 200 and got.headers["content-type"] == "application/gzip"
    assert hashlib.sha256(got.content).hexdigest() == got.headers["x-export-sha256"] == \
        first["sha256"]
    lines = [msgspec.json.decode(line) for line in gzip.decompress(got.content).splitlines()]
    assert {line["entity"] for line in lines} == {"school", "system_event"}
    assert all(line["school_id"] == school for line in lines)
    etag = got.headers["etag"]
    assert exporter.get("/v1/export/deltas/1/body",
                        headers={"If-None-Match": etag}).status_code == 304
    manifest = exporter.get("/v1/export/deltas/1/body", headers={"Accept": "application/json"})
    assert manifest.json() == first == exporter.get("/v1/export/deltas/1").json()

    skipped = exporter.post("/v1/export/acknowledgements", {"number": 2})
    assert skipped.status_code == 409 and skipped.json()["code"] == "AckOutOfOrder"
    assert exporter.post("/v1/export/acknowledgements", {"number": 1}).json() == {
        "consumer": "myschool", "acknowledged": 1}
    resumed = exporter.get("/v1/export/deltas").json()  # after a restart: from its ack
    assert [d["number"] for d in resumed["items"]] == [2, 3]
    assert exporter.get("/v1/export/deltas?after=0&limit=1").json()["items"][0]["number"] == 1
    assert exporter.get("/v1/export/deltas/9").status_code == 404
    assert exporter.post("/v1/export/acknowledgements", {"number": 0}).status_code == 422

    state = exporter.get("/v1/export/status").json()
    assert state["latest_delta"]["number"] == 3
    assert state["consumers"][0] | {"at": None} == {
        "consumer": "myschool", "acknowledged": 1, "waiting": 2, "at": None}
    assert state["push"]["url"] is None


def test_the_schemas_and_the_held_report(api: Api) -> None:
    exporter = api.as_(Role.EXPORTER, "myschool")
    assert exporter.get("/v1/export/schemas").json() == msgspec.json.decode(
        msgspec.json.encode(schema_document()))
    school = api.container.journal.register_school(
        Command(actor="admin"), "Неполная", "Europe/Moscow", 1,
        Requisites(inn=complete_requisites().inn)).answer["id"]
    assert api.container.wait_for("export", api.container.log_position(), timeout=10)
    report = exporter.get("/v1/export/held").json()
    assert report["schools"][0]["school_id"] == str(school)
    assert "ИНН" not in report["schools"][0]["missing"]
    assert "ОГРН" in report["schools"][0]["missing"]
    assert exporter.get("/v1/export/held?school_id=other").json()["schools"] == []


def test_only_the_exporter_and_the_administrator_read_the_export(api: Api) -> None:
    _deltas(api, 1)
    for role in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.AUDITOR, Role.PARENT, Role.STUDENT):
        caller = api.as_(role, "someone", school_id="x")
        assert caller.get("/v1/export/deltas").status_code == 403, role
        assert caller.get("/v1/export/deltas/1/body").status_code == 403, role
    assert api.get("/v1/export/deltas").status_code == 200  # the administrator
    assert api.as_(Role.EXPORTER).get("/v1/schools").status_code == 403  # the export only


def _uuid(value: str) -> object:
    from uuid import UUID

    return UUID(value)
