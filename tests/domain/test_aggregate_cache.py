"""The aggregate cache: least recently used out first, never an older version over a newer."""

from __future__ import annotations

from uuid import uuid4

from domain.aggregate_cache import AggregateCache
from domain.subjects import SubjectCatalogue


def _aggregate(changes: int = 0) -> SubjectCatalogue:
    catalogue = SubjectCatalogue(school_id=uuid4())
    for n in range(changes):
        catalogue.add(uuid4(), f"Предмет {n}", None)
    catalogue.collect_events()
    return catalogue


def test_a_taken_aggregate_is_lent_to_one_caller_only() -> None:
    cache = AggregateCache(10)
    aggregate = _aggregate()
    cache.give(aggregate)
    assert cache.peek(aggregate.id) is aggregate
    assert cache.take(aggregate.id) is aggregate
    assert cache.take(aggregate.id) is None


def test_the_least_recently_given_goes_first() -> None:
    cache = AggregateCache(2)
    first, second, third = _aggregate(), _aggregate(), _aggregate()
    for aggregate in (first, second, third):
        cache.give(aggregate)
    assert len(cache) == 2
    assert cache.peek(first.id) is None and cache.peek(third.id) is third


def test_an_older_version_never_replaces_a_newer_one() -> None:
    cache = AggregateCache(10)
    newer = _aggregate(changes=2)
    older = SubjectCatalogue.__new__(SubjectCatalogue)
    older.__dict__.update(newer.__dict__, _version=1)
    cache.give(newer)
    cache.give(older)
    assert cache.peek(newer.id) is newer
