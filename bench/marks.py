"""`python -m bench marks`: marks placed per second through the application layer.

A school (two classes of 30, a six-week timetable) is set up through the Journal's commands
on a scratch database; then, in alternating rounds, `journal.place_marks` is called with one
mark per command (a teacher marking one answer) and with a whole class per command (30 marks:
a test), each command on a lesson of its own kind, beside the raw driver on the same server:
single-row INSERT commits (bench/rawevents.py `one`) and 30-row transactions (`many`).
On PostgreSQL it also counts the statements (round trips) a command sends.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any
from uuid import UUID

import psycopg

from bench.append import Tally, person, raw_rows
from bench.common import Target, kinds, load, percent, print_table, rate, scratch
from bench.rawevents import RawSink
from bench.timing import hot_spots
from bench.views import Klass, Year
from domain.application import Journal
from domain.journal import Command
from domain.marks import MarkEntry
from domain.work_types import BuiltIn

CLASS = 30
Lessons = Iterator[tuple[UUID, Klass, UUID]]  # lesson, its class, its teacher


def school(journal: Journal) -> tuple[Year, list[tuple[UUID, Klass, UUID]]]:
    """Two classes of 30 and their lessons (class lessons only, in timetable order)."""
    year = Year(journal, students=2 * CLASS, weeks=6, class_size=CLASS)
    year.setup()
    year.timetable()
    lessons = [(lesson, klass, teacher) for day in sorted(year.lessons)
               for lesson, klass, half, teacher in year.lessons[day] if half < 0]
    return year, lessons


def singles(journal: Journal, year: Year, lessons: Lessons, count: int) -> None:
    """`count` commands of one mark each, a lesson taking several (as a lesson goes)."""
    answer = year.work(BuiltIn.ANSWER)
    lesson, klass, teacher = next(lessons)
    for n in range(count):
        if n % 10 == 0:
            lesson, klass, teacher = next(lessons)
        student = klass.students[n % len(klass.students)]
        journal.place_marks(Command(actor=str(teacher)), lesson,
                            [MarkEntry(student_id=student, work_type_id=answer, value="5")])


def classes(journal: Journal, year: Year, lessons: Lessons, count: int) -> None:
    """`count` commands of a whole class's marks (30), each on a lesson of its own."""
    test = year.work(BuiltIn.TEST_PAPER)
    for _ in range(count):
        lesson, klass, teacher = next(lessons)
        journal.place_marks(Command(actor=str(teacher)), lesson,
                            [MarkEntry(student_id=s, work_type_id=test, value="4")
                             for s in klass.students])


@contextmanager
def counting_statements() -> Iterator[list[int]]:
    """Statements sent through psycopg inside the block (each one a round trip: none is
    pipelined); SQLite has no round trips to count."""
    count = [0]
    execute = psycopg.Cursor.execute

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return execute(self, *args, **kwargs)

    psycopg.Cursor.execute = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]


def round_trips(action: Callable[[], object], commands: int) -> float:
    with counting_statements() as count:
        action()
    return count[0] / commands


def measure(target: Target, args: argparse.Namespace) -> tuple[Tally, str, cProfile.Profile]:
    container = target.container()
    raw = RawSink(target)
    try:
        journal = container.journal
        year, lessons = school(journal)
        first = [item for item in lessons if item[1] is year.classes[0]]
        second = [item for item in lessons if item[1] is year.classes[1]]
        single_lessons, class_lessons = itertools.cycle(first), iter(second)
        sample = journal.mapper.to_stored_event(person().collect_events()[0])

        def steps() -> list[tuple[str, int, Callable[[], object]]]:
            """A round's steps, each with rows (or lessons) of its own."""
            return [
                ("raw one", args.singles, partial(raw.one, raw_rows(args.singles, sample))),
                ("single", args.singles, partial(singles, journal, year, single_lessons,
                                                 args.singles)),
                ("raw many", args.classes * CLASS,
                 partial(raw.many, [raw_rows(CLASS, sample) for _ in range(args.classes)])),
                ("class", args.classes * CLASS, partial(classes, journal, year, class_lessons,
                                                        args.classes)),
            ]

        singles(journal, year, single_lessons, 20)  # warm-up: connections, decoders
        classes(journal, year, class_lessons, 2)
        tally = Tally()
        for _ in range(args.rounds):
            for key, count, action in steps():
                tally.add(key, count, action)
        if target.kind == "postgres":
            tally.trips = {
                "single": round_trips(partial(singles, journal, year, single_lessons, 10), 10),
                "class": round_trips(partial(classes, journal, year, class_lessons, 5), 5)}
        profile = cProfile.Profile()
        if args.profile:
            profile.runcall(classes, journal, year, class_lessons, 10)
        return tally, raw.note, profile
    finally:
        raw.close()
        container.close()


def run(args: argparse.Namespace) -> None:
    for kind in kinds(args.db):
        before = load()
        with scratch(kind, args.tmp) as target:
            tally, note, profile = measure(target, args)
        per = tally.per_second
        print_table(
            f"marks on {kind} ({note}), {args.rounds} alternating rounds; target: whole-class "
            "commands >= 5,000 marks/s",
            ("measure", "marks (rows) /s", "commands /s", "ms a command", "vs raw one"),
            [("journal.place_marks, 1 mark a command", rate(tally.counts["single"],
              tally.seconds["single"]), f"{per('single'):,.0f}", f"{1000 / per('single'):.2f}",
              percent(per("single"), per("raw one"))),
             (f"journal.place_marks, a class ({CLASS} marks) a command",
              rate(tally.counts["class"], tally.seconds["class"]),
              f"{per('class') / CLASS:,.0f}", f"{1000 * CLASS / per('class'):.2f}",
              percent(per("class"), per("raw one"))),
             ("raw: single-row INSERT, autocommit", rate(tally.counts["raw one"],
              tally.seconds["raw one"]), f"{per('raw one'):,.0f}",
              f"{1000 / per('raw one'):.2f}", "100%"),
             (f"raw: {CLASS}-row executemany, one transaction", rate(tally.counts["raw many"],
              tally.seconds["raw many"]), f"{per('raw many') / CLASS:,.0f}",
              f"{1000 * CLASS / per('raw many'):.2f}", percent(per("raw many"),
                                                               per("raw one")))])
        if tally.trips:
            print(f"round trips (statements) a command: single {tally.trips['single']:g}, "
                  f"class {tally.trips['class']:g}")
        if args.profile:
            print_table(f"cProfile of 10 whole-class commands ({kind}), by own time",
                        ("function", "calls", "own s", "cum s"), hot_spots(profile, args.profile))
        print(f"before: {before}; after: {load()}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--singles", type=int, default=300, help="one-mark commands a round")
    parser.add_argument("--classes", type=int, default=30, help="whole-class commands a round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N hottest functions of 10 whole-class commands")

