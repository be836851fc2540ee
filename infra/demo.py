"""Demo data for an empty journal, through the Journal's commands: two schools, their staff,
classes, students and families (here), then `weeks` weeks of school: timetables, lessons, marks,
attendance, homework and changes (infra/demo_journal.py). The content is a function of the
seed and today (ids are uuid4s); the events are dated as a history (the roster in August, the
lessons from 1 September, transfers in October), never later than now: by default the academic
year is the latest whose `weeks` are over."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from uuid import UUID

from msgspec.structs import replace

from domain import identifiers as ids
from domain.application import Journal
from domain.journal import Command, Outcome
from domain.person import BirthCertificate, Documents, FullName, Passport, RepresentativeKind, Sex
from domain.school import Requisites, StaffPosition
from infra import demo_names as names
from infra.demo_journal import (
    DemoClass,
    DemoSchool,
    RosterMove,
    cached_aggregates,
    fill_journal,
)
from infra.demo_timetable import default_academic_year

ADMIN = "admin"
Kind = RepresentativeKind
TEACHER, ADMINISTRATOR = StaffPosition.TEACHER, StaffPosition.ADMINISTRATOR


@dataclass(frozen=True)
class DemoPeople:
    """The ids a user needs to try the API on the demo data."""

    admin_actor: str
    school_ids: list[UUID]  # the first complete, the second with gaps in its requisites
    teacher_ids: list[UUID]
    student_ids: list[UUID]  # in a class now: the one who left is in left_student_ids
    representative_ids: list[UUID]
    class_ids: list[UUID]
    school_admin_ids: list[UUID]  # the StaffPosition.ADMINISTRATOR of each school, in order
    left_student_ids: list[UUID] = field(default_factory=list)
    academic_year: int = 0
    first_lesson_day: date | None = None  # the span of the generated lessons (None: none)
    last_lesson_day: date | None = None
    counts: Counter[str] = field(default_factory=Counter)  # journal commands and facts


@dataclass
class _Person:
    name: FullName
    sex: Sex | None
    birth_date: date | None
    documents: Documents


@dataclass
class _Class:
    school: int
    name: str
    parallel: int
    homeroom: int = -1
    students: list[int] = field(default_factory=list)


@dataclass
class _Family:
    surname: str  # the male form
    father: tuple[str, str, str]  # a first name, the son's and the daughter's patronymic
    reps: list[tuple[int, Kind]] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    parallels: list[int] = field(default_factory=list)


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


class _Planner:
    """Everything the demo will say, drawn from one seeded random generator."""

    def __init__(self, students: int, seed: int, year: int) -> None:
        self.rng, self.year = random.Random(seed), year
        self.cutoff = min(date(year, 7, 31), datetime.now(UTC).date() - timedelta(days=1))
        self.people: list[_Person] = []
        self.staff: list[list[tuple[int, StaffPosition]]] = [[], []]
        self.classes: list[_Class] = []
        self.families: list[_Family] = []
        self.moves: list[tuple[int, int, int, str]] = []  # student, from, to, reason
        self.leaver: tuple[int, int] | None = None  # student, class
        self.shared: list[int] = []  # teachers of the first school who teach in the second
        total = max(2, round(students / 25))
        first = max(1, round(total * 0.6))
        shares = (round(students * 0.6), students - round(students * 0.6))
        for school, count in enumerate((first, total - first)):
            mine = [_Class(school, name, p) for name, p in names.class_names(max(1, count))]
            self.classes += mine
            self._plan_staff(school, mine, shares[school])
            for group, size in zip(mine, self._sizes(shares[school], len(mine)), strict=True):
                group.students = [self._student(school, group.parallel) for _ in range(size)]
        self._plan_moves()
        for key in self.rng.sample(range(len(self.people)), max(3, len(self.people) // 20)):
            self._gap(self.people[key], self.rng.choice(("sex", "birth", "documents", "dates")))

    def _sizes(self, students: int, classes: int) -> list[int]:
        sizes = [students // classes + (i < students % classes) for i in range(classes)]
        for _ in range(classes):
            i, j = self.rng.randrange(classes), self.rng.randrange(classes)
            if i != j and sizes[i] > 20:  # classes of a little different sizes
                sizes[i], sizes[j] = sizes[i] - 2, sizes[j] + 2
        return sizes

    def _aged(self, lo: int, hi: int) -> date:
        return _between(self.rng, _years_after(self.cutoff, -hi), _years_after(self.cutoff, -lo))

    def _adult(self, sex: Sex, born: date, school: int, surname: str | None = None) -> int:
        rng = self.rng
        name = names.adult_name(rng, sex is Sex.MALE, surname)
        documents = Documents(passport=self._passport(born, school),
                              snils=ids.make_snils(rng) if rng.random() < 0.97 else None)
        self.people.append(_Person(name, sex, born, documents))
        return len(self.people) - 1

    def _passport(self, born: date, school: int) -> Passport | None:
        """Issued after the 14th birthday, replaced at 20 and 45: the latest one by now."""
        for age in (45, 20, 14):
            issued = _years_after(born, age) + timedelta(days=self.rng.randint(3, 60))
            if issued <= self.cutoff:
                series, number = ids.make_passport(self.rng)
                return Passport(series=series, number=number, issued_on=issued,
                                issued_by=names.SCHOOLS[school][4])
        return None

    def _plan_staff(self, school: int, classes: list[_Class], students: int) -> None:
        teachers = []
        for _ in range(max(len(classes) + 2, round(students / 10), 3)):
            sex = Sex.FEMALE if self.rng.random() < 0.8 else Sex.MALE
            teachers.append(self._adult(sex, self._aged(23, 64), school))
        self.staff[school] += [(key, TEACHER) for key in teachers]
        for group, key in zip(classes, teachers, strict=False):
            group.homeroom = key
        if school == 0:  # a teacher who is the administrator too; teachers in both schools
            self.staff[0].append((teachers[-1], ADMINISTRATOR))
            self.shared = teachers[-3:-1] if students >= 60 else teachers[-2:-1]
        else:
            self.staff[1] += [(key, TEACHER) for key in self.shared]
            self.staff[1].append((self._adult(Sex.FEMALE, self._aged(30, 55), 1), ADMINISTRATOR))

    def _student(self, school: int, parallel: int) -> int:
        """A 1st-grader turned 7 by 1 September; a few are a year older."""
        rng = self.rng
        year = self.year - parallel - (rng.random() < 0.04)
        born = _between(rng, date(year - 7, 9, 2), date(year - 6, 8, 31))
        family = self._sibling_family(parallel, born) if rng.random() < 0.12 else None
        if family is None:
            family = _Family(rng.choice(names.LAST_NAMES), rng.choice(names.MALE_ADULT))
            self._parents(family, born, school)
            self.families.append(family)
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        name = names.child_name(rng, sex is Sex.MALE, family.surname, family.father)
        series, number = ids.make_birth_certificate(rng)
        certificate = BirthCertificate(series=series, number=number,
                                       issued_on=born + timedelta(days=rng.randint(5, 40)))
        documents = Documents(birth_certificate=certificate, passport=self._passport(born, school),
                              snils=ids.make_snils(rng) if rng.random() < 0.9 else None)
        self.people.append(_Person(name, sex, born, documents))
        family.children.append(len(self.people) - 1)
        family.parallels.append(parallel)
        return len(self.people) - 1

    def _sibling_family(self, parallel: int, born: date) -> _Family | None:
        """A family already planned, if the child fits it (a year apart, parents' ages)."""
        family = self.rng.choice(self.families) if self.families else None
        if family is None or len(family.children) >= 3:
            return None
        for key, kind in family.reps:
            parent_born = self.people[key].birth_date or born
            lo, hi = (38, 65) if kind is Kind.GUARDIAN else (20, 45)
            if not lo <= (born - parent_born).days / 365.25 <= hi:
                return None
        return family if all(abs(parallel - p) >= 2 for p in family.parallels) else None

    def _parents(self, family: _Family, child_born: date, school: int) -> None:
        """Both parents (65%), the mother (25%), the father (5%) or a guardian (5%)."""
        rng, roll = self.rng, self.rng.random()

        def born(lo: int, hi: int) -> date:
            return _between(rng, _years_after(child_born, -hi), _years_after(child_born, -lo))

        if roll < 0.9:
            own = rng.random() < 0.15  # she kept her own last name
            surname = rng.choice(names.LAST_NAMES) if own else family.surname
            if roll >= 0.65 and own:
                family.surname = surname  # no father in the family: the mother's name
            mother = self._adult(Sex.FEMALE, born(20, 40), school, surname)
            family.reps.append((mother, Kind.MOTHER))
        if roll < 0.65 or 0.9 <= roll < 0.95:
            father = self._adult(Sex.MALE, born(22, 45), school, family.surname)
            family.reps.append((father, Kind.FATHER))
        if roll >= 0.95:
            family.reps.append((self._adult(Sex.FEMALE, born(45, 62), school), Kind.GUARDIAN))

    def _plan_moves(self) -> None:
        """Two transfers within a parallel (within a school first) and one leaver."""
        classes = self.classes
        pairs = sorted(
            ((a, b) for a, b in permutations(range(len(classes)), 2)
             if classes[a].parallel == classes[b].parallel and len(classes[a].students) >= 3),
            key=lambda ab: classes[ab[0]].school != classes[ab[1]].school,
        )
        moved: set[int] = set()  # each pair of classes once (a < b) before its reverse
        for source, target in ([(a, b) for a, b in pairs if a < b] + pairs)[:2]:
            student = self.rng.choice([s for s in classes[source].students if s not in moved])
            moved.add(student)
            same = classes[source].school == classes[target].school
            reason = names.TRANSFER_SAME_SCHOOL if same else names.TRANSFER_OTHER_SCHOOL
            self.moves.append((student, source, target, reason))
        stay = [(s, c) for c, group in enumerate(classes) if len(group.students) >= 3
                for s in group.students if s not in moved]
        self.leaver = self.rng.choice(stay) if stay else None

    def _gap(self, person: _Person, gap: str) -> None:
        """Leave out what the export needs, so the readiness report has content."""
        docs = person.documents
        if gap == "sex":
            person.sex = None
        elif gap == "birth":
            person.birth_date = None
        elif gap == "documents":
            person.documents = Documents()
        else:  # documents without their issue dates, and no СНИЛС
            person.documents = Documents(
                passport=docs.passport and replace(docs.passport, issued_on=None),
                birth_certificate=docs.birth_certificate
                and replace(docs.birth_certificate, issued_on=None),
            )

    def requisites(self) -> list[tuple[Requisites, Requisites | None]]:
        """The first school: complete once its phones are added; the second: no КПП, ОКТМО,
        phones. Each: what it is registered with and what `update_school` sets later."""
        rng = self.rng
        city = f"8 (496) {rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        first = Requisites(
            ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
            kpp=ids.make_kpp(rng), okopf="75403", founder=names.SCHOOLS[0][3],
            okato=ids.make_okato(rng), oktmo=ids.make_oktmo(rng),
        )
        second = Requisites(
            ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
            okopf="75401", founder=names.SCHOOLS[1][3], okato=ids.make_okato(rng),
        )
        return [(first, replace(first, phones=(city, ids.make_phone(rng)))), (second, None)]


