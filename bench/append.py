"""`python -m bench append`: the journal's write path against plain INSERT + COMMIT."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from bench.common import Target, kinds, load, percent, print_table, rate, scratch, seconds
from bench.rawevents import Raw, RawSink
from domain.application import Journal
from domain.edugroup import EduGroup
from domain.journal import Command
from domain.person import Documents, FullName, Person, Sex
from domain.school import Requisites, School

NAME = FullName(last="Иванов", first="Пётр", middle="Сергеевич")
BORN = date(2012, 5, 17)
COMMAND = Command(actor="bench")
Step = tuple[str, int, Callable[[], object]]


@dataclass
class Tally:
    """Seconds and counts summed over the alternating rounds."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    trips: dict[str, float] = field(default_factory=dict)  # round trips a command, by key

    def add(self, key: str, count: int, action: Callable[[], object]) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds(action)
        self.counts[key] = self.counts.get(key, 0) + count

    def per_second(self, key: str) -> float:
        return self.counts[key] / self.seconds[key]


def student() -> Person:
    return Person.register(NAME, Sex.MALE, BORN, Documents(), date.today())


def person() -> School:
    """A single-event aggregate without personal data (a person's first event also creates
    and durably stores the person's key, ~6 ms: a roster operation, not the hot path)."""
    return School.register("Школа № 1", "Europe/Moscow", 1, Requisites())


def raw_rows(count: int, sample: StoredEvent) -> list[Raw]:
    return [(uuid4(), 1, sample.topic, sample.state) for _ in range(count)]


def commands(journal: Journal, count: int) -> None:
    for _ in range(count):
        journal.register_school(COMMAND, "Школа № 1", "Europe/Moscow", 1, Requisites())


def saves(journal: Journal, built: Sequence[School]) -> None:
    for aggregate in built:
        journal.save(aggregate)


def inserts(journal: Journal, rows: Sequence[Raw]) -> None:
    """The library's recorder alone: one already mapped event per call."""
    for oid, version, topic, state in rows:
        journal.recorder.insert_events([StoredEvent(oid, version, topic, state)])


def classes(journal: Journal, count: int, size: int) -> None:
    """`count` saves of one aggregate with `size` events: a class opened, students enrolled."""
    for _ in range(count):
        group = EduGroup.open_class(uuid4(), 2025, "5А")
        for _ in range(size - 1):
            group.enrol(uuid4(), date(2025, 9, 1))
        journal.save(group)


def placements(journal: Journal, people: Sequence[Person], count: int, group: UUID) -> None:
    """`count` saves of len(people) aggregates with one pending event each."""
    for _ in range(count):
        for aggregate in people:
            aggregate.place_in_class(group, date(2025, 9, 1))
        journal.save(*people)


def plan(journal: Journal, raw: RawSink, people: Sequence[Person], n: int, b: int) -> list[Step]:
    sample = journal.mapper.to_stored_event(person().collect_events()[0])
    size = len(people)
    steps: list[Step] = [
        ("raw one", n, partial(raw.one, raw_rows(n, sample))),
        ("raw locked", n, partial(raw.locked, raw_rows(n, sample))),
        ("recorder", n, partial(inserts, journal, raw_rows(n, sample))),
        ("save one", n, partial(saves, journal, [person() for _ in range(n)])),
        ("command", n, partial(commands, journal, n)),
        ("raw many", b * size, partial(raw.many, [raw_rows(size, sample) for _ in range(b)])),
        ("class", b * size, partial(classes, journal, b, size)),
        ("people", b * size, partial(placements, journal, people, b, uuid4())),
    ]
    if raw.kind == "postgres":
        steps[2:2] = [("raw pipelined", n, partial(raw.locked, raw_rows(n, sample), True)),
                      ("raw function", n, partial(raw.function, raw_rows(n, sample)))]
    return steps


def measure(target: Target, events: int, batch: int, rounds: int) -> tuple[Tally, str]:
    container = target.container()
    journal = container.journal
    raw = RawSink(target)
    try:
        people = [student() for _ in range(batch)]
        journal.save(*people)
        for _, _, action in plan(journal, raw, people, 20, 2):  # warm-up
            action()
        tally = Tally()
        per_round = max(events // rounds, 1)
        for _ in range(rounds):
            for key, count, action in plan(journal, raw, people, per_round,
                                           max(per_round // batch, 1)):
                tally.add(key, count, action)
        return tally, raw.note
    finally:
        raw.close()
        container.close()


def report(kind: str, tally: Tally, batch: int, note: str) -> None:
    lines = [
        ("(a) register_school command, 1 event", "command", "raw one"),
        ("(b) save(1 class: open + enrolments)", "class", "raw many"),
        ("(b') save(people x place_in_class)", "people", "raw many"),
    ]
    rows = [(label, rate(tally.counts[app], tally.seconds[app]),
             rate(tally.counts[base], tally.seconds[base]),
             percent(tally.per_second(app), tally.per_second(base))) for label, app, base in lines]
    print_table(f"append on {kind}: journal vs raw ({note}); target (a) >= 40%",
                ("measure", "journal /s", "raw /s", "ratio"), rows)
    print(f"(a) {tally.counts['command']} commands; (b) {tally.counts['class']} events "
          f"in saves of {batch}")
    ladder = [
        ("raw", "raw one", "autocommit INSERT ... RETURNING (the baseline)"),
        ("raw", "raw locked", "BEGIN, SET LOCAL, LOCK, NOTIFY, INSERT, COMMIT"
         if kind == "postgres" else "BEGIN, INSERT, COMMIT (as eventsourcing)"),
        ("raw", "raw pipelined", "the same in a pipeline, as the library's recorder sends it"),
        ("raw", "raw function", "the same in ONE round trip, as infra/recorder.py sends it"),
        ("journal", "recorder", "journal.recorder.insert_events([1 stored event])"),
        ("journal", "save one", "journal.save(1 pre-built aggregate)"),
        ("journal", "command", "journal.register_school(...)"),
    ]
    base = tally.per_second("raw one")
    print_table(f"(a) one event per transaction, step by step ({kind})",
                ("path", "what", "per second", "ms each", "vs baseline"),
                [(side, what, rate(tally.counts[key], tally.seconds[key]),
                  f"{1000 / tally.per_second(key):.3f}", percent(tally.per_second(key), base))
                 for side, key, what in ladder if key in tally.counts])


def run(args: argparse.Namespace) -> None:
    for kind in kinds(args.db):
        before = load()
        with scratch(kind, args.tmp) as target:
            tally, note = measure(target, args.events, args.batch, args.rounds)
        report(kind, tally, args.batch, note)
        print(f"before: {before}; after: {load()}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=3000, help="commands in (a), events in (b)")
    parser.add_argument("--batch", type=int, default=30, help="events per save() in (b)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
