"""Answers of the federal export endpoints, for OpenAPI (the payloads' own schemas are served
by GET /v1/export/schemas and committed in docs/export-schemas.json)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from projections.export_deltas import Manifest


class DeltaPage(msgspec.Struct, kw_only=True):
    """Sealed deltas after `after` in number order; `acknowledged`: the caller's last one."""

    items: list[Manifest]
    after: int
    acknowledged: int
    latest: int


class AckRequest(msgspec.Struct, kw_only=True):
    """The last delta you hold: every one up to it is acknowledged."""

    number: Annotated[int, msgspec.Meta(ge=1)]


class Acknowledgement(msgspec.Struct, kw_only=True):
    consumer: str
    acknowledged: int


class HeldSchool(msgspec.Struct, kw_only=True):
    school_id: str
    name: str
    missing: list[str]


class HeldPerson(msgspec.Struct, kw_only=True):
    person_id: str
    name: str
    missing: list[str]
    schools: list[str]


class HeldReport(msgspec.Struct, kw_only=True):
    """What keeps schools (requisites) and people (identification) out of the export."""

    schools: list[HeldSchool]
    people: list[HeldPerson]


class PushStatus(msgspec.Struct, kw_only=True):
    url: str | None
    delivered: int
    waiting: int
    failures: int
    last_error: str | None
    last_attempt_at: str | None
    next_attempt_at: str | None
    delivered_at: str | None
    stopped: bool
    alert: str | None


class ConsumerStatus(msgspec.Struct, kw_only=True):
    consumer: str
    acknowledged: int
    waiting: int
    at: str


class ExportStatus(msgspec.Struct, kw_only=True):
    log_position: int
    projection_position: int
    lag: int
    latest_delta: Manifest | None
    records_since_last_seal: int
    push: PushStatus
    consumers: list[ConsumerStatus]


class EntitySchema(msgspec.Struct, kw_only=True):
    schema_version: int
    key: str
    seed: str
    payload: dict[str, Any]


class ExportSchemas(msgspec.Struct, kw_only=True):
    """A JSON Schema document: the record envelope and each entity's payload."""

    schema: str = msgspec.field(name="$schema")
    id: str = msgspec.field(name="$id")
    title: str
    description: str
    record: dict[str, Any]
    entities: dict[str, EntitySchema]
    defs: dict[str, Any] = msgspec.field(name="$defs")
