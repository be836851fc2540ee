"""Classes and roster moves over HTTP: enrol, transfer (atomic), leave, the roster on a date."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import adult, person, school


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def school_with_classes(api: Api) -> dict[str, Any]:
    school_id = ok(api.post("/v1/schools", school()), 201)["id"]
    teacher = ok(api.post("/v1/people", adult()), 201)["id"]
    ok(api.post(f"/v1/schools/{school_id}/staff",
                {"person_id": teacher, "position": "teacher"}))
    a = ok(api.post(f"/v1/schools/{school_id}/classes",
                    {"academic_year": 2026, "name": "5 а", "homeroom_teacher_id": teacher}), 201)
    b = ok(api.post(f"/v1/schools/{school_id}/classes",
                    {"academic_year": 2026, "name": "5Б"}), 201)
    student = ok(api.post("/v1/people", person()), 201)["id"]
    ok(api.post(f"/v1/classes/{a['id']}/enrolments",
                {"student_id": student, "on": "2026-09-01"}))
    return {"school": school_id, "teacher": teacher, "a": a["id"], "b": b["id"],
            "student": student}


def test_a_transfer_moves_the_student_and_the_roster_answers_for_each_date(
    api: Api, school_with_classes: dict[str, Any]
) -> None:
    s = school_with_classes
    moved = ok(api.post("/v1/transfers", {
        "student_id": s["student"], "from_class_id": s["a"], "to_class_id": s["b"],
        "on": "2026-10-14", "reason": "по заявлению родителей"}))
    params = {"min_position": moved["position"]}

    before = ok(api.get(f"/v1/classes/{s['a']}", params=params | {"on": "2026-10-13"}))
    after_old = ok(api.get(f"/v1/classes/{s['a']}", params={"on": "2026-10-14"}))
    after_new = ok(api.get(f"/v1/classes/{s['b']}", params={"on": "2026-10-14"}))

    assert before["members_on"] == [s["student"]]
    assert after_old["members_on"] == []
    assert after_new["members_on"] == [s["student"]]
    students = ok(api.get(f"/v1/schools/{s['school']}/students"))["items"]
    assert [(x["person_id"], x["class_name"]) for x in students] == [(s["student"], "5Б")]


def test_a_student_already_in_a_class_cannot_be_enrolled_in_another(
    api: Api, school_with_classes: dict[str, Any]
) -> None:
    s = school_with_classes
    before = api.container.log_position()
    refused = api.post(f"/v1/classes/{s['b']}/enrolments",
                       {"student_id": s["student"], "on": "2026-09-02"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "student_id"
    assert api.container.log_position() == before


def test_a_student_who_leaves_is_gone_from_the_registry_but_not_from_history(
    api: Api, school_with_classes: dict[str, Any]
) -> None:
    s = school_with_classes
    left = ok(api.post(f"/v1/classes/{s['a']}/departures", {
        "student_id": s["student"], "on": "2026-12-01", "reason": "переезд в другой регион"}))
    params = {"min_position": left["position"]}
    assert ok(api.get(f"/v1/schools/{s['school']}/students", params=params))["items"] == []
    roster = ok(api.get(f"/v1/classes/{s['a']}", params={"on": "2026-11-30"}))
    assert roster["members_on"] == [s["student"]]


def test_a_class_name_outside_parallels_1_to_11_is_refused(
    api: Api, school_with_classes: dict[str, Any]
) -> None:
    refused = api.post(f"/v1/schools/{school_with_classes['school']}/classes",
                       {"academic_year": 2026, "name": "12А"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "name"


def test_a_homeroom_teacher_must_teach_at_the_school(
    api: Api, school_with_classes: dict[str, Any]
) -> None:
    stranger = ok(api.post("/v1/people", adult()), 201)["id"]
    refused = api.put(f"/v1/classes/{school_with_classes['b']}/homeroom-teacher",
                      {"teacher_id": stranger})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "homeroom_teacher_id"


def test_registries_list_teachers_and_representatives_and_readiness_names_people(
    api: Api, school_with_classes: dict[str, Any]
) -> None:
    s = school_with_classes
    mother = ok(api.post("/v1/people", adult(
        name={"last": "Соколова", "first": "Ирина"}, sex="female", documents={})), 201)["id"]
    linked = ok(api.post(f"/v1/people/{s['student']}/representatives",
                         {"representative_id": mother, "kind": "mother"}))
    params = {"min_position": linked["position"]}

    teachers = ok(api.get(f"/v1/schools/{s['school']}/teachers", params=params))["items"]
    representatives = ok(api.get(f"/v1/schools/{s['school']}/representatives"))["items"]
    report = ok(api.get(f"/v1/schools/{s['school']}/readiness"))

    assert [t["person_id"] for t in teachers] == [s["teacher"]]
    assert [(r["representative_id"], r["kind"]) for r in representatives] == [(mother, "mother")]
    held = {p["person_id"]: p for p in report["people_not_ready"]}
    assert list(held) == [mother]
    assert held[mother]["roles"] == ["representative"]
    assert "СНИЛС" in held[mother]["missing"][0]


def test_an_issue_date_before_birth_is_refused_naming_the_document(api: Api) -> None:
    refused = api.post("/v1/people", person(documents={"birth_certificate": {
        "series": "IV-МЮ", "number": "123456", "issued_on": "2013-01-01"}}))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "documents.birth_certificate.issued_on"