class _Clock:
    """The administrator's commands, spread over `hours` from `start` (never later than
    now), one per call, each one counted for the progress."""

    def __init__(self, done: Callable[[int], None], start: datetime, hours: float = 1,
                 commands: int = 1) -> None:
        self.done, self.at, self.step = done, start, timedelta(hours=hours) / max(1, commands)

    def __call__(self) -> Command:
        self.at += self.step
        self.done(1)
        return Command(actor=ADMIN, at=min(self.at - self.step, datetime.now(UTC)))


def _id(outcome: Outcome) -> UUID:
    return UUID(str(outcome.answer["id"]))


def load_demo(
    journal: Journal, *, students: int = 250, seed: int = 7, academic_year: int | None = None,
    weeks: int = 4, progress: Callable[[int], None] | None = None,
) -> DemoPeople:
    """Fill an empty journal; `progress(1)` after each command (tqdm-style increments).

    `weeks` weeks of school from 1 September (holiday weeks not counted; a year has 34 or
    35). Without `academic_year`, the latest year whose weeks are over by today; with it,
    the lessons stop a week before today."""
    if students < 0:
        raise ValueError("students must not be negative")
    if weeks < 0:
        raise ValueError("weeks must not be negative")
    with cached_aggregates(journal):
        return _load(journal, students, seed, academic_year, weeks,
                     progress or (lambda _count: None))


