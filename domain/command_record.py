"""A command's record: saved with its effects so a retry finds the first answer."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import JournalAggregate

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/idempotency")


def command_id_for(caller: str, idempotency_key: str) -> UUID:
    """The same caller and key always name the same command (uuid5)."""
    return uuid5(_NAMESPACE, f"{caller}\x1f{idempotency_key}")


class CommandRecord(JournalAggregate):
    """The command as received (its fingerprint) and the answer it got."""

    id: UUID  # derived from the caller and the key, so a retry collides on it

    @event("Executed")
    def __init__(self, name: str, fingerprint: str, answer: dict[str, Any]) -> None:
        self.name = name
        self.fingerprint = fingerprint
        self.answer = answer
