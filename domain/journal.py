"""The journal application: every command of zhurnal, one ordered log (DESIGN: write side)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording

from domain.base import JournalAggregate
from domain.causation import Causation, acting
from domain.command_record import CommandRecord, command_id_for
from domain.errors import (
    Conflict,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
    StaleVersion,
)

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Command:
    """How a command arrived: who sent it, its Idempotency-Key, its request fingerprint."""

    actor: str
    idempotency_key: str | None = None
    fingerprint: str = ""
    at: datetime | None = None  # the clock, for tests and imports; None: now


@dataclass(frozen=True)
class Outcome:
    """The answer of a command and the log position of its last event."""

    answer: dict[str, Any]
    position: int
    replayed: bool = False


@dataclass
class Decision:
    """What a command decided: the aggregates to save together and the answer."""

    answer: dict[str, Any]
    aggregates: Sequence[Aggregate] = field(default_factory=list)


class JournalBase(Application[UUID]):
    """Idempotent, optimistic command execution shared by the journal's services."""

    name = "journal"
    listeners: list[Callable[[int], None]]

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.listeners = []

    def execute(self, command: Command, name: str, decide: Callable[[], Decision]) -> Outcome:
        """Run `decide` once for this command; a retry with the same key gets the first answer."""
        command_id = None
        if command.idempotency_key:
            command_id = command_id_for(command.actor, command.idempotency_key)
            replay = self._replay(command_id, name, command.fingerprint)
            if replay is not None:
                return replay
        causation = Causation(actor=command.actor, at=command.at)
        if command_id is not None:
            causation = Causation(actor=command.actor, command_id=command_id, at=command.at)
        with acting(causation):
            decision = decide()
            aggregates = list(decision.aggregates)
            if command_id is not None:
                aggregates.append(
                    CommandRecord(  # type: ignore[call-arg]
                        id=command_id, name=name, fingerprint=command.fingerprint,
                        answer=decision.answer,
                    )
                )
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            if command_id is not None:
                replay = self._replay(command_id, name, command.fingerprint)
                if replay is not None:
                    return replay
            raise Conflict(
                "another command changed the same record first; reload and retry"
            ) from None
        return Outcome(decision.answer, self._position(recordings))

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, collecting from aggregates with a nominal isinstance check.

        The library's runtime-Protocol checks cost ~30 µs an aggregate on Python 3.11
        (measured: +40% events/s for class-sized saves without them).
        """
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            elif obj is not None:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _replay(self, command_id: UUID, name: str, fingerprint: str) -> Outcome | None:
        try:
            record: Aggregate = self.repository.get(command_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(record, CommandRecord)
        if record.name != name or record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different request",
                {"Idempotency-Key": "reused with another request"},
            )
        return Outcome(record.answer, self.recorder.max_notification_id() or 0, replayed=True)

    def _position(self, recordings: list[Recording[Any]]) -> int:
        if not recordings:
            return self.recorder.max_notification_id() or 0
        position = max(recording.notification.id for recording in recordings)
        for listener in self.listeners:
            listener(position)
        return position

    def load(
        self, cls: type[A], aggregate_id: UUID, error: type[NotFound], what: str,
        expected_version: int | None = None,
    ) -> A:
        """Get an aggregate of a kind, refusing a missing one or a stale If-Match."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise error(f"no {what} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise error(f"no {what} with id {aggregate_id}")
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleVersion(
                f"the {what} is at version {aggregate.version}, not {expected_version}",
                {"If-Match": "stale version"},
            )
        return aggregate

    def today(self, command: Command) -> date:
        return (command.at or datetime.now().astimezone()).date()


__all__ = [
    "Command",
    "Decision",
    "DomainError",
    "JournalAggregate",
    "JournalBase",
    "Outcome",
]
