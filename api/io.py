"""msgspec at the edges: request bodies decoded, responses encoded, both in /openapi.json."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from starlette.responses import Response

from api.problems import FieldError, Problem, ProblemError, field_of_validation_error

T = TypeVar("T")
_REF = "#/components/schemas/{name}"
_schema_types: set[Any] = {Problem, FieldError}
_encoder = msgspec.json.Encoder()


def body(struct: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency decoding the JSON body into `struct`, refusing it field by field."""
    decoder = msgspec.json.Decoder(struct)
    _schema_types.add(struct)

    async def decode(request: Request) -> T:
        raw = await request.body()
        try:
            return decoder.decode(raw or b"{}")
        except msgspec.ValidationError as error:
            field = field_of_validation_error(str(error))
            raise ProblemError(
                422, "Invalid request body", str(error), "InvalidBody", {field: str(error)}
            ) from None
        except msgspec.DecodeError as error:
            raise ProblemError(
                400, "Malformed JSON", str(error), "MalformedJson", {"body": str(error)}
            ) from None

    decode.__name__ = f"decode_{struct.__name__}"
    return decode


_ERRORS = {
    code: {"description": text, "content": {"application/problem+json": {
        "schema": {"$ref": _REF.format(name="Problem")}}}}
    for code, text in (
        (401, "Missing or invalid bearer token"), (403, "Not allowed for this role"),
        (404, "Not found"), (409, "Conflict"), (412, "Stale If-Match"),
        (422, "Invalid input"),
    )
}


def io(
    answer: Any, *, request: Any = None, status: int = 200, description: str = "OK"
) -> dict[str, Any]:
    """Route keyword arguments that describe the msgspec request and answer in OpenAPI."""
    _schema_types.add(answer)
    name = _schema_name(answer)
    extra: dict[str, Any] = {}
    if request is not None:
        _schema_types.add(request)
        extra["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _REF.format(
                name=_schema_name(request))}}},
        }
    return {
        "status_code": status,
        "response_class": Response,
        "responses": {
            status: {"description": description, "content": {"application/json": {
                "schema": {"$ref": _REF.format(name=name)}}}},
            **_ERRORS,
        },
        "openapi_extra": extra,
    }


def _schema_name(struct: Any) -> str:
    return getattr(struct, "__name__", str(struct))


def encode(
    value: Any, status: int = 200, headers: dict[str, str] | None = None,
    request: Request | None = None,
) -> Response:
    """Encode with msgspec; with `request`, answer 304 when If-None-Match matches."""
    content = _encoder.encode(value)
    headers = dict(headers or {})
    if request is not None and "ETag" not in headers:
        headers["ETag"] = f'W/"{hashlib.blake2b(content, digest_size=12).hexdigest()}"'
    if request is not None and status == 200 and not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(content, status_code=status, media_type="application/json", headers=headers)


def served(content: bytes, request: Request) -> Response:
    """JSON bytes answered as they are (nothing re-encoded or copied), with `encode`'s
    If-None-Match/304. The weak ETag is the bytes' length, CRC-32 and Adler-32: a few
    microseconds for a diary week's ~20 KB, where a cryptographic hash costs ~20."""
    tag = f'W/"{len(content):x}-{zlib.crc32(content):08x}{zlib.adler32(content):08x}"'
    if not_modified(request, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return Response(content, media_type="application/json", headers={"ETag": tag})


def not_modified(request: Request, tag: str) -> bool:
    """Whether the request's If-None-Match names `tag`."""
    wanted = raw_header(request, b"if-none-match")
    return wanted is not None and tag in {
        item.strip() for item in wanted.decode("latin-1").split(",")}


def raw_header(request: Request, name: bytes) -> bytes | None:
    """The first value of a header (`name` in lower case) as sent, without building
    Starlette's `Headers` (the diary's hot path reads two)."""
    for key, value in request.scope["headers"]:
        if key == name:
            found: bytes = value
            return found
    return None


def install_openapi(app: FastAPI) -> None:
    """Merge the msgspec structs' JSON Schemas into the generated OpenAPI document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description,
            routes=app.routes,
        )
        _, components = msgspec.json.schema_components(
            sorted(_schema_types, key=_schema_name), ref_template=_REF
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
        schema["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        }
        for path, operations in schema.get("paths", {}).items():
            if path.startswith("/v1/"):
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
