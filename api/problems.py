"""RFC 9457 problem details: every error a client sees, with field-level messages."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from eventsourcing.persistence import IntegrityError, PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from domain.errors import (
    Conflict,
    DomainError,
    InvalidValue,
    NotFound,
    RuleViolated,
    StaleVersion,
)

log = logging.getLogger("zhurnal.api")
PROBLEM_JSON = "application/problem+json"


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem; `errors` names each offending field."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str | None = None
    errors: list[FieldError] = []


class ProblemError(Exception):
    """Raised by the API layer (auth, headers) to answer with a problem."""

    def __init__(
        self, status: int, title: str, detail: str, code: str,
        fields: dict[str, str] | None = None, headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.code = status, title, detail, code
        self.fields = fields or {}
        self.headers = headers or {}


def problem_response(
    status: int, title: str, detail: str | None, code: str, request: Request | None = None,
    fields: dict[str, str] | None = None, headers: dict[str, str] | None = None,
) -> Response:
    problem = Problem(
        type=f"urn:zhurnal:problem:{code}", title=title, status=status, detail=detail,
        instance=str(request.url.path) if request is not None else None, code=code,
        errors=[FieldError(field, message) for field, message in (fields or {}).items()],
    )
    return Response(
        msgspec.json.encode(problem), status_code=status, media_type=PROBLEM_JSON,
        headers=headers,
    )


_STATUS: list[tuple[type[DomainError], int]] = [
    (StaleVersion, 412),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidValue, 422),
    (RuleViolated, 422),
    (DomainError, 422),
]


def status_of(error: DomainError) -> int:
    return next(status for cls, status in _STATUS if isinstance(error, cls))


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<name>[^`]+)`")


def field_of_validation_error(message: str) -> str:
    """'Expected `int`, got `str` - at `$.shifts[0]`' -> 'shifts[0]'."""
    path = ""
    match = _AT.search(message)
    if match:
        path = match.group("path").lstrip(".")
    missing = _MISSING.search(message)
    if missing:
        path = f"{path}.{missing.group('name')}" if path else missing.group("name")
    return path or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        return problem_response(
            status_of(error), error.title, error.detail, error.code, request, error.fields
        )

    @app.exception_handler(ProblemError)
    async def api_problem(request: Request, error: ProblemError) -> Response:
        return problem_response(
            error.status, error.title, error.detail, error.code, request, error.fields,
            error.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        fields: dict[str, str] = {}
        for item in error.errors():
            location = [str(part) for part in item.get("loc", ()) if part not in ("body",)]
            fields[".".join(location) or "request"] = str(item.get("msg", "invalid"))
        return problem_response(
            422, "Invalid request", "some parameters are invalid", "InvalidRequest", request,
            fields,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return problem_response(
            error.status_code, str(error.detail), str(error.detail), f"Http{error.status_code}",
            request, headers=dict(error.headers or {}),
        )

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, error: IntegrityError) -> Response:
        return problem_response(
            409, "Conflict", "another command changed the same record first; reload and retry",
            "Conflict", request,
        )

    @app.exception_handler(PersistenceError)
    async def unavailable(request: Request, error: PersistenceError) -> Response:
        log.exception("database error on %s", request.url.path)
        return problem_response(
            503, "Service unavailable", "the database is unavailable; retry shortly",
            "DatabaseUnavailable", request, headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return problem_response(
            500, "Internal error", "an unexpected error occurred; it has been logged",
            "InternalError", request,
        )


def problem_schema() -> dict[str, Any]:
    return {"$ref": "#/components/schemas/Problem"}
