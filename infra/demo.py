"""Demo data for an empty journal: two schools, staff, classes, students and their families.

Everything goes through the Journal's commands, so the demo is events like any other data.
The content is a function of the seed (the ids are the aggregates' own uuid4s); the events are
dated as a history: staff in mid-August, families later, enrolment on 1 September, moves in
October (never later than now).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from uuid import UUID

import msgspec

from domain import identifiers as ids
from domain.application import Journal
from domain.journal import Command, Outcome
from domain.person import (
    BirthCertificate,
    Documents,
    FullName,
    Passport,
    RepresentativeKind,
    Sex,
)
from domain.school import Requisites, StaffPosition
from infra import demo_names as names

ADMIN = "admin"
_LETTERS = "АБВГДЕЖИКЛМН"
_OFFICES = ("ГУ МВД России по Московской области", "УМВД России по Приморскому краю")
_GAPS = ("sex", "birth_date", "documents", "issue_date")
Kind = RepresentativeKind


@dataclass(frozen=True)
class DemoPeople:
    """The ids a user needs to try the API on the demo data."""

    admin_actor: str
    school_ids: list[UUID]  # the first complete, the second with gaps in its requisites
    teacher_ids: list[UUID]
    student_ids: list[UUID]  # in a class now (the one who left is in left_student_ids)
    representative_ids: list[UUID]
    class_ids: list[UUID]
    school_admin_ids: list[UUID]  # one StaffPosition.ADMINISTRATOR per school, in order
    left_student_ids: list[UUID] = field(default_factory=list)


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
    father: tuple[str, str, str]  # first name, son's and daughter's patronymic
    reps: list[tuple[int, Kind]] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    parallels: list[int] = field(default_factory=list)


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _class_names(count: int) -> list[tuple[str, int]]:
    """`count` classes over parallels 1-11: full rounds of letters, the rest spread out."""
    rounds, rest = divmod(count, 11)
    slots = [(p, r) for r in range(rounds) for p in range(1, 12)]
    spread = rest - 1 if rounds == 0 and rest >= 3 else rest
    parallels = [1 + j * 11 // spread for j in range(spread)] if spread else []
    slots += [(p, rounds) for p in parallels]
    if spread < rest:  # a second letter in a middle parallel, so transfers stay in school
        slots.append((parallels[len(parallels) // 2], 1))
    return [(f"{p}{_LETTERS[r]}", p) for p, r in sorted(slots)]


class _Planner:
    """Everything the demo will say, drawn from one seeded random generator."""

    def __init__(self, students: int, seed: int, year: int) -> None:
        self.rng = random.Random(seed)
        self.year = year
        self.cutoff = min(date(year, 7, 31), datetime.now(UTC).date() - timedelta(days=1))
        self.people: list[_Person] = []
        self.staff: list[list[tuple[int, StaffPosition]]] = [[], []]
        self.classes: list[_Class] = []
        self.families: list[_Family] = []
        self.moves: list[tuple[int, int, int, str]] = []  # student, from, to, reason
        self.leaver: tuple[int, int] | None = None  # student, class
        self.shared: list[int] = []  # teachers of the first school teaching in the second
        total_classes = max(2, round(students / 25))
        first = max(1, round(total_classes * 0.6))
        shares = (round(students * 0.6), students - round(students * 0.6))
        for school, count in enumerate((first, total_classes - first)):
            mine = [_Class(school, name, p) for name, p in _class_names(max(1, count))]
            self.classes += mine
            self._plan_staff(school, mine, shares[school])
            for group, size in zip(mine, self._sizes(shares[school], len(mine)), strict=True):
                group.students = [self._student(school, group.parallel) for _ in range(size)]
        self._plan_moves()
        for key in self.rng.sample(range(len(self.people)), max(3, round(len(self.people) / 20))):
            self._gap(self.people[key], self.rng.choice(_GAPS))

    def _sizes(self, students: int, classes: int) -> list[int]:
        sizes = [students // classes + (i < students % classes) for i in range(classes)]
        for _ in range(classes):
            i, j = self.rng.randrange(classes), self.rng.randrange(classes)
            if i != j and sizes[i] > 20:
                step = self.rng.randint(1, 2)
                sizes[i], sizes[j] = sizes[i] - step, sizes[j] + step
        return sizes

    def _born_ago(self, youngest: int, oldest: int) -> date:
        cutoff = self.cutoff
        return _between(self.rng, _years_before(cutoff, oldest), _years_before(cutoff, youngest))

    def _add(self, person: _Person) -> int:
        self.people.append(person)
        return len(self.people) - 1

    def _adult(self, sex: Sex, born: date, school: int, surname: str | None = None,
               snils: float = 0.97) -> int:
        rng = self.rng
        last = surname or rng.choice(names.LAST_NAMES)
        father = rng.choice(names.MALE_ADULT)
        if sex is Sex.MALE:
            name = FullName(last=last, first=rng.choice(names.MALE_ADULT)[0], middle=father[1])
        else:
            name = FullName(last=names.female_last_name(last),
                            first=rng.choice(names.FEMALE_ADULT), middle=father[2])
        documents = Documents(passport=self._passport(born, school),
                              snils=ids.make_snils(rng) if rng.random() < snils else None)
        return self._add(_Person(name, sex, born, documents))

    def _passport(self, born: date, school: int) -> Passport | None:
        """Issued after the 14th birthday, replaced at 20 and 45: the latest one reached."""
        for age in (45, 20, 14):
            issued = born.replace(year=born.year + age, day=min(born.day, 28))
            issued += timedelta(days=self.rng.randint(3, 60))
            if issued <= self.cutoff:
                series, number = ids.make_passport(self.rng)
                return Passport(series=series, number=number, issued_on=issued,
                                issued_by=_OFFICES[school])
        return None

    def _plan_staff(self, school: int, classes: list[_Class], students: int) -> None:
        count = max(len(classes) + 2, round(students / 10), 3)
        teachers = []
        for _ in range(count):
            sex = Sex.FEMALE if self.rng.random() < 0.8 else Sex.MALE
            teachers.append(self._adult(sex, self._born_ago(23, 64), school))
        self.staff[school] += [(key, StaffPosition.TEACHER) for key in teachers]
        for group, key in zip(classes, teachers, strict=False):
            group.homeroom = key
        if school == 0:  # a teacher who is also the administrator; teachers in both schools
            self.staff[0].append((teachers[-1], StaffPosition.ADMINISTRATOR))
            self.shared = teachers[-3:-1] if students >= 60 else teachers[-2:-1]
        else:
            self.staff[1] += [(key, StaffPosition.TEACHER) for key in self.shared]
            admin = self._adult(Sex.FEMALE, self._born_ago(30, 55), 1)
            self.staff[1].append((admin, StaffPosition.ADMINISTRATOR))

    def _student(self, school: int, parallel: int) -> int:
        rng, year = self.rng, self.year
        older = rng.random() < 0.04
        born = _between(rng, date(year - 7 - parallel - older, 9, 2),
                        date(year - 6 - parallel - older, 8, 31))
        family = self._sibling_family(parallel, born) if rng.random() < 0.12 else None
        if family is None:
            family = _Family(rng.choice(names.LAST_NAMES), rng.choice(names.MALE_ADULT))
            self._parents(family, born, school)
            self.families.append(family)
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        male = sex is Sex.MALE
        name = FullName(
            last=family.surname if male else names.female_last_name(family.surname),
            first=rng.choice(names.MALE_CHILD if male else names.FEMALE_CHILD),
            middle=family.father[1 if male else 2],
        )
        series, number = ids.make_birth_certificate(rng)
        certificate = BirthCertificate(series=series, number=number,
                                       issued_on=born + timedelta(days=rng.randint(5, 40)))
        documents = Documents(birth_certificate=certificate, passport=self._passport(born, school),
                              snils=ids.make_snils(rng) if rng.random() < 0.9 else None)
        key = self._add(_Person(name, sex, born, documents))
        family.children.append(key)
        family.parallels.append(parallel)
        return key

    def _sibling_family(self, parallel: int, born: date) -> _Family | None:
        """A family already planned, if this child fits it (a year apart, parents' ages)."""
        if not self.families:
            return None
        family = self.rng.choice(self.families)
        far = all(abs(parallel - p) >= 2 for p in family.parallels)
        for key, kind in family.reps:
            parent_born = self.people[key].birth_date
            assert parent_born is not None  # gaps are made after planning
            lo, hi = (38, 65) if kind is Kind.GUARDIAN else (20, 45)
            if not lo <= (born - parent_born).days / 365.25 <= hi:
                return None
        return family if far and len(family.children) < 3 else None

    def _parents(self, family: _Family, child_born: date, school: int) -> None:
        rng, roll = self.rng, self.rng.random()
        def born(lo: int, hi: int) -> date:
            return _between(rng, _years_before(child_born, hi), _years_before(child_born, lo))
        if roll < 0.9:
            own = rng.random() < 0.15
            surname = rng.choice(names.LAST_NAMES) if own else family.surname
            if roll >= 0.65 and own:
                family.surname = surname  # no father in the family: the mother's name
            mother = self._adult(Sex.FEMALE, born(20, 40), school, surname)
            family.reps.append((mother, Kind.MOTHER))
        if roll < 0.65 or 0.9 <= roll < 0.95:
            male = self._adult(Sex.MALE, born(22, 45), school, family.surname)
            family.reps.append((male, Kind.FATHER))
        if roll >= 0.95:
            family.reps.append((self._adult(Sex.FEMALE, born(45, 62), school), Kind.GUARDIAN))

    def _plan_moves(self) -> None:
        pairs = [(a, b) for a, b in permutations(range(len(self.classes)), 2)
                 if self.classes[a].parallel == self.classes[b].parallel
                 and len(self.classes[a].students) >= 3]
        pairs.sort(key=lambda ab: self.classes[ab[0]].school != self.classes[ab[1]].school)
        moved: set[int] = set()
        seen: set[frozenset[int]] = set()
        distinct: list[tuple[int, int]] = []
        reverse: list[tuple[int, int]] = []
        for pair in pairs:
            (reverse if frozenset(pair) in seen else distinct).append(pair)
            seen.add(frozenset(pair))
        for source, target in (distinct + reverse)[:2]:
            student = self.rng.choice([s for s in self.classes[source].students if s not in moved])
            moved.add(student)
            same = self.classes[source].school == self.classes[target].school
            reason = ("Перевод по заявлению родителей (законных представителей)" if same
                      else "Перевод в другую школу в связи со сменой места жительства")
            self.moves.append((student, source, target, reason))
        stay = [(s, c) for c, group in enumerate(self.classes) if len(group.students) >= 3
                for s in group.students if s not in moved]
        self.leaver = self.rng.choice(stay) if stay else None

    def _gap(self, person: _Person, gap: str) -> None:
        if gap == "sex":
            person.sex = None
        elif gap == "birth_date":
            person.birth_date = None
        elif gap == "documents":
            person.documents = Documents()
        else:  # documents without issue dates and no СНИЛС
            old = person.documents
            person.documents = Documents(
                passport=old.passport and Passport(series=old.passport.series,
                                                   number=old.passport.number),
                birth_certificate=old.birth_certificate and BirthCertificate(
                    series=old.birth_certificate.series, number=old.birth_certificate.number),
            )

    def schools(self) -> list[tuple[str, str, int, Requisites, Requisites | None]]:
        rng = self.rng
        city = f"8 (496) {rng.randint(200, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        complete = Requisites(
            ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
            kpp=ids.make_kpp(rng), okopf="75403",
            founder="Управление образования администрации городского округа Звенигорск",
            okato=ids.make_okato(rng), oktmo=ids.make_oktmo(rng),
        )
        phones = (city, ids.make_phone(rng))
        gaps = Requisites(
            ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
            okopf="75401", founder="Администрация Приморского муниципального округа",
            okato=ids.make_okato(rng),
        )
        full = msgspec.structs.replace(complete, phones=phones)
        return [
            ("МБОУ «Средняя общеобразовательная школа № 7»", "Europe/Moscow", 1, complete, full),
            ("МАОУ «Гимназия № 2»", "Asia/Vladivostok", 2, gaps, None),
        ]