def _load(journal: Journal, students: int, seed: int, academic_year: int | None, weeks: int,
          done: Callable[[int], None]) -> DemoPeople:
    now = datetime.now(UTC)
    explicit = academic_year is not None
    year = academic_year if academic_year is not None else default_academic_year(
        weeks, now.date())
    plan, people = _Planner(students, seed, year), {}

    def clock(month: int, day: int, hour: int, hours: float = 1, commands: int = 1) -> _Clock:
        return _Clock(done, datetime(year, month, day, hour, tzinfo=UTC), hours, commands)

    def register(key: int, command: Command) -> None:
        p = plan.people[key]
        people[key] = _id(journal.register_person(command, p.name, p.sex, p.birth_date,
                                                  p.documents))

    school_ids, at = [], clock(8, 15, 6, 1, 3)
    for (name, zone, shifts, *_), (requisites, later) in zip(
            names.SCHOOLS, plan.requisites(), strict=True):
        school_ids.append(_id(journal.register_school(at(), name, zone, shifts, requisites)))
        if later is not None:
            journal.update_school(at(), school_ids[-1], None, requisites=later)
    staff = [(school, entry) for school, entries in enumerate(plan.staff) for entry in entries]
    at = clock(8, 16, 6, 8, 2 * len(staff))
    for school, (key, position) in staff:
        if key not in people:
            register(key, at())
        journal.appoint_staff(at(), school_ids[school], people[key], position)
    family_commands = sum(len(f.reps) + len(f.children) * (1 + len(f.reps))
                          for f in plan.families)
    at = clock(8, 18, 6, 240, family_commands)
    for family in plan.families:
        for key, _kind in family.reps:
            register(key, at())
        for child in family.children:
            register(child, at())
            for key, kind in family.reps:
                journal.link_representative(at(), people[child], people[key], kind)
    at = clock(8, 28, 7, 2, len(plan.classes))
    class_ids = [
        _id(journal.open_class(at(), school_ids[group.school], year, group.name,
                               people[group.homeroom]))
        for group in plan.classes
    ]
    # Enrolled from 1 September by an order of the last days of August: before the lessons
    # of 1 September even in Vladivostok.
    at = clock(8, 28, 10, 6, students)
    for group, class_id in zip(plan.classes, class_ids, strict=True):
        for key in group.students:
            journal.enrol_student(at(), class_id, people[key], date(year, 9, 1))
    moves = []  # the day before they take effect, so before that day's lessons anywhere
    for week, (key, source, target, reason) in enumerate(plan.moves):
        on = date(year, 10, 12 + 7 * week)
        moves.append(RosterMove(datetime(year, 10, on.day - 1, 7, tzinfo=UTC), ADMIN,
                                people[key], source, target, on, reason))
    left = []
    if plan.leaver is not None:
        key, group_index = plan.leaver
        moves.append(RosterMove(datetime(year, 10, 25, 7, tzinfo=UTC), ADMIN, people[key],
                                group_index, None, date(year, 10, 26), names.LEAVING))
        left.append(people[key])
    teachers = [[people[k] for k, p in entries if p is TEACHER] for entries in plan.staff]
    admins = [people[k] for _, (k, p) in staff if p is ADMINISTRATOR]
    summary = fill_journal(
        journal,
        [DemoSchool(school_ids[i], zone, shifts, admins[i], tuple(teachers[i]), i == 0)
         for i, (_name, zone, shifts, *_rest) in enumerate(names.SCHOOLS)],
        [DemoClass(class_id, group.school, group.parallel, people[group.homeroom],
                   tuple(people[k] for k in group.students))
         for group, class_id in zip(plan.classes, class_ids, strict=True)],
        moves, year=year, weeks=weeks, seed=seed, done=done, now=now, explicit_year=explicit,
    )
    return DemoPeople(
        admin_actor=ADMIN,
        school_ids=school_ids,
        teacher_ids=list(dict.fromkeys(people[k] for _, (k, p) in staff if p is TEACHER)),
        student_ids=[people[k] for g in plan.classes for k in g.students if people[k] not in left],
        representative_ids=[people[k] for f in plan.families for k, _ in f.reps],
        class_ids=class_ids,
        school_admin_ids=admins,
        left_student_ids=left,
        academic_year=year,
        first_lesson_day=summary.first_day,
        last_lesson_day=summary.last_day,
        counts=summary.counts,
    )


def demo_is_loaded(journal: Journal) -> bool:
    """True when the log holds anything: the demo is only loaded into an empty journal."""
    return bool(journal.recorder.max_notification_id())
