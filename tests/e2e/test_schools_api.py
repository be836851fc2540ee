"""Schools over HTTP: registration, field-level errors, idempotency, If-Match, readiness."""

from __future__ import annotations

from tests.conftest import Api
from tests.factories import COMPLETE_REQUISITES, school


def fresh(api: Api, response: object) -> dict[str, str]:
    """Query parameters that read the caller's own write."""
    return {"min_position": str(response.json()["position"])}  # type: ignore[attr-defined]


def test_a_school_with_complete_requisites_is_ready_for_export(api: Api) -> None:
    created = api.post("/v1/schools", school())
    assert created.status_code == 201, created.text
    school_id = created.json()["id"]

    shown = api.get(f"/v1/schools/{school_id}", params=fresh(api, created))

    assert shown.status_code == 200
    assert shown.json()["ready"] is True
    assert shown.json()["missing"] == []
    assert shown.headers["etag"] == '"1"'


def test_an_inn_with_a_wrong_check_digit_is_refused_naming_the_field(api: Api) -> None:
    before = api.container.log_position()
    requisites = dict(COMPLETE_REQUISITES, inn="7707083894")

    refused = api.post("/v1/schools", school(requisites=requisites))

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["status"] == 422
    assert [error["field"] for error in problem["errors"]] == ["requisites.inn"]
    assert "check digit" in problem["errors"][0]["message"]
    assert api.container.log_position() == before


def test_a_body_of_the_wrong_type_gets_a_field_level_problem_not_a_500(api: Api) -> None:
    refused = api.post("/v1/schools", {"name": "Школа", "shifts": "две"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "shifts"

    malformed = api.request("POST", "/v1/schools", content=b"{not json",
                            headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "MalformedJson"

    missing = api.post("/v1/schools", {"time_zone": "Europe/Moscow"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "name"


def test_an_unknown_time_zone_is_refused(api: Api) -> None:
    refused = api.post("/v1/schools", school(time_zone="Europe/Atlantis"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "time_zone"


def test_a_school_with_gaps_is_held_back_and_the_report_names_them(api: Api) -> None:
    requisites = dict(COMPLETE_REQUISITES, kpp=None, oktmo=None, phones=[])
    created = api.post("/v1/schools", school(requisites=requisites))
    school_id = created.json()["id"]

    report = api.get(f"/v1/schools/{school_id}/readiness", params=fresh(api, created))

    assert report.status_code == 200
    assert report.json()["ready"] is False
    assert report.json()["missing_requisites"] == ["КПП", "ОКТМО", "контактные телефоны"]


def test_a_retried_command_with_the_same_idempotency_key_writes_nothing_new(api: Api) -> None:
    key = {"Idempotency-Key": "register-1535"}
    first = api.post("/v1/schools", school(), headers=key)
    after_first = api.container.log_position()

    retry = api.post("/v1/schools", school(), headers=key)

    assert retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert api.container.log_position() == after_first


def test_an_idempotency_key_reused_for_another_request_is_a_conflict(api: Api) -> None:
    key = {"Idempotency-Key": "k-1"}
    api.post("/v1/schools", school(), headers=key)
    reused = api.post("/v1/schools", school(name="Другая школа"), headers=key)
    assert reused.status_code == 409
    assert reused.json()["code"] == "IdempotencyKeyReused"


def test_a_stale_if_match_gets_412_and_changes_nothing(api: Api) -> None:
    created = api.post("/v1/schools", school())
    school_id = created.json()["id"]
    renamed = api.patch(f"/v1/schools/{school_id}", {"name": "Школа № 2"},
                        headers={"If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] == '"2"'

    stale = api.patch(f"/v1/schools/{school_id}", {"name": "Школа № 3"},
                      headers={"If-Match": '"1"'})

    assert stale.status_code == 412
    shown = api.get(f"/v1/schools/{school_id}", params=fresh(api, renamed))
    assert shown.json()["name"] == "Школа № 2"


def test_an_unchanged_school_answers_304_to_if_none_match(api: Api) -> None:
    created = api.post("/v1/schools", school())
    url = f"/v1/schools/{created.json()['id']}"
    first = api.get(url, params=fresh(api, created))
    again = api.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_school_registry_pages_through_every_school_once(api: Api) -> None:
    last = None
    for number in range(7):
        last = api.post("/v1/schools", school(name=f"Школа № {number:02d}"))
    seen: list[str] = []
    params = fresh(api, last) | {"limit": "3"}
    while True:
        page = api.get("/v1/schools", params=params).json()
        seen.extend(item["name"] for item in page["items"])
        if not page["next_cursor"]:
            break
        params = {"limit": "3", "cursor": page["next_cursor"]}
    assert seen == sorted(f"Школа № {number:02d}" for number in range(7))


def test_a_forged_cursor_is_a_field_error(api: Api) -> None:
    refused = api.get("/v1/schools", params={"cursor": "garbage!"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "cursor"
