"""Personal data over HTTP: documents masked but for whom may see them; erasure by
crypto-shredding, after which no byte of the person's name, documents or СНИЛС is left in
the whole database (SQLite files, or every table of PostgreSQL)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from api.auth import Role
from domain import identifiers as ids
from projections.operations import verify
from tests.conftest import Api
from tests.e2e.journal_setup import JournalSchool, ok, refused, set_up_school
from tests.factories import person


def _secret_person(api: Api, s: JournalSchool) -> tuple[str, list[bytes]]:
    """A student of 5А with a passport and a СНИЛС no one else has; what must vanish."""
    rng = random.Random()
    series, number = ids.make_passport(rng)
    snils = ids.make_snils(rng)
    last = "Шредингерова" + "".join(rng.choice("абвгдежзикл") for _ in range(8))
    student = ok(api.post("/v1/people", person(
        name={"last": last, "first": "Эрика"}, birth_date="2009-02-03",
        documents={"passport": {"series": series, "number": number, "issued_on": "2023-03-01"},
                   "snils": snils})), 201)["id"]
    ok(s.director.post(f"/v1/classes/{s.class_id}/enrolments",
                       {"student_id": student, "on": "2024-09-01"}))
    secrets = [last.encode(), f'"{number}"'.encode(), snils.replace("-", "").replace(" ", "")
               .encode(), b"2009-02-03"]
    return student, secrets


def _database_bytes(api: Api) -> bytes:
    """The whole database: every SQLite file, or every row of every PostgreSQL table."""
    settings = api.container.settings
    if not settings.is_postgres:
        return b"".join(path.read_bytes() for path in sorted(Path(settings.data_dir).iterdir())
                        if path.is_file() and ".db" in path.name)
    dump = bytearray()
    with psycopg.connect(str(settings.database_url)) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        for (table,) in tables:
            for row in connection.execute(sql.SQL("SELECT * FROM {}").format(
                    sql.Identifier(table))):
                for value in row:
                    dump += bytes(value) if isinstance(value, (bytes, memoryview)) else \
                        str(value).encode()
    return bytes(dump)


def _fresh(api: Api, position: int) -> dict[str, Any]:
    return {"min_position": position}


def test_documents_are_whole_only_for_admins_and_the_persons_school(api: Api) -> None:
    s = set_up_school(api, students=2)
    student, _ = _secret_person(api, s)
    parent = ok(api.post("/v1/people", person(name={"last": "Мамина", "first": "Ая"})), 201)
    linked = ok(api.post(f"/v1/people/{student}/representatives",
                         {"representative_id": parent["id"], "kind": "mother"}))
    url, fresh = f"/v1/people/{student}", _fresh(api, linked["position"])
    whole = ok(api.get(url, params=fresh))["documents"]["passport"]["number"]
    assert "*" not in whole
    assert ok(s.director.get(url, params=fresh))["documents"]["passport"]["number"] == whole
    for reader in (api.as_(Role.AUDITOR), s.as_(Role.STUDENT, student),
                   s.as_(Role.PARENT, parent["id"])):
        documents = ok(reader.get(url, params=fresh))["documents"]
        assert documents["passport"]["number"].startswith("****")
        assert documents["snils"].startswith("***-***-***")
    students = ok(api.as_(Role.AUDITOR).get(f"/v1/schools/{s.school_id}/students",
                                            params=fresh))["items"]
    assert all("*" in str(i["person"]["documents"]) for i in students if i["person"]["documents"])
    other = set_up_school(api, students=1)
    for stranger in (other.director, s.as_(Role.STUDENT, s.students[0]), s.teacher):
        assert refused(stranger.get(url, params=fresh), 403)["code"] == "Forbidden"
    assert refused(other.director.patch(url, {"sex": "male"}), 403)["code"] == "Forbidden"


def test_after_an_erasure_no_trace_of_the_person_is_left_in_the_database(api: Api) -> None:
    s = set_up_school(api, students=2)
    student, secrets = _secret_person(api, s)
    head = api.container.log_position()
    assert all(api.container.wait_for(n, head) for n in api.container.projection_names())
    before = _database_bytes(api)
    assert secrets[0] in before  # the registry holds the name until the erasure

    for caller in (s.teacher, api.as_(Role.AUDITOR), set_up_school(api, students=1).director):
        assert refused(caller.post(f"/v1/people/{student}/erasure", {
            "legal_ground": "152-ФЗ", "act_reference": "Акт № 1"}), 403)
    erased = ok(s.director.post(f"/v1/people/{student}/erasure", {
        "legal_ground": "152-ФЗ, ст. 21, ч. 5", "act_reference": "Акт № 7 от 01.03.2026"}))
    assert erased["key_destroyed"] is True
    assert erased["views_scrubbed"] is (not api.container.settings.is_postgres)

    shown = ok(api.get(f"/v1/people/{student}", params=_fresh(api, erased["position"])))
    assert shown["name"]["last"] == "[erased]" and shown["documents"] == {}
    assert shown["birth_date"] is None and shown["erased"] is True
    assert api.container.journal.get_person(UUID(student)).name.last == "[erased]"
    dump = _database_bytes(api)
    for secret in secrets:
        assert secret not in dump, secret
    # Rebuilt from the log, the views equal the live ones: the replay reads erased too.
    journal = api.container.journal
    assert verify(journal.recorder, journal.mapper, api.container.views,  # type: ignore[arg-type]
                  api.container.projections) == []


def test_an_erased_person_is_not_written_again_and_not_erased_twice(api: Api) -> None:
    s = set_up_school(api, students=1)
    student, _ = _secret_person(api, s)
    body = {"legal_ground": "152-ФЗ", "act_reference": "Акт № 2"}
    ok(api.post(f"/v1/people/{student}/erasure", body))
    again = refused(api.post(f"/v1/people/{student}/erasure", body), 422)
    assert again["code"] == "PersonalDataAlreadyErased"
    corrected = refused(api.patch(f"/v1/people/{student}", {
        "name": {"last": "Воскрешённая", "first": "Эрика"}}), 422)
    assert corrected["code"] == "PersonErased"
    missing = refused(api.post(f"/v1/people/{student}/erasure", {"legal_ground": " ",
                                                                 "act_reference": "x"}), 422)
    assert missing["errors"][0]["field"] == "legal_ground"
