"""Tokens, deny-by-default, /health and the OpenAPI contract outside checks rely on."""

from __future__ import annotations

from api.auth import Role
from projections.runner import write_position
from tests.conftest import Api
from tests.factories import school


def test_a_request_without_a_token_is_401_problem_json(api: Api) -> None:
    response = api.client.get("/v1/schools")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_expired_or_foreign_token_is_refused(api: Api) -> None:
    expired = api.tokens.mint("admin", Role.ADMIN, ttl_seconds=-10)
    response = api.client.get("/v1/schools", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    forged = api.client.get("/v1/schools", headers={"Authorization": "Bearer a.b.c"})
    assert forged.status_code == 401


def test_a_teacher_may_not_register_a_school_and_nothing_is_written(api: Api) -> None:
    before = api.container.log_position()
    refused = api.as_(Role.TEACHER).post("/v1/schools", school())
    assert refused.status_code == 403
    assert refused.json()["code"] == "Forbidden"
    assert api.container.log_position() == before


def test_a_school_admin_manages_only_their_own_school(api: Api) -> None:
    own = api.post("/v1/schools", school()).json()["id"]
    other = api.post("/v1/schools", school(name="Другая")).json()["id"]
    admin = api.as_(Role.SCHOOL_ADMIN, "director", school_id=own)
    assert admin.patch(f"/v1/schools/{own}", {"name": "Новое имя"}).status_code == 200
    assert admin.patch(f"/v1/schools/{other}", {"name": "Чужое"}).status_code == 403


def test_health_answers_ok_with_the_database_checked(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_openapi_describes_every_route_with_its_schemas(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            ok = next(code for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][ok]["content"]["application/json"]["schema"]
            assert content["$ref"].split("/")[-1] in schemas, (method, path)
            if method in ("post", "put", "patch"):
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert body["$ref"].split("/")[-1] in schemas, (method, path)
    assert "Requisites" in schemas and "Problem" in schemas


def test_the_operations_view_names_a_projection_built_by_older_code(api: Api) -> None:
    auditor = api.as_(Role.AUDITOR)
    listed = auditor.get("/v1/admin/projections").json()["projections"]
    assert not any(item["outdated"] for item in listed)
    with api.container.views.transaction() as tx:  # as an older deployment left it
        write_position(tx, "walls", 0, version=0)
    listed = auditor.get("/v1/admin/projections").json()["projections"]
    assert [item["name"] for item in listed if item["outdated"]] == ["walls"]
