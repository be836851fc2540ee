"""Keyset cursors: opaque, stable under inserts, in the order of (sort, pk)."""

from __future__ import annotations

import base64
import binascii

import msgspec

from domain.errors import InvalidValue

MAX_LIMIT = 500


def encode_cursor(*key: object) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[object] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = msgspec.json.decode(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidValue("cursor", "not a cursor this service issued") from None
    if not isinstance(key, list) or len(key) != size:
        raise InvalidValue("cursor", "not a cursor this service issued")
    return key


def checked_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", f"between 1 and {MAX_LIMIT}")
    return limit
