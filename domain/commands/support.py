"""Small helpers the journal's command services share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.causation import acting, current_causation
from domain.deadlines import as_aware
from domain.errors import DomainError


def answer(aggregate: Aggregate, **extra: object) -> dict[str, object]:
    """A command's answer: the aggregate's id and new version (for If-Match), and extras."""
    return {"id": str(aggregate.id), "version": aggregate.version, **extra}


@contextmanager
def pinned_clock() -> Iterator[datetime]:
    """Fix the command's clock, so the events' timestamp and the time a rule judged are one.

    A mark is late or not by the instant it was placed; that instant is the event's timestamp.
    """
    causation = current_causation()
    at = as_aware(causation.at or datetime.now(UTC))
    with acting(replace(causation, at=at)):
        yield at


@contextmanager
def fields_under(prefix: str) -> Iterator[None]:
    """Name a refused item of a list command: `student_id` becomes `marks[3].student_id`."""
    try:
        yield
    except DomainError as error:
        fields_prefixed(error, prefix)
        raise


def fields_prefixed(error: DomainError, prefix: str) -> None:
    """What fields_under does, for a loop that catches the error itself (no context manager
    entered per item: a whole-class command has 30)."""
    error.fields = {f"{prefix}.{name}": message for name, message in error.fields.items()}


def person_id(actor: str) -> UUID | None:
    """The acting person (an actor is a person id or a service name)."""
    try:
        return UUID(actor)
    except ValueError:
        return None
