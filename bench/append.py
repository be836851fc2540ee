"""`python -m bench append`: the journal's write path against plain INSERT + COMMIT."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from bench.common import (
    Target,
    kinds,
    percent,
    pg_connect,
    print_table,
    rate,
    scratch,
    seconds,
    sqlite_connect,
    sqlite_synchronous,
)
from domain.application import Journal
from domain.edugroup import EduGroup
from domain.journal import Command
from domain.person import Documents, FullName, Person, Sex

Raw = tuple[Any, int, str, bytes]  # originator_id, originator_version, topic, state
NAME = FullName(last="Иванов", first="Пётр", middle="Сергеевич")
BORN = date(2012, 5, 17)
COMMAND = Command(actor="bench")

SQLITE_DDL = [
    "CREATE TABLE raw_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
    "state BLOB, PRIMARY KEY (originator_id, originator_version))"
]
PG_DDL = [
    "CREATE TABLE bench_raw_events (originator_id uuid NOT NULL, originator_version bigint "
    "NOT NULL, topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version))",
    "CREATE UNIQUE INDEX bench_raw_events_nid ON bench_raw_events (notification_id)",
]


class RawSink:
    """The baseline: the same rows through the bare driver, on the same kind of database."""

    def __init__(self, target: Target) -> None:
        self.kind = target.kind
        if target.kind == "sqlite":
            sync = sqlite_synchronous(target.data_dir / "zhurnal.db")
            self.lite = sqlite_connect(target.data_dir / "raw.db", str(sync))
            for sql in SQLITE_DDL:
                self.lite.execute(sql)
            self.note = f"WAL, synchronous={sync} (as eventsourcing leaves it)"
        else:
            self.pg = pg_connect(target)
            for sql in PG_DDL:
                self.pg.execute(sql)
            self.note = "same server, autocommit, synchronous_commit as configured"

    def one(self, rows: Sequence[Raw]) -> None:
        """Single-row INSERT, its own transaction (autocommit), notification id read back."""
        if self.kind == "sqlite":
            for oid, version, topic, state in rows:
                cursor = self.lite.execute(
                    "INSERT INTO raw_events VALUES (?,?,?,?)", (oid.hex, version, topic, state)
                )
                assert cursor.lastrowid
            return
        with self.pg.cursor() as cursor:
            for row in rows:
                cursor.execute(
                    "INSERT INTO bench_raw_events (originator_id, originator_version, topic, "
                    "state) VALUES (%s,%s,%s,%s) RETURNING notification_id", row,
                )
                assert cursor.fetchone()

    def many(self, rows: Sequence[Raw]) -> None:
        """executemany of a batch of rows in one transaction."""
        if self.kind == "sqlite":
            self.lite.execute("BEGIN")
            self.lite.executemany(
                "INSERT INTO raw_events VALUES (?,?,?,?)",
                [(oid.hex, version, topic, state) for oid, version, topic, state in rows],
            )
            self.lite.execute("COMMIT")
            return
        with self.pg.transaction(), self.pg.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s,%s,%s,%s)", rows,
            )

    def close(self) -> None:
        (self.lite if self.kind == "sqlite" else self.pg).close()


@dataclass
class Tally:
    """Seconds and counts summed over the alternating rounds."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, count: int, action: Callable[[], object]) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds(action)
        self.counts[key] = self.counts.get(key, 0) + count

    def per_second(self, key: str) -> float:
        return self.counts[key] / self.seconds[key]


def sample_event(journal: Journal) -> tuple[str, bytes]:
    person = Person.register(NAME, Sex.MALE, BORN, Documents(), date.today())
    stored = journal.mapper.to_stored_event(person.collect_events()[0])
    return stored.topic, stored.state


def raw_rows(count: int, topic: str, state: bytes) -> list[Raw]:
    return [(uuid4(), 1, topic, state) for _ in range(count)]


def class_batch(journal: Journal, size: int, school_id: UUID) -> None:
    """One aggregate with `size` pending events: a class opened and its students enrolled."""
    group = EduGroup.open_class(school_id, 2025, "5А")
    for _ in range(size - 1):
        group.enrol(uuid4(), date(2025, 9, 1))
    journal.save(group)


def placements(journal: Journal, people: Sequence[Person], group_id: UUID) -> None:
    """`size` aggregates with one pending event each, saved together."""
    for person in people:
        person.place_in_class(group_id, date(2025, 9, 1))
    journal.save(*people)


def measure(target: Target, events: int, batch: int, rounds: int) -> tuple[Tally, str]:
    container = target.container()
    journal = container.journal
    raw = RawSink(target)
    try:
        topic, state = sample_event(journal)
        people = [Person.register(NAME, Sex.MALE, BORN, Documents(), date.today())
                  for _ in range(batch)]
        journal.save(*people)
        school, group = uuid4(), uuid4()
        tally = Tally()
        per_round, batches = max(events // rounds, 1), max(events // rounds // batch, 1)
        for warm in (True, False):
            for _ in range(1 if warm else rounds):
                n, b = (20, 2) if warm else (per_round, batches)
                one = raw_rows(n, topic, state)
                many = [raw_rows(batch, topic, state) for _ in range(b)]
                built = [Person.register(NAME, Sex.MALE, BORN, Documents(), date.today())
                         for _ in range(n)]
                steps: list[tuple[str, int, Callable[[], object]]] = [
                    ("raw one", n, lambda: raw.one(one)),
                    ("command", n, lambda: [journal.register_person(
                        COMMAND, NAME, Sex.MALE, BORN, Documents()) for _ in range(n)]),
                    ("save one", n, lambda: [journal.save(p) for p in built]),
                    ("raw many", b * batch, lambda: [raw.many(rows) for rows in many]),
                    ("class", b * batch, lambda: [class_batch(journal, batch, school)
                                                  for _ in range(b)]),
                    ("people", b * batch, lambda: [placements(journal, people, group)
                                                   for _ in range(b)]),
                ]
                for key, count, action in steps:
                    if warm:
                        action()
                    else:
                        tally.add(key, count, action)
        return tally, raw.note
    finally:
        raw.close()
        container.close()


def report(kind: str, tally: Tally, batch: int, note: str) -> None:
    rows = []
    for label, app, base, unit in (
        ("(a) register_person command, 1 event", "command", "raw one", "commands/s"),
        ("(a') journal.save(1 pre-built aggregate)", "save one", "raw one", "saves/s"),
        (f"(b) save(1 class: open + {batch - 1} enrolments)", "class", "raw many", "events/s"),
        (f"(b') save({batch} people x place_in_class)", "people", "raw many", "events/s"),
    ):
        mine, theirs = tally.per_second(app), tally.per_second(base)
        rows.append((label, unit, rate(tally.counts[app], tally.seconds[app]),
                     rate(tally.counts[base], tally.seconds[base]), percent(mine, theirs),
                     f"{1000 / mine:.3f}", f"{1000 / theirs:.3f}"))
    print_table(
        f"append on {kind} (raw baseline: {note}; target (a) >= 40%)",
        ("measure", "unit", "journal", "raw", "ratio", "journal ms", "raw ms"), rows,
    )
    print(f"(a) n={tally.counts['command']}, (b) n={tally.counts['class']} events "
          f"in batches of {batch}; 'ms' is per command / per event")


def run(args: argparse.Namespace) -> None:
    for kind in kinds(args.db):
        with scratch(kind, args.tmp) as target:
            tally, note = measure(target, args.events, args.batch, args.rounds)
        report(kind, tally, args.batch, note)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=3000, help="commands in (a), events in (b)")
    parser.add_argument("--batch", type=int, default=30, help="events per save() in (b)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
