"""The base aggregate: every event names its actor and command (DESIGN: write side)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.causation import current_causation


def _stamp(kwargs: dict[str, Any]) -> dict[str, Any]:
    causation = current_causation()
    kwargs.setdefault("actor", causation.actor)
    kwargs.setdefault("command_id", causation.command_id)
    if causation.at is not None and kwargs.get("timestamp") is None:
        kwargs["timestamp"] = causation.at
    return kwargs


class JournalAggregate(Aggregate):
    """An aggregate whose events carry `actor` and `command_id`."""

    class Event(Aggregate.Event):
        actor: str
        command_id: UUID

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Any:
        return super()._create(event_class, **_stamp(kwargs))

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, **_stamp(kwargs))
