"""Cached aggregates lent to one command at a time (DESIGN: write side).

A command takes an aggregate out of the cache and brings it up to date with the events stored
after its version (another process may have written them); when the command ends the
aggregate goes back if it matches the log: saved, or not changed at all. An aggregate left
with pending events (a refused command) or whose save failed is dropped, so the cache never
holds a state the log does not have, and nothing needs copying.

An aggregate a command only reads may be lent *unread* (`lend(..., unread=...)`): the
recorder checks at the save, under the same table lock as the insert, that no event was
stored after the version lent; if one was, nothing is saved and the command runs again,
reading everything. The decision is thus made on what is last in the log when it is saved.
With a recorder that cannot check (SQLite, in memory) the aggregate is read as usual. An
aggregate the command saves is always read: a save that loses a race must stay a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from domain.aggregate_cache import AggregateCache

UNREAD = "unread"  # the save's keyword: {aggregate id: version lent unread}


class StaleLoan(Exception):
    """An aggregate lent unread changed before the save (raised by the recorder)."""


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's project_aggregate without its assert of a runtime Protocol (~90 µs an
    event on Python 3.11, a fifth of a whole-class command)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


@dataclass
class Loan:
    """What one command took from the cache, and the events read ahead for it."""

    lender: Lender
    fresh: bool = False  # a second run: nothing lent unread
    taken: dict[UUID, Aggregate | None] = field(default_factory=dict)  # None: not cached
    ahead: dict[UUID, list[StoredEvent]] = field(default_factory=dict)
    unread: dict[UUID, int] = field(default_factory=dict)
    loaded: dict[UUID, Aggregate] = field(default_factory=dict)  # first loads
    unsaved: Sequence[Aggregate] = ()  # what a failed save was for

    def checks(self) -> dict[UUID, int]:
        """The versions the save must find still last: of the aggregates lent unread and used."""
        return {i: version for i, version in self.unread.items() if i in self.loaded}


_current: ContextVar[Loan | None] = ContextVar("zhurnal_loan", default=None)


class Lender:
    """The journal's cache and the loans of the commands running now."""

    def __init__(self, cache: AggregateCache, recorder: Any, mapper: Any,
                 uncached: tuple[type[Aggregate], ...]) -> None:
        self.cache, self.recorder, self.mapper, self.uncached = cache, recorder, mapper, uncached
        self.checks_unread = bool(getattr(recorder, "checks_unread", False))

    @contextmanager
    def lending(self, fresh: bool = False) -> Iterator[Loan]:
        loan = Loan(self, fresh)
        token = _current.set(loan)
        try:
            yield loan
        finally:
            _current.reset(token)

    def current(self) -> Loan | None:
        loan = _current.get()
        return loan if loan is not None and loan.lender is self else None

    def get(self, loan: Loan, aggregate_id: UUID, read: bool = False) -> Aggregate:
        """The aggregate lent to the command, brought up to date unless lent unread (and not
        `read`: a version the caller compares must be the last)."""
        if read:
            loan.unread.pop(aggregate_id, None)
        if aggregate_id in loan.taken:
            cached = loan.taken[aggregate_id]
            events = loan.ahead.pop(aggregate_id, None)
            if events is None and aggregate_id in loan.unread:
                events = []
        else:
            cached = loan.taken[aggregate_id] = self.cache.take(aggregate_id)
            events = None
        if events is None:
            events = list(self.recorder.select_events(
                aggregate_id, gt=None if cached is None else cached.version))
        aggregate: Aggregate | None = project(cached, map(self.mapper.to_domain_event, events))
        if aggregate is None:
            raise AggregateNotFoundError(aggregate_id)
        loan.loaded[aggregate_id] = aggregate
        return aggregate

    def lend(self, loan: Loan, read: Iterable[UUID], unread: Iterable[UUID] = (),
             read_missing: bool = True) -> None:
        """Take `read` and `unread` from the cache; read the new events of `read`, and of the
        `unread` not cached (if `read_missing`), in one query."""
        after: dict[UUID, int] = {}
        for aggregate_id in read:
            if aggregate_id not in loan.taken:
                cached = loan.taken[aggregate_id] = self.cache.take(aggregate_id)
                after[aggregate_id] = 0 if cached is None else cached.version
        for aggregate_id in unread:
            if aggregate_id in loan.taken:
                continue
            cached = None if loan.fresh or not self.checks_unread else self.cache.take(
                aggregate_id)
            if cached is not None:
                loan.taken[aggregate_id] = cached
                loan.unread[aggregate_id] = cached.version
            elif read_missing:
                cached = loan.taken[aggregate_id] = self.cache.take(aggregate_id)
                after[aggregate_id] = 0 if cached is None else cached.version
        if after:
            loan.ahead.update(self._events_after(after))

    def _events_after(self, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        batched = getattr(self.recorder, "select_events_after", None)
        if callable(batched):  # one round trip (infra/recorder.py)
            found: dict[UUID, list[StoredEvent]] = batched(after)
            return found
        return {aggregate_id: list(self.recorder.select_events(aggregate_id, gt=version or None))
                for aggregate_id, version in after.items()}

    def give_back(self, loan: Loan, unsaved: Sequence[Aggregate]) -> None:
        """Back to the cache: what the command saved or left unchanged (each matches the log
        at its version); not what it changed without saving (a refused command) nor what a
        failed save was for."""
        failed = {id(aggregate) for aggregate in unsaved}
        lent = [*loan.loaded.values(),
                *(a for i, a in loan.taken.items() if a is not None and i not in loan.loaded)]
        for aggregate in lent:
            if not (id(aggregate) in failed or aggregate.pending_events
                    or isinstance(aggregate, self.uncached)):
                self.cache.give(aggregate)
