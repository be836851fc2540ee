"""`python -m bench views`: every projection caught up from 0 over a school's whole year.

The year is written through the Journal's commands (`Year`): a 1,000-student school, 40
classes each with two English subgroups, a 34-week timetable, and day by day the journal kept
as teachers keep it: marks (a few per lesson, a whole-class test now and then, some late),
absences, homework and students' steps through it, lesson changes of every kind, transfers,
period marks at each quarter's end, renames, wall posts. It is generated once on in-memory
persistence and cached as stored events (`--cache`); each run copies the log byte for byte,
in order, into a scratch database, then times `runner.catch_up()` of the full projection set
(fresh tables per round, rounds alternating between the databases).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from eventsourcing.persistence import StoredEvent

from bench.common import Target, kinds, load, percent, print_table, rate, scratch
from bench.floor import Floor, measure, report, tables_of
from bench.timing import hot_spots
from domain.application import Journal
from domain.calendar import AttestationKind, Bell, Period
from domain.homework import HomeworkSpec
from domain.journal import Command
from domain.marks import Attendance, MarkEntry
from domain.person import Documents, FullName, RepresentativeKind, Sex
from domain.posts import Audience
from domain.schedule import TimetableSlot
from domain.school import Requisites, StaffPosition
from domain.work_types import BuiltIn, Scale, built_in_work_type_id
from infra.container import Container
from infra.settings import projection_groups
from projections.runner import CATCH_UP_BATCH, ProjectionRunner

GENERATOR = 2  # bump when `Year` writes another log (the cache file is named after it)
ZONE = ZoneInfo("Europe/Moscow")
YEAR = 2024
FIRST_MONDAY = date(2024, 9, 2)
QUARTERS = (
    Period("1 четверть", date(2024, 9, 2), date(2024, 10, 27)),
    Period("2 четверть", date(2024, 11, 5), date(2024, 12, 29)),
    Period("3 четверть", date(2025, 1, 9), date(2025, 3, 23)),
    Period("4 четверть", date(2025, 4, 1), date(2025, 5, 31)),
)
HOLIDAYS = (
    Period("Осенние каникулы", date(2024, 10, 28), date(2024, 11, 4)),
    Period("Зимние каникулы", date(2024, 12, 30), date(2025, 1, 8)),
    Period("Весенние каникулы", date(2025, 3, 24), date(2025, 3, 31)),
)
STARTS = ((8, 30), (9, 25), (10, 30), (11, 35), (12, 30), (13, 25))
BELLS = {1: tuple(Bell(n + 1, clock(h, m), (datetime(2000, 1, 1, h, m) + timedelta(minutes=45))
                       .time()) for n, (h, m) in enumerate(STARTS))}
SUBJECTS = ("Математика", "Русский язык", "Литература", "История", "Биология", "География",
            "Физика", "Информатика", "Физкультура", "Английский язык")
ENGLISH = len(SUBJECTS) - 1
LAST = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
        "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов")
FIRST = ("Артём", "Максим", "Иван", "Дмитрий", "Никита", "Егор", "Михаил", "Лев", "Анна",
         "Мария", "Софья", "Алиса", "Ева", "Полина")
ROUTINE = (BuiltIn.ANSWER, BuiltIn.ANSWER, BuiltIn.CLASSWORK, BuiltIn.HOMEWORK,
           BuiltIn.BEHAVIOUR, BuiltIn.INDEPENDENT_WORK)
VALUES = ("5", "5", "4", "4", "4", "3", "3", "2", "5-", "4+")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=ZONE)


@dataclass
class Klass:
    id: UUID
    name: str
    parallel: int
    students: list[UUID]
    subgroups: tuple[UUID, UUID] = (UUID(int=0), UUID(int=0))
    halves: tuple[list[UUID], list[UUID]] = field(default_factory=lambda: ([], []))
    teachers: dict[int, UUID] = field(default_factory=dict)


@dataclass
class Year:
    """A school's year written through the Journal's commands; counts what it did."""

    journal: Journal
    students: int = 1000
    weeks: int = 34
    seed: int = 1
    class_size: int = 25
    rng: random.Random = field(init=False)
    commands: int = 0
    school_id: UUID = field(init=False)
    admin: UUID = field(init=False)
    essay: UUID = field(init=False)  # a custom work type, renamed mid-year
    teachers: list[UUID] = field(default_factory=list)
    subjects: list[UUID] = field(default_factory=list)
    classes: list[Klass] = field(default_factory=list)
    parents: dict[UUID, UUID] = field(default_factory=dict)
    # (day) -> [(lesson, class, group members)] in timetable order
    lessons: dict[date, list[tuple[UUID, Klass, int, UUID]]] = field(default_factory=dict)
    late: set[tuple[UUID, date]] = field(default_factory=set)  # (class, day) lesson 6 taken
    saturdays: set[tuple[UUID, date, int]] = field(default_factory=set)  # moved-to slots

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def as_(self, actor: UUID | str, when: datetime) -> Command:
        self.commands += 1
        return Command(actor=str(actor), at=when)

    def name(self) -> FullName:
        return FullName(last=self.rng.choice(LAST), first=self.rng.choice(FIRST))

    def person(self, when: datetime, born: date, sex: Sex = Sex.FEMALE) -> UUID:
        outcome = self.journal.register_person(self.as_(self.admin, when), self.name(), sex,
                                               born, Documents(snils=None))
        return UUID(outcome.answer["id"])

    # the school, its staff, classes, calendar and timetable -------------------------------

    def setup(self) -> None:
        j, boot = self.journal, at(date(2024, 8, 20), 10)
        self.commands += 2
        self.school_id = UUID(j.register_school(Command(actor="system", at=boot), "Школа № 1",
                                                "Europe/Moscow", 1, Requisites()).answer["id"])
        self.admin = UUID(j.register_person(
            Command(actor="system", at=boot), FullName(last="Директорова", first="Анна"),
            Sex.FEMALE, date(1975, 1, 1), Documents()).answer["id"])
        j.appoint_staff(Command(actor="system", at=boot), self.school_id, self.admin,
                        StaffPosition.ADMINISTRATOR)
        admin = self.as_(self.admin, boot)
        self.subjects = [UUID(j.add_subject(admin, self.school_id, name).answer["subject_id"])
                         for name in SUBJECTS]
        j.allow_plus_minus_marks(admin, self.school_id, True)
        self.essay = UUID(j.add_work_type(admin, self.school_id, "Эссе", Decimal("2.5"),
                                          Scale.FIVE_POINT).answer["work_type_id"])
        j.open_academic_year(admin, self.school_id, YEAR, AttestationKind.QUARTERS, QUARTERS,
                             holidays=HOLIDAYS, bells=BELLS)
        count = max(1, self.students // self.class_size)
        for _ in range(max(8, count)):
            teacher = self.person(boot, date(1980, 5, 5))
            j.appoint_staff(self.as_(self.admin, boot), self.school_id, teacher,
                            StaffPosition.TEACHER)
            self.teachers.append(teacher)
        for index in range(count):
            self.open_class(index, boot)

    def open_class(self, index: int, when: datetime) -> None:
        j, parallel = self.journal, 5 + index * 7 // max(1, self.students // self.class_size)
        letter = "АБВГДЕЖЗИК"[index % 10]
        homeroom = self.teachers[index % len(self.teachers)]
        class_id = UUID(j.open_class(self.as_(self.admin, when), self.school_id, YEAR,
                                     f"{parallel}{letter}", homeroom).answer["id"])
        klass = Klass(class_id, f"{parallel}{letter}", parallel, [])
        for _ in range(self.class_size):
            born = date(2024 - parallel - 7, 1 + self.rng.randrange(12), 1 + self.rng.randrange(28))
            student = self.person(when, born, Sex.MALE)
            parent = self.person(when, date(1985, 3, 8))
            j.link_representative(self.as_(self.admin, when), student, parent,
                                  RepresentativeKind.MOTHER)
            j.enrol_student(self.as_(self.admin, when), class_id, student, date(2024, 9, 1))
            klass.students.append(student)
            self.parents[student] = parent
        subgroups = []
        for half in (0, 1):
            group = UUID(j.open_subgroup(self.as_(self.admin, when), class_id,
                                         f"Английский {half + 1}").answer["id"])
            subgroups.append(group)
            for student in klass.students[half::2]:
                j.enrol_student(self.as_(self.admin, when), group, student, date(2024, 9, 1))
                klass.halves[half].append(student)
        klass.subgroups = (subgroups[0], subgroups[1])
        klass.teachers = {k: self.teachers[(index * 3 + k) % len(self.teachers)]
                          for k in range(len(SUBJECTS))}
        self.classes.append(klass)

    def last_day(self) -> date:
        """The Sunday ending the `weeks`-th week with any study day."""
        monday, weeks = FIRST_MONDAY, 0
        while True:
            if any(not _holiday(monday + timedelta(days=d)) for d in range(5)):
                weeks += 1
            if weeks >= self.weeks:
                return monday + timedelta(days=6)
            monday += timedelta(days=7)

    def timetable(self) -> None:
        end = self.last_day()
        for index, klass in enumerate(self.classes):
            slots = []
            for weekday in range(1, 6):
                for number in range(1, 6):
                    subject = (weekday * 5 + number + index) % (len(SUBJECTS) - 1)
                    slots.append(TimetableSlot(weekday=weekday, number=number,
                                               subject_id=self.subjects[subject],
                                               teacher_id=klass.teachers[subject]))
            for weekday in (2, 4):
                for half, group in enumerate(klass.subgroups):
                    teacher = self.teachers[(index * 3 + ENGLISH + half) % len(self.teachers)]
                    slots.append(TimetableSlot(weekday=weekday, number=6 - half * 0,
                                               subject_id=self.subjects[ENGLISH],
                                               group_id=group, teacher_id=teacher))
            when = at(date(2024, 8, 30), 10)
            outcome = self.journal.generate_lessons(self.as_(self.admin, when), klass.id,
                                                    FIRST_MONDAY, end, slots)
            for lesson_id in map(UUID, outcome.answer["lesson_ids"]):
                lesson = self.journal.get_lesson(lesson_id)
                half = klass.subgroups.index(lesson.group_id) if (
                    lesson.group_id in klass.subgroups) else -1
                self.lessons.setdefault(lesson.day, []).append(
                    (lesson_id, klass, half, lesson.teacher_id))
        for day_lessons in self.lessons.values():
            day_lessons.sort(key=lambda item: self.classes.index(item[1]))

    # the journal kept, day by day ------------------------------------------------------------

    def members(self, klass: Klass, half: int) -> list[UUID]:
        return klass.students if half < 0 else klass.halves[half]

    def keep(self, day: date) -> None:
        j, rng = self.journal, self.rng
        homework: list[tuple[UUID, list[UUID], date]] = []
        for lesson_id, klass, half, teacher in self.lessons.get(day, ()):
            members = self.members(klass, half)
            if not members or self.change(lesson_id, klass, half, day):
                continue
            hour = 9 + rng.randrange(11)
            if rng.random() < 0.03:  # a whole-class test
                marks = [MarkEntry(student_id=s, work_type_id=self.work(BuiltIn.TEST_PAPER),
                                   value=rng.choice(VALUES)) for s in members]
            else:
                picked = rng.sample(members, min(len(members), rng.randrange(0, 6)))
                marks = [MarkEntry(student_id=s, work_type_id=self.work(rng.choice(ROUTINE))
                                   if rng.random() < 0.97 else self.essay,
                                   value=rng.choice(VALUES)) for s in picked]
            late = rng.random() < 0.05
            when = at(day, 22 if late else hour, rng.randrange(60))
            if marks:
                j.place_marks(self.as_(teacher, when), lesson_id, marks)
            if rng.random() < 0.6:
                absent = rng.sample(members, min(len(members), 1 + rng.randrange(3)))
                statuses = (Attendance.ABSENT, Attendance.ILL, Attendance.LATE)
                j.record_attendance(self.as_(teacher, at(day, 9)), lesson_id,
                                    {s: rng.choice(statuses) for s in absent})
            if rng.random() < 0.5:
                due = day + timedelta(days=2 if day.isoweekday() < 4 else 4)
                spec = HomeworkSpec(text=f"§ {rng.randrange(1, 60)}, № {rng.randrange(1, 900)}",
                                    due_date=due, duration_minutes=30)
                work = UUID(j.assign_homework(self.as_(teacher, at(day, 15)), lesson_id, spec)
                            .answer["id"])
                homework.append((work, members, day))
        for work, members, given in homework:
            if rng.random() < 0.2:
                for student in rng.sample(members, min(len(members), 3)):
                    me = self.as_(student, at(given, 18))
                    j.start_homework(me, work, student)
                    if rng.random() < 0.7:
                        j.submit_homework(me, work, student)

    def work(self, kind: BuiltIn) -> UUID:
        return built_in_work_type_id(self.school_id, kind)

    def change(self, lesson_id: UUID, klass: Klass, half: int, day: date) -> bool:
        """Now and then a change in the morning; True when the lesson is no longer held."""
        j, rng, roll = self.journal, self.rng, self.rng.random()
        if roll >= 0.03:
            return False
        admin = self.as_(self.admin, at(day, 7))
        if roll < 0.015:
            j.substitute_teacher(admin, lesson_id, rng.choice(self.teachers), "болезнь")
        elif roll < 0.022:
            j.change_room(admin, lesson_id, str(rng.randrange(1, 40)), "ремонт")
        elif roll < 0.025:
            j.cancel_lesson(admin, lesson_id, "карантин")
            return True
        elif roll < 0.027 and day.isoweekday() in (1, 3, 5) and (klass.id, day) not in self.late:
            self.late.add((klass.id, day))  # lesson 6 is free on these days
            j.change_lesson_time(admin, lesson_id, 6, "сдвиг")
        elif roll >= 0.027 and half < 0:
            saturday = day + timedelta(days=6 - day.isoweekday())
            number = 1 + sum(k == klass.id and d == saturday for k, d, _n in self.saturdays)
            if number <= 6:
                self.saturdays.add((klass.id, saturday, number))
                j.move_lesson(admin, lesson_id, saturday, "перенос", number=number)
                return True
        else:
            self.commands -= 1  # nothing sent
        return False

    def transfer(self, day: date) -> None:
        """A student moves to another class of the same parallel (subgroup 1 there)."""
        j, rng = self.journal, self.rng
        source = rng.choice(self.classes)
        others = [k for k in self.classes if k.parallel == source.parallel and k is not source]
        if not others or len(source.students) < 10:
            return
        target, student = rng.choice(others), rng.choice(source.students)
        j.transfer_student(self.as_(self.admin, at(day, 8)), student, source.id, target.id,
                           day, "перевод")
        source.students.remove(student)
        for half in source.halves:
            if student in half:
                half.remove(student)
        target.students.append(student)
        j.enrol_student(self.as_(self.admin, at(day, 8)), target.subgroups[0], student, day)
        target.halves[0].append(student)

    def period_marks(self, period: Period) -> None:
        for klass in self.classes:
            teacher_for = klass.teachers
            for k in range(len(SUBJECTS) - 1):
                marks = {s: self.rng.choice(("5", "4", "4", "3")) for s in klass.students}
                self.journal.set_period_marks(self.as_(teacher_for[k], at(period.end, 12)),
                                              klass.id, self.subjects[k], period.name, marks)

    def post(self, day: date) -> None:
        for klass in self.classes:
            self.journal.publish_class_post(
                self.as_(self.admin, at(day, 16)), klass.id, "Родительское собрание в четверг",
                Audience.CLASS_PARENTS)

    def generate(self, progress: Callable[[str], None] = lambda _text: None) -> int:
        """Write the year; returns the log position reached."""
        self.setup()
        self.timetable()
        progress(f"timetable: {sum(map(len, self.lessons.values())):,} lessons")
        ends = {period.end: period for period in QUARTERS}
        day, last, transfers = FIRST_MONDAY, self.last_day(), 0
        while day <= last:
            if day.isoweekday() == 3 and self.rng.random() < 0.4:
                self.transfer(day)
                transfers += 1
            self.keep(day)
            if day.day == 1:
                self.post(day)
            if day in ends:
                self.period_marks(ends[day])
            if day == date(2024, 12, 2):
                admin = self.as_(self.admin, at(day, 7))
                self.journal.rename_subject(admin, self.school_id, self.subjects[1],
                                            "Русский язык и культура речи")
                self.journal.change_work_type(self.as_(self.admin, at(day, 7)), self.school_id,
                                              self.essay, name="Сочинение")
            if day.isoweekday() == 7:
                progress(f"{day}: {self.commands:,} commands")
            day += timedelta(days=1)
        return self.journal.recorder.max_notification_id() or 0


def _holiday(day: date) -> bool:
    return any(h.start <= day <= h.end for h in HOLIDAYS)


# the generated log, cached as stored events ---------------------------------------------------

Stored = tuple[bytes, int, str, bytes]  # originator id, version, topic, state


class Log(msgspec.Struct):
    """The generated log: stored events in order, and the personal-data keys they need."""

    rows: list[Stored]
    keys: list[tuple[bytes, bytes]]


def memory_journal() -> Journal:
    return Journal(env={"PERSISTENCE_MODULE": "eventsourcing.popo",
                        "MAPPER_TOPIC": "infra.mapper:MsgspecMapper",
                        "TRANSCODER_TOPIC": "infra.mapper:NullTranscoder",
                        # Commands here never fail half-way, so the cache needs no copies.
                        "AGGREGATE_CACHE_MAXSIZE": "100000",
                        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"})


def cached_log(cache: Path, students: int, weeks: int, seed: int) -> Log:
    """The year's stored events: read from `cache`, or generated (and written there)."""
    path = cache / f"year-v{GENERATOR}-{students}s-{weeks}w-{seed}.msgpack"
    if path.exists():
        return msgspec.msgpack.decode(path.read_bytes(), type=Log)
    journal = memory_journal()
    began = time.perf_counter()
    year = Year(journal, students=students, weeks=weeks, seed=seed)
    position = year.generate(lambda text: print(f"  generating: {text}", flush=True))
    print(f"generated {position:,} events in {year.commands:,} commands "
          f"({time.perf_counter() - began:.0f} s)")
    log = Log(
        rows=[(n.originator_id.bytes, n.originator_version, n.topic, n.state)  # type: ignore[union-attr]
              for n in journal.recorder.select_notifications(start=1, limit=position + 1)],
        keys=[(person.bytes, key) for person, key in _key_store(journal).items()],
    )
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msgspec.msgpack.encode(log))
    return log


