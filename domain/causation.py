"""Who did it, under which command, and when: stamped on every event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Causation:
    """The actor (a person id or a service name), the command id and the clock."""

    actor: str = SYSTEM_ACTOR
    command_id: UUID = field(default_factory=uuid4)
    at: datetime | None = None  # None: the event takes the wall clock


_current: ContextVar[Causation | None] = ContextVar("zhurnal_causation", default=None)


def current_causation() -> Causation:
    return _current.get() or Causation(command_id=UUID(int=0))


@contextmanager
def acting(causation: Causation) -> Iterator[Causation]:
    """Stamp every event triggered inside the block with this causation."""
    token = _current.set(causation)
    try:
        yield causation
    finally:
        _current.reset(token)
