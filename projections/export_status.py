"""Who has what of the export: pulling consumers' acknowledgements, the push delivery's state,
what is held back and why, and the overall status.

A consumer (the subject of an exporter token) acknowledges deltas in order: acknowledging N
means it holds every delta up to N. Listing without `after` starts after its acknowledgement,
so a resumed consumer gets exactly what it had not acknowledged. The push state is one row
(`export_push`), written by the delivery worker and read by the status endpoint and CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from domain.errors import Conflict, NotFound
from projections.export_deltas import DELTAS, latest
from projections.export_deltas import ddl as delta_ddl
from projections.export_records import GATES, RECORDS, decode_list
from projections.export_touched import TOUCHED
from projections.export_touched import ddl as touched_ddl
from projections.runner import read_position
from projections.store import ViewStore

CONSUMERS, PUSH = "export_consumers", "export_push"
PUSH_COLUMNS = ("url", "delivered", "failures", "last_error", "last_attempt_at",
                "next_attempt_at", "delivered_at", "stopped", "alert", "holder", "lease_until")


class AckOutOfOrder(Conflict):
    title = "Deltas are acknowledged in order"


class DeltaNotFound(NotFound):
    pass


def ddl(dialect: str) -> list[str]:
    """The deltas' tables, the consumers' and the push state's (never rebuilt)."""
    return [
        *delta_ddl(dialect),
        *touched_ddl(TOUCHED),  # the live projection's own, which `seal` reads
        f"CREATE TABLE IF NOT EXISTS {CONSUMERS} (consumer TEXT PRIMARY KEY, "
        "acknowledged BIGINT NOT NULL, at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {PUSH} (name TEXT PRIMARY KEY, url TEXT, "
        "delivered BIGINT NOT NULL, failures INTEGER NOT NULL, last_error TEXT, "
        "last_attempt_at TEXT, next_attempt_at TEXT, delivered_at TEXT, "
        "stopped INTEGER NOT NULL, alert TEXT, holder TEXT, lease_until TEXT)",
        f"INSERT INTO {PUSH} (name, delivered, failures, stopped) "
        "VALUES ('push', 0, 0, 0) ON CONFLICT (name) DO NOTHING",
    ]


_created: set[int] = set()


def create_tables(store: ViewStore) -> None:
    """Once per store and process: a reader may come before any runner made them."""
    if id(store) not in _created:
        with store.transaction() as tx:
            for statement in ddl(store.dialect):
                tx.execute(statement)
        _created.add(id(store))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def acknowledged(store: ViewStore, consumer: str) -> int:
    row = store.fetchone(f"SELECT acknowledged FROM {CONSUMERS} WHERE consumer = ?",
                         (consumer,))
    return int(row[0]) if row else 0


def acknowledge(store: ViewStore, consumer: str, number: int) -> int:
    """Record that the consumer holds every delta up to `number`; its acknowledgement after."""
    with store.transaction() as tx:
        found = tx.fetchone(f"SELECT number FROM {DELTAS} WHERE number = ?", (number,))
        if found is None:
            raise DeltaNotFound(f"no sealed delta {number}", {"number": "not sealed"})
        row = tx.fetchone(f"SELECT acknowledged FROM {CONSUMERS} WHERE consumer = ?",
                          (consumer,))
        done = int(row[0]) if row else 0
        if number <= done:
            return done  # a repeated acknowledgement changes nothing
        if number != done + 1:
            raise AckOutOfOrder(
                f"delta {done + 1} comes before {number}: acknowledge it first",
                {"number": f"the next to acknowledge is {done + 1}"})
        tx.execute(f"INSERT INTO {CONSUMERS} (consumer, acknowledged, at) VALUES (?, ?, ?) "
                   "ON CONFLICT (consumer) DO UPDATE SET acknowledged = excluded.acknowledged, "
                   "at = excluded.at", (consumer, number, now_iso()))
    return number


def consumers(store: ViewStore) -> list[dict[str, Any]]:
    return [{"consumer": str(c), "acknowledged": int(n), "at": str(at)} for c, n, at in
            store.fetchall(f"SELECT consumer, acknowledged, at FROM {CONSUMERS} "
                           "ORDER BY consumer")]


def push_state(store: ViewStore) -> dict[str, Any]:
    row = store.fetchone(f"SELECT {', '.join(PUSH_COLUMNS)} FROM {PUSH} WHERE name = 'push'")
    state = dict(zip(PUSH_COLUMNS, row or (None,) * len(PUSH_COLUMNS), strict=True))
    state["delivered"] = int(state["delivered"] or 0)
    state["failures"] = int(state["failures"] or 0)
    state["stopped"] = bool(state["stopped"])
    return state


def held(store: ViewStore, school_id: str | None = None) -> dict[str, Any]:
    """Schools held back with their missing requisites, people with their identification gaps
    (only those who belong to a school), and how many records wait behind each school."""
    schools = [{"school_id": str(i), "name": str(name), "missing": decode_list(missing)}
               for i, name, missing in store.fetchall(
                   f"SELECT id, name, missing FROM {GATES} WHERE kind = 'school' AND ready = 0 "
                   "ORDER BY name, id") if school_id in (None, str(i))]
    people = []
    for i, name, missing, in_schools in store.fetchall(
            f"SELECT id, name, missing, schools FROM {GATES} WHERE kind = 'person' "
            "AND ready = 0 ORDER BY name, id"):
        where = decode_list(in_schools)
        if where and (school_id is None or school_id in where):
            people.append({"person_id": str(i), "name": str(name),
                           "missing": decode_list(missing), "schools": where})
    return {"schools": schools, "people": people}


def status(store: ViewStore, log_position: int, projection: str = "export") -> dict[str, Any]:
    position = read_position(store, projection)
    last = latest(store)
    sealed_to = last.to_position if last else 0
    waiting = store.fetchone(f"SELECT COUNT(*) FROM {RECORDS} WHERE position > ?",
                             (sealed_to,))
    push = push_state(store)
    latest_number = last.number if last else 0
    return {
        "log_position": log_position, "projection_position": position,
        "lag": max(0, log_position - position),
        "latest_delta": msgspec.to_builtins(last) if last else None,
        "records_since_last_seal": int(waiting[0]) if waiting else 0,
        "push": {**{k: v for k, v in push.items() if k not in ("holder", "lease_until")},
                 "waiting": max(0, latest_number - push["delivered"])},
        "consumers": [{**c, "waiting": max(0, latest_number - c["acknowledged"])}
                      for c in consumers(store)],
    }