def _key_store(journal: Journal) -> dict[UUID, bytes]:
    """The in-memory personal-data keys of a POPO journal (infra/personal_data.py), if any."""
    sealed = getattr(journal.mapper, "personal_data", None)
    keys: dict[UUID, bytes] = getattr(getattr(sealed, "keys", None), "keys", {})
    return keys


def copy_log(container: Container, log: Log, chunk: int = 5000) -> int:
    """The stored events inserted in their order: the same log, its positions 1..N.

    Events sealed with a person's own key (personal data) are opened with the generated
    keys and sealed again by the target's mapper (its key store); the rest are copied as is.
    """
    recorder: Any = container.journal.recorder
    target = container.journal.mapper
    sealed: frozenset[str] = getattr(getattr(target, "personal_data", None), "topics",
                                     frozenset())
    source = memory_journal()
    _key_store(source).update((UUID(bytes=person), key) for person, key in log.keys)

    def stored(row: Stored) -> StoredEvent:
        event = StoredEvent(UUID(bytes=row[0]), row[1], row[2], row[3])
        if row[2] in sealed:
            return target.to_stored_event(source.mapper.to_domain_event(event))
        return event

    for index in range(0, len(log.rows), chunk):
        recorder.insert_events([stored(row) for row in log.rows[index:index + chunk]])
    return container.log_position()