def _command(at: datetime) -> Command:
    """The demo's administrator acting at `at`, or now if that is still to come."""
    return Command(actor=ADMIN, at=min(at, datetime.now(UTC)))


class _Clock:
    """Commands spread over `window` from `start`, one per call."""

    def __init__(self, start: datetime, window: timedelta, commands: int) -> None:
        self.at, self.step = start, window / max(1, commands)

    def __call__(self) -> Command:
        at, self.at = self.at, self.at + self.step
        return _command(at)


def _id(outcome: Outcome) -> UUID:
    return UUID(str(outcome.answer["id"]))


def load_demo(
    journal: Journal, *, students: int = 250, seed: int = 7, academic_year: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> DemoPeople:
    """Fill an empty journal; `progress` gets the number of commands just run (tqdm-style)."""
    plan, year, done = _Planner(students, seed, academic_year), academic_year, progress or _none
    people: dict[int, UUID] = {}

    def register(key: int, command: Command) -> UUID:
        person = plan.people[key]
        people[key] = _id(journal.register_person(
            command, person.name, person.sex, person.birth_date, person.documents))
        return people[key]

    school_ids, clock = [], _Clock(datetime(year, 8, 15, 6, tzinfo=UTC), timedelta(hours=1), 3)
    for name, zone, shifts, requisites, later in plan.schools():
        school_ids.append(_id(journal.register_school(clock(), name, zone, shifts, requisites)))
        if later is not None:
            journal.update_school(clock(), school_ids[-1], None, requisites=later)
    staff = [entry for school in plan.staff for entry in school]
    clock = _Clock(datetime(year, 8, 16, 6, tzinfo=UTC), timedelta(hours=8), 2 * len(staff))
    for school, entries in enumerate(plan.staff):
        for key, position in entries:
            if key not in people:
                register(key, clock())
            journal.appoint_staff(clock(), school_ids[school], people[key], position)
    done(len(school_ids) + 1 + len(people) + len(staff))
    links = sum(len(f.reps) * (1 + len(f.children)) + len(f.children) for f in plan.families)
    clock = _Clock(datetime(year, 8, 18, 6, tzinfo=UTC), timedelta(days=10), links)
    for family in plan.families:
        for key, _kind in family.reps:
            register(key, clock())
        for child in family.children:
            register(child, clock())
            for key, kind in family.reps:
                journal.link_representative(clock(), people[child], people[key], kind)
        done(len(family.reps) * (1 + len(family.children)) + len(family.children))
    clock = _Clock(datetime(year, 8, 29, 6, tzinfo=UTC), timedelta(hours=2), len(plan.classes))
    class_ids = [
        _id(journal.open_class(clock(), school_ids[group.school], year, group.name,
                               people[group.homeroom]))
        for group in plan.classes
    ]
    clock = _Clock(datetime(year, 9, 1, 5, tzinfo=UTC), timedelta(hours=3), students)
    for group, class_id in zip(plan.classes, class_ids, strict=True):
        for key in group.students:
            journal.enrol_student(clock(), class_id, people[key], date(year, 9, 1))
        done(len(group.students) + 1)
    for week, (key, source, target, reason) in enumerate(plan.moves):
        on = date(year, 10, 12 + 7 * week)
        journal.transfer_student(_command(datetime(year, 10, on.day, 7, tzinfo=UTC)),
                                 people[key], class_ids[source], class_ids[target], on, reason)
    left = []
    if plan.leaver is not None:
        key, group_index = plan.leaver
        on = date(year, 10, 26)
        journal.release_student(_command(datetime(year, 10, 26, 7, tzinfo=UTC)),
                                class_ids[group_index], people[key], on,
                                "Выбытие в связи с переездом в другой регион")
        left.append(people[key])
    done(len(plan.moves) + len(left))
    students_all = [people[key] for group in plan.classes for key in group.students]
    return DemoPeople(
        admin_actor=ADMIN,
        school_ids=school_ids,
        teacher_ids=list(dict.fromkeys(
            people[k] for s in plan.staff for k, p in s if p is StaffPosition.TEACHER)),
        student_ids=[s for s in students_all if s not in left],
        representative_ids=[people[k] for f in plan.families for k, _ in f.reps],
        class_ids=class_ids,
        school_admin_ids=[
            people[k] for s in plan.staff for k, p in s if p is StaffPosition.ADMINISTRATOR],
        left_student_ids=left,
    )


def _none(_count: int) -> None:
    return None


def demo_is_loaded(journal: Journal) -> bool:
    """True when the log holds anything: the demo is only loaded into an empty journal."""
    return bool(journal.recorder.max_notification_id())
