"""The history of one entity: its aggregate's events replayed one by one, successive states
diffed into old -> new values, each change with who, when, under which command and why.

An entity is an aggregate (a lesson, a person, a class, a school, ...) or a part of one with
an id of its own (a mark, inside its lesson): a part's history keeps the changes of the
fields under its id. Cost: O(events x state size) for one aggregate, read from the event
store (not from a view), bounded by MAX_EVENTS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.errors import InvalidValue
from projections.activity import instant

MAX_EVENTS = 10_000
_MISSING = object()


def state_of(aggregate: Any) -> dict[str, Any]:
    """An aggregate's public attributes as dotted paths to builtin values."""
    flat: dict[str, Any] = {}
    public = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    _flatten(msgspec.to_builtins(public, str_keys=True, order="deterministic"), "", flat)
    return flat


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict) and (value or not prefix):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), into)
    else:
        into[prefix] = value


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for field in sorted(old.keys() | new.keys()):
        before, after = old.get(field, _MISSING), new.get(field, _MISSING)
        if before != after:
            changes.append({"field": field, "old": None if before is _MISSING else before,
                            "new": None if after is _MISSING else after})
    return changes


def _in_part(field: str, part: str) -> bool:
    return part in field.split(".")


def history(
    events: Sequence[Any], positions: Mapping[int, int] | None = None, part: str | None = None,
) -> list[dict[str, Any]]:
    """One entry per event (of those touching `part`, when given), oldest first."""
    if len(events) > MAX_EVENTS:
        raise InvalidValue("entity_id", f"more than {MAX_EVENTS} events: too long a history "
                                        "to replay on line")
    aggregate: Any = None
    previous: dict[str, Any] = {}
    entries = []
    for event in events:
        aggregate = event.mutate(aggregate)
        current = state_of(aggregate) if aggregate is not None else {}
        changes = diff(previous, current)
        previous = current
        if part is not None:
            changes = [c for c in changes if _in_part(c["field"], part)]
            if not changes and getattr(event, "mark_id", None) != _uuid_or_none(part):
                continue
        stamp = getattr(event, "timestamp", None)
        entries.append({
            "version": event.originator_version,
            "position": (positions or {}).get(event.originator_version),
            "event_type": type(event).__qualname__,
            "actor": str(getattr(event, "actor", "")),
            "command_id": str(getattr(event, "command_id", "")),
            "at": instant(stamp) if isinstance(stamp, datetime) else None,
            "reason": getattr(event, "reason", None),
            "changes": changes,
        })
    return entries


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