def fresh_runner(container: Container, suffix: str, only: list[str] | None = None,
                 catch_up_size: int | None = None) -> ProjectionRunner:
    """The projection set (or `only` those) over new, empty tables (`suffix`), from 0;
    batches of up to `catch_up_size` events while behind (as rebuild and verify run)."""
    journal = container.journal
    projections = [p for p in container.projections(suffix) if not only or p.name in only]
    return ProjectionRunner(journal.recorder, journal.mapper,  # type: ignore[arg-type]
                            container.views, projections,
                            batch_size=container.settings.projection_batch_size,
                            position_key=lambda p: p.name + suffix,
                            catch_up_size=catch_up_size)


def run_batches(runner: ProjectionRunner, suffix: str) -> tuple[int, dict[str, float]]:
    """Batches until caught up: events read, and seconds in each projection's process()."""
    spent: dict[str, float] = {}

    def tally(_read: int) -> None:
        for name, seconds in runner.last_batch.projections.items():
            spent[name.removesuffix(suffix)] = spent.get(name.removesuffix(suffix), 0) + seconds

    return runner.catch_up(progress=tally), spent


def _part(target: Target, batch: int, suffix: str, names: list[str],
          catch_up_size: int) -> tuple[int, dict[str, float]]:
    """One process's share of a split catch-up (its own connections)."""
    container = target.container(batch)
    try:
        return run_batches(fresh_runner(container, suffix, names, catch_up_size), suffix)
    finally:
        container.close()


