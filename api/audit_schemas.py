"""Answers of the audit and personal-data routes (msgspec, published in /openapi.json)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec


class Change(msgspec.Struct, kw_only=True):
    field: str  # a dotted path in the entity's state, e.g. `marks.<id>.value`
    old: Any = None
    new: Any = None


class HistoryEntry(msgspec.Struct, kw_only=True):
    version: int
    position: int | None  # the log position (None while the activity view lags)
    event_type: str
    actor: str
    command_id: str
    at: str | None
    reason: str | None = None
    changes: list[Change] = []


class EntityHistory(msgspec.Struct, kw_only=True):
    entity_id: UUID
    aggregate_id: UUID  # the entity itself, or the aggregate holding it (a mark's lesson)
    aggregate: str
    items: list[HistoryEntry]


class ActivityItem(msgspec.Struct, kw_only=True):
    position: int
    actor: str
    at: str
    command_id: str
    event_type: str
    aggregate: str
    entity_id: str
    version: int
    part_id: str | None = None


class ActivityPage(msgspec.Struct, kw_only=True):
    items: list[ActivityItem]
    next_cursor: int | None = None


class ChainHead(msgspec.Struct, kw_only=True):
    """The latest checkpoint of the audit hash chain; keep a copy elsewhere as an anchor."""

    position: int
    hash: str
    blocks: int
    log_position: int


class EraseRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    legal_ground: str  # e.g. «152-ФЗ, ст. 21, ч. 5»
    act_reference: str  # the act of destruction, e.g. «Акт № 12 от 01.03.2026»


class ErasureResult(msgspec.Struct, kw_only=True):
    position: int
    id: UUID
    version: int
    key_destroyed: bool  # the person's key is gone from the key store
    views_scrubbed: bool  # the read models were compacted so no old bytes remain
    replayed: bool = False
