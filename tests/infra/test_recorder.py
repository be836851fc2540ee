"""The journal's PostgreSQL recorder: one-statement saves in commit order, batched reads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.lending import StaleLoan
from infra.container import Container
from infra.recorder import NEWER, JournalPostgresRecorder
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def recorder(postgres_url: str, tmp_path: Any) -> Iterator[JournalPostgresRecorder]:
    container = Container(make_settings(tmp_path, postgres_url))
    try:
        found = container.journal.recorder
        assert isinstance(found, JournalPostgresRecorder)
        yield found
    finally:
        container.close()


def _events(aggregate_id: UUID, first: int, count: int) -> list[StoredEvent]:
    return [StoredEvent(aggregate_id, version, "t", b"{}")
            for version in range(first, first + count)]


def test_a_save_returns_its_notification_ids_in_order(recorder: JournalPostgresRecorder) -> None:
    one, two = uuid4(), uuid4()
    ids = recorder.insert_events([*_events(one, 1, 2), *_events(two, 1, 1)])
    assert ids is not None and len(ids) == 3 and list(ids) == sorted(ids)
    log = recorder.select_notifications(start=None, limit=10)
    assert [(n.originator_id, n.originator_version) for n in log] == [(one, 1), (one, 2),
                                                                      (two, 1)]
    with pytest.raises(IntegrityError):
        recorder.insert_events(_events(two, 1, 1))


def test_an_aggregate_lent_unread_that_changed_stops_the_save(
        recorder: JournalPostgresRecorder) -> None:
    read, saved = uuid4(), uuid4()
    recorder.insert_events(_events(read, 1, 2))
    with pytest.raises(StaleLoan):
        recorder.insert_events(_events(saved, 1, 1), unread={read: 1})
    assert recorder.select_events(saved) == []
    assert recorder.insert_events(_events(saved, 1, 1), unread={read: 2})


def test_new_events_of_several_aggregates_in_one_read(recorder: JournalPostgresRecorder) -> None:
    one, two, none = uuid4(), uuid4(), uuid4()
    recorder.insert_events([*_events(one, 1, 3), *_events(two, 1, 2)])
    found = recorder.select_events_after({one: 1, two: 0, none: 0})
    assert {key: [e.originator_version for e in events] for key, events in found.items()} == {
        one: [2, 3], two: [1, 2], none: []}


def test_the_connection_used_last_is_used_again(recorder: JournalPostgresRecorder) -> None:
    with recorder.datastore.get_connection() as first:
        pass
    with recorder.datastore.get_connection() as second:
        assert second is first


def test_a_reader_following_the_log_never_passes_a_gap_filled_later(
        recorder: JournalPostgresRecorder) -> None:
    """Concurrent saves commit in notification-id order: what a reader saw after position n
    is all there will ever be up to its last id."""
    writers, saves = 4, 40
    stop = threading.Event()
    seen: list[int] = []

    def write() -> None:
        for _ in range(saves):
            recorder.insert_events(_events(uuid4(), 1, 3))

    def follow() -> None:
        while not stop.is_set() or len(seen) < writers * saves * 3:
            start = seen[-1] + 1 if seen else None
            seen.extend(n.id for n in recorder.select_notifications(start=start, limit=500))

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    reader.join(timeout=30)
    everything = [n.id for n in recorder.select_notifications(start=None, limit=10_000)]
    assert seen == everything and len(everything) == writers * saves * 3


def test_a_freshly_loaded_log_is_probed_by_index_not_scanned(
        recorder: JournalPostgresRecorder) -> None:
    """An import or restore leaves no statistics until autovacuum runs: a save must not scan
    the whole log under the table lock meanwhile."""
    table = recorder.events_table_name
    with recorder.datastore.get_connection() as conn:
        conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        conn.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                     "SELECT md5(i::text)::uuid, 1, 't', '\\x7b7d' "
                     "FROM generate_series(1, 200000) i")
        ids, versions = [uuid4(), uuid4()], [1, 1]
        probe = NEWER.format(ids="%s::uuid[]", versions="%s::bigint[]").format(
            schema="public", table=table)
        plans = [
            conn.execute(f"EXPLAIN SELECT EXISTS ({probe})", (ids, versions)).fetchall(),
            conn.execute("EXPLAIN " + recorder.select_after_statement.replace("%b", "%s"),
                         (ids, versions)).fetchall(),
        ]
    for plan in plans:
        text = "\n".join(row["QUERY PLAN"] for row in plan)
        assert "Seq Scan" not in text and "Index" in text, text