def split(names: list[str], groups: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """The processes `zhurnal worker` runs them in: each group of `--split` (as
    ZHURNAL_PROJECTION_PROCESSES) in one, the rest in another."""
    apart = [[name for name in group if name in names] for group in groups]
    rest = [name for name in names if not any(name in group for group in groups)]
    return [group for group in [*apart, rest] if group]


def drop(container: Container, runner: ProjectionRunner, suffix: str) -> None:
    with container.views.transaction() as tx:
        for projection in runner.projections:
            projection.drop_tables(tx)
            tx.execute("DELETE FROM projection_positions WHERE name = ?",
                       (projection.name + suffix,))


@dataclass
class Deployment:
    target: Target
    container: Container
    position: int
    runs: list[float] = field(default_factory=list)
    spent: list[dict[str, float]] = field(default_factory=list)  # per run: projection -> s
    processes: int = 1
    floor: Floor | None = None  # PostgreSQL alone taking the final rows (`--floor`)


def deploy(stack: ExitStack, kind: str, args: argparse.Namespace, log: Log) -> Deployment:
    """A scratch database of `kind` holding the year's log (removed when `stack` closes)."""
    target = stack.enter_context(scratch(kind, args.tmp))
    container = target.container(args.batch)
    stack.callback(container.close)
    began = time.perf_counter()
    position = copy_log(container, log)
    print(f"{kind}: log of {position:,} events copied in {time.perf_counter() - began:.1f} s",
          flush=True)
    return Deployment(target, container, position)


def catch_up(deployment: Deployment, suffix: str, only: list[str] | None,
             args: argparse.Namespace, floor: bool = False) -> float:
    """One catch-up from 0 into fresh tables; seconds, and each projection's in `spent`.
    Split over processes as `zhurnal worker` runs them (`--split`), timed until all end."""
    runner = fresh_runner(deployment.container, suffix, only, args.catch_up)
    names = [p.name for p in runner.projections]
    # As deployed: the worker splits on PostgreSQL; the embedded SQLite runs one runner.
    groups = split(names, projection_groups(args.split)) \
        if deployment.target.kind == "postgres" else [names]
    deployment.processes = len(groups)
    if len(groups) <= 1:
        began = time.perf_counter()
        count, spent = run_batches(runner, suffix)
        elapsed = time.perf_counter() - began
        assert count == deployment.position, (count, deployment.position)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(len(groups), mp_context=context) as pool:
            pool.submit(int).result()  # started (and imported) before the clock
            began = time.perf_counter()
            parts = [pool.submit(_part, deployment.target, args.batch, suffix, group,
                                 args.catch_up) for group in groups]
            results = [part.result() for part in parts]
            elapsed = time.perf_counter() - began
        spent = {name: seconds for _count, found in results for name, seconds in found.items()}
        assert all(count == deployment.position for count, _ in results), results
    if floor and deployment.target.kind == "postgres":
        deployment.floor = measure(deployment.target, tables_of(runner.projections))
    drop(deployment.container, runner, suffix)
    deployment.spent.append(spent)
    return elapsed


def run(args: argparse.Namespace) -> None:
    before = load()
    log = cached_log(Path(args.cache), args.students, args.weeks, args.seed)
    print(f"log: {len(log.rows):,} events ({args.students} students, {args.weeks} weeks); "
          f"{before}")
    only = [name for name in args.only.split(",") if name] or None
    with ExitStack() as stack:
        found = [deploy(stack, kind, args, log) for kind in kinds(args.db)]
        for r in range(args.rounds):  # alternating: drift on a shared machine hits all
            for deployment in found:
                elapsed = catch_up(deployment, f"_v{r}", only, args,
                                   floor=args.floor and r == args.rounds - 1)
                deployment.runs.append(elapsed)
                print(f"  round {r + 1} {deployment.target.kind}: {elapsed:.2f} s = "
                      f"{rate(deployment.position, elapsed)} events/s ({load()})", flush=True)
        which = "full projection set" if only is None else ", ".join(only)
        print_table(
            f"views: {which} caught up from 0, batch {args.batch} (up to {args.catch_up:,} "
            f"while behind), best of "
            f"{args.rounds}; target >= 30,000 events/s",
            ("database", "events", "best s", "events/s", "runs (s)"),
            [(f"{d.target.kind} ({d.processes} proc.)", f"{d.position:,}", f"{min(d.runs):.2f}",
              rate(d.position, min(d.runs)), ", ".join(f"{x:.2f}" for x in d.runs))
             for d in found])
        for d in found:
            best = d.spent[d.runs.index(min(d.runs))]
            total = min(d.runs)
            rows = [(name, f"{seconds:.2f}", f"{1e6 * seconds / d.position:.1f}",
                     percent(seconds, total)) for name, seconds in
                    sorted(best.items(), key=lambda item: -item[1])]
            if d.processes <= 1:
                rows.append(("runner: read, decode, positions, commit",
                             f"{total - sum(best.values()):.2f}",
                             f"{1e6 * (total - sum(best.values())) / d.position:.1f}",
                             percent(total - sum(best.values()), total)))
            else:
                rows.append(("(processes in parallel: shares of the wall time overlap)", "",
                             "", ""))
            print_table(f"where the best run's time went ({d.target.kind}): seconds in each "
                        "projection's process()", ("projection", "seconds", "us/event",
                                                   "share"), rows)
        for d in found:
            if d.floor is not None:
                report(d.floor, d.position, min(d.runs))
        if args.profile:
            for deployment in found:
                profile = cProfile.Profile()
                runner = fresh_runner(deployment.container, "_prof", only, args.catch_up)
                profile.runcall(runner.catch_up)
                drop(deployment.container, runner, "_prof")
                print_table(f"cProfile hot spots ({deployment.target.kind}, by own time)",
                            ("function", "calls", "own s", "cum s"),
                            hot_spots(profile, args.profile))
    print(f"\nbefore: {before}; after: {load()}; "
          f"finished {datetime.now(UTC).isoformat(timespec='seconds')}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--students", type=int, default=1000, help="students of the school")
    parser.add_argument("--weeks", type=int, default=34, help="study weeks of the year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=2000, help="the runner's batch size")
    parser.add_argument("--catch-up", type=int, default=CATCH_UP_BATCH, metavar="N",
                        help="events a batch while behind (as rebuild and verify run; "
                        "--catch-up 0: --batch always)")
    parser.add_argument("--split", default="export", metavar="GROUPS",
                        help="projections run by processes of their own, as "
                        "ZHURNAL_PROJECTION_PROCESSES (default, as `zhurnal worker`: export; "
                        "'': all in one process)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed rounds")
    parser.add_argument("--cache", default="var/bench", help="where the generated log is kept")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N hottest functions of a cProfile run (0: skip)")
    parser.add_argument("--only", default="", help="comma-separated projection names "
                        "(default: the full set)")
    parser.add_argument("--floor", action="store_true",
                        help="after the last round (PostgreSQL), time the server alone taking "
                        "the final rows (bench/floor.py) and print the catch-up's ratio to it")
