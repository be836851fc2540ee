"""The demo's school year in the journal, after the roster: the academic year of each school,
its subjects, English subgroups, teaching assignments and weekly timetables, lessons from
1 September for a number of weeks, and in each week what teachers and administrators do:
attendance, marks (one `place_marks` per lesson), homework and a little of its checking,
lesson changes (substitutions, rooms, a cancellation, a move, one class in quarantine),
marks corrected or removed with a reason, absences excused, period marks at each quarter's end.

Every command is stamped with its actor (the teacher who keeps the lesson, the school's
administrator, the student doing homework) and dated in the school's local time; some data
comes late (marks placed the next morning, homework published too early or late) so the
compliance report has content. All the randomness is drawn while planning, in a fixed order,
so the content is a function of the seed; the commands then run in the order of their dates,
so the log reads as the year went. The 1st grade gets no marks and no homework (by the rules
of the Russian primary school).
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from uuid import UUID

from eventsourcing.application import LRUCache

from domain.application import Journal
from domain.calendar import AttestationKind, Period
from domain.deadlines import local_instant
from domain.homework import HomeworkSpec
from domain.journal import Command
from domain.marks import Attendance, MarkEntry
from domain.schedule import TimetableSlot
from domain.work_types import BUILT_IN, DUE_ON_LESSON_DAY, BuiltIn, built_in_work_type_id
from infra import demo_timetable as tt
from infra.demo_timetable import Calendar, ClassNeeds, SchoolTimetable, Slot

PERIOD_MARKS_LEAD_DAYS = 7
SUBGROUP_NAMES = ("Английский язык, 1 группа", "Английский язык, 2 группа")
WEIGHTS = {kind: weight for kind, _name, weight in BUILT_IN}


@dataclass(frozen=True)
class DemoSchool:
    id: UUID
    time_zone: str
    shifts: int
    admin_id: UUID
    teacher_ids: tuple[UUID, ...]
    plus_minus: bool  # the school allows «5-», «4+»


@dataclass(frozen=True)
class DemoClass:
    id: UUID
    school: int
    parallel: int
    homeroom_id: UUID
    student_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class RosterMove:
    """A transfer to the class `target`, or (None) the student leaving, effective `on`."""

    at: datetime
    actor: str
    student_id: UUID
    source: int
    target: int | None
    on: date
    reason: str


@dataclass
class JournalSummary:
    academic_year: int
    first_day: date | None  # the lessons' span; None: no lessons
    last_day: date | None
    counts: Counter[str] = field(default_factory=Counter)  # commands by name, and facts


Call = Callable[[Command], object]
LessonKey = tuple[int, int, date, int]  # class, group (0 class, 1-2 subgroup), day, number


@dataclass(slots=True)
class _Lesson:
    key: LessonKey
    klass: int
    group: int
    subject: str
    teacher: UUID
    day: date
    number: int
    shift: int
    room: str
    keeper: UUID  # who keeps its journal: its teacher or the substitute
    changed: bool = False  # at most one change per lesson
    cancelled: bool = False

    @property
    def start(self) -> time:
        return tt.bell(self.shift, self.number).start

    @property
    def end(self) -> time:
        return tt.bell(self.shift, self.number).end


@dataclass(slots=True)
class _Batch:
    """One `place_marks`: the lesson, the work type, (student, value) and when."""

    lesson: _Lesson
    work: BuiltIn
    values: list[tuple[UUID, str]]
    late: bool = False
    at: datetime | None = None  # when it is placed


@dataclass(slots=True)
class _Task:
    """Homework to publish for a lesson: on time, too early or late."""

    lesson: _Lesson
    roster: list[UUID]
    timing: str
    individual: bool = False  # for one or two students (work on their mistakes)


class _Agenda:
    """Commands by their date; `run_until` executes them in that order."""

    def __init__(self, now: datetime, done: Callable[[int], None]) -> None:
        self.now, self.done = now, done
        self.heap: list[tuple[datetime, int, str, str, Call]] = []
        self.seq = 0
        self.counts: Counter[str] = Counter()

    def add(self, at: datetime, actor: UUID | str, name: str, call: Call) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (min(at, self.now), self.seq, str(actor), name, call))

    def run_until(self, cutoff: datetime | None = None) -> None:
        while self.heap and (cutoff is None or self.heap[0][0] < cutoff):
            at, _seq, actor, name, call = heapq.heappop(self.heap)
            call(Command(actor=actor, at=at))
            self.counts[name] += 1
            self.done(1)


def _ticks(start: datetime, pace: timedelta) -> Iterator[datetime]:
    while True:
        yield start
        start += pace


def _value_number(value: str) -> int | None:
    return int(value[0]) if value[:1].isdigit() else None


def _rounded(total: Decimal, weights: Decimal) -> str:
    return str(int((total / weights).quantize(Decimal(1), ROUND_HALF_UP)))


class _Year:
    """Plans a school year and feeds it, in date order, to the journal."""

    def __init__(self, journal: Journal, schools: Sequence[DemoSchool],
                 classes: Sequence[DemoClass], moves: Sequence[RosterMove], year: int,
                 span: tuple[date, date] | None, rng: random.Random, agenda: _Agenda) -> None:
        self.journal, self.schools, self.classes = journal, schools, classes
        self.moves, self.year, self.span, self.rng, self.agenda = moves, year, span, rng, agenda
        self.calendar: Calendar = tt.school_calendar(year)
        self.counts = agenda.counts
        self.subject_ids: dict[tuple[int, str], UUID] = {}
        self.group_ids: dict[tuple[int, int], UUID] = {(i, 0): c.id for i, c in
                                                       enumerate(classes)}
        self.lesson_ids: dict[LessonKey, UUID] = {}
        self.mark_ids: dict[tuple[LessonKey, UUID], UUID] = {}
        self.homework_ids: dict[int, UUID] = {}
        # (class, group) -> student -> [start, end) stints, as the journal will have them
        self.members: dict[tuple[int, int], dict[UUID, list[tuple[date, date | None]]]] = {}
        self.timetables: list[SchoolTimetable] = []
        self.by_day: list[dict[date, list[_Lesson]]] = [{} for _ in classes]
        self.series: dict[tuple[int, int, str], list[date]] = {}  # lesson days per subject
        self.level = {s: min(4.9, max(2.6, rng.gauss(3.9, 0.55)))
                      for c in classes for s in c.student_ids}
        self.ill: dict[UUID, int] = {}  # student -> school days of illness left
        self.generated_at: dict[tuple[int, int], datetime] = {}  # (school, quarter) -> when
        self.week_batches: list[list[_Batch]] = [[] for _ in schools]
        self.week_homework: list[list[_Task]] = [[] for _ in schools]
        self.week_ill: list[list[tuple[_Lesson, UUID]]] = [[] for _ in schools]
        self.fixed: Counter[tuple[int, str]] = Counter()  # (school, what) -> how many so far
        # (class, quarter, subject, student) -> [sum of value x weight, sum of weights]
        self.grades: dict[tuple[int, int, str, UUID], list[Decimal]] = {}
        self.homework_count = 0
        self.texts: Counter[tuple[int, int, str]] = Counter()
        self.want_ids: set[tuple[LessonKey, UUID]] = set()  # marks to be corrected later
        self.quarantine: tuple[int, int] = (-1, -1)  # (class, week)
        self.finals: dict[tuple[int, str, UUID], list[int]] = {}  # quarter marks, per subject

    # --- helpers ---------------------------------------------------------------------

    def school_of(self, lesson: _Lesson) -> DemoSchool:
        return self.schools[self.classes[lesson.klass].school]

    def local(self, school: int | DemoSchool, day: date, hour: int, minute: int = 0,
              jitter_minutes: float = 0) -> datetime:
        zone = (self.schools[school] if isinstance(school, int) else school).time_zone
        at = local_instant(day, time(hour, minute), zone)
        return at + timedelta(minutes=self.rng.uniform(0, jitter_minutes)) if jitter_minutes \
            else at

    def after(self, lesson: _Lesson, day: date, at: time, minutes: float) -> datetime:
        return (local_instant(day, at, self.school_of(lesson).time_zone)
                + timedelta(minutes=minutes))

    def roster(self, klass: int, group: int, day: date) -> list[UUID]:
        return [student for student, stints in self.members.get((klass, group), {}).items()
                if any(lo <= day and (hi is None or day < hi) for lo, hi in stints)]

    def school_days(self, start: date, end: date) -> Iterator[date]:
        day = start
        while day <= end:
            if self.calendar.is_school_day(day):
                yield day
            day += timedelta(days=1)

    # --- the plan ----------------------------------------------------------------------

    def plan(self) -> None:
        """Set-up, roster moves, then week by week; the agenda runs two weeks behind."""
        self._set_up()
        self._moves()
        if self.span is None:
            return
        first, last = self.span
        mondays = sorted({d - timedelta(days=d.weekday()) for d in self.school_days(first, last)})
        closable = [i for i, c in enumerate(self.classes) if c.parallel >= 2 and c.student_ids]
        if closable:
            self.quarantine = (self.rng.choice(closable), len(mondays) // 2)
        ends = {self.calendar.last_school_day(p): q for q, p in
                enumerate(self.calendar.quarters)}
        for week, monday in enumerate(mondays):
            days = [d for d in (monday + timedelta(days=i) for i in range(5))
                    if first <= d <= last and self.calendar.is_school_day(d)]
            self._week(week, days)
            for day in days:
                if day in ends:
                    self._period_marks(ends[day], day)
            self.agenda.run_until(datetime.combine(monday - timedelta(days=11), time(0), UTC))

    def _set_up(self) -> None:
        rng = self.rng
        for s, school in enumerate(self.schools):
            mine = [i for i, c in enumerate(self.classes) if c.school == s]
            needs = [ClassNeeds(self.classes[i].parallel, self.classes[i].homeroom_id,
                                self._split(i)) for i in mine]
            table = tt.plan_timetable(rng, needs, school.teacher_ids, school.shifts)
            self.timetables.append(table)
            at = self.local(s, date(self.year, 8, 30), 9)
            commands = 3 + len(tt.SUBJECTS) + len(table.teachers) + sum(
                2 + len(self.classes[i].student_ids) for i in mine if self._split(i))
            clock = _ticks(at, min(timedelta(seconds=20), timedelta(hours=20) / commands))
            admin = school.admin_id
            self.agenda.add(next(clock), admin, "open_academic_year",
                            self._open_year(s))
            if school.plus_minus:
                self.agenda.add(next(clock), admin, "allow_plus_minus_marks",
                                partial(self.journal.allow_plus_minus_marks,
                                        school_id=school.id, allowed=True))
            for name, short, _speciality in tt.SUBJECTS:
                self.agenda.add(next(clock), admin, "add_subject", self._add_subject(s, name,
                                                                                     short))
            for index in mine:
                for group in (1, 2) if self._split(index) else ():
                    self.agenda.add(next(clock), admin, "open_subgroup",
                                    self._open_subgroup(index, group))
                self._members(index)
                for group in (1, 2) if self._split(index) else ():
                    for student in self.members[(index, group)]:
                        self.agenda.add(next(clock), admin, "enrol_student",
                                        self._enrol(index, group, student, date(self.year, 9, 1)))
            for (position, group, subject), teacher in table.teachers.items():
                index = mine[position]
                self.agenda.add(next(clock), admin, "assign_teacher",
                                self._assign(index, group, subject, teacher))
            for position, index in enumerate(mine):
                self._lessons(index, table.slots[position])
            self._generations(s, mine, table, next(clock))

    def _split(self, index: int) -> bool:
        klass = self.classes[index]
        return klass.parallel >= tt.ENGLISH_SUBGROUPS_FROM and len(klass.student_ids) >= 4

    def _members(self, index: int) -> None:
        """Stints of the class from 1 September; its subgroups: the class in two halves."""
        september = date(self.year, 9, 1)
        students = self.classes[index].student_ids
        self.members[(index, 0)] = {s: [(september, None)] for s in students}
        if self._split(index):
            half = (len(students) + 1) // 2
            self.members[(index, 1)] = {s: [(september, None)] for s in students[:half]}
            self.members[(index, 2)] = {s: [(september, None)] for s in students[half:]}

    def _lessons(self, index: int, slots: list[Slot]) -> None:
        if self.span is None:
            return
        for day in self.school_days(*self.span):
            for slot in slots:
                if slot.weekday == day.isoweekday():
                    key = (index, slot.group, day, slot.number)
                    lesson = _Lesson(key, index, slot.group, slot.subject, slot.teacher, day,
                                     slot.number, slot.shift, slot.room, slot.teacher)
                    self.by_day[index].setdefault(day, []).append(lesson)
                    self.series.setdefault((index, slot.group, slot.subject), []).append(day)

    def _generations(self, s: int, mine: list[int], table: SchoolTimetable,
                     first_at: datetime) -> None:
        """Each quarter's lessons, generated before it starts (the first on 30 August)."""
        if self.span is None:
            return
        for q, quarter in enumerate(self.calendar.quarters):
            start, end = max(quarter.start, self.span[0]), min(quarter.end, self.span[1])
            if start > end:
                continue
            at = first_at if q == 0 else self.local(s, quarter.start - timedelta(days=3), 10)
            self.generated_at[(s, q)] = at + timedelta(minutes=len(mine))
            for position, index in enumerate(mine):
                self.agenda.add(at + timedelta(seconds=30 * position), self.schools[s].admin_id,
                                "generate_lessons",
                                self._generate(index, table.slots[position], start, end))

    def _moves(self) -> None:
        """Transfers and the leaver, their subgroups followed, at the dates planned."""
        for move in self.moves:
            source = self.members[(move.source, 0)]
            source[move.student_id][-1] = (source[move.student_id][-1][0], move.on)
            for group in (1, 2):
                stints = self.members.get((move.source, group), {}).get(move.student_id)
                if stints:
                    stints[-1] = (stints[-1][0], move.on)
                    self.agenda.add(move.at - timedelta(minutes=2), move.actor, "release_student",
                                    self._release(move.source, group, move.student_id, move.on,
                                                  move.reason))
            if move.target is None:
                self.agenda.add(move.at, move.actor, "release_student",
                                self._release(move.source, 0, move.student_id, move.on,
                                              move.reason))
                continue
            self.members[(move.target, 0)].setdefault(move.student_id, []).append(
                (move.on, None))
            self.agenda.add(move.at, move.actor, "transfer_student",
                            self._transfer(move))
            target = move.target
            if self._split(target):
                group = min((1, 2), key=lambda g: len(self.roster(target, g, move.on)))
                self.members[(target, group)].setdefault(move.student_id, []).append(
                    (move.on, None))
                self.agenda.add(move.at + timedelta(minutes=2), move.actor, "enrol_student",
                                self._enrol(move.target, group, move.student_id, move.on))

    # --- a week ------------------------------------------------------------------------

    def _week(self, week: int, days: list[date]) -> None:
        for s in range(len(self.schools)):
            self._changes(s, week, days)
        for day in days:
            for index in range(len(self.classes)):
                lessons = sorted(self.by_day[index].get(day, ()), key=lambda x: x.number)
                if not lessons:
                    continue
                away = self._absences(index, day)
                first = min(lesson.number for lesson in lessons)
                for lesson in lessons:
                    if not lesson.cancelled:
                        self._journal_of(lesson, away, lesson.number == first)
        for s in range(len(self.schools)):
            self._flush(s)

    def _absences(self, index: int, day: date) -> dict[UUID, Attendance]:
        """Who is away all day: ill for a few days, or absent for a day."""
        away: dict[UUID, Attendance] = {}
        for student in self.roster(index, 0, day):
            if self.ill.get(student, 0) > 0:
                self.ill[student] -= 1
                away[student] = Attendance.ILL
            elif self.rng.random() < 0.012:
                self.ill[student] = self.rng.randint(1, 5)
                away[student] = Attendance.ILL
            elif self.rng.random() < 0.008:
                away[student] = Attendance.ABSENT
        return away

    def _journal_of(self, lesson: _Lesson, away: dict[UUID, Attendance], first: bool) -> None:
        rng, klass = self.rng, self.classes[lesson.klass]
        roster = self.roster(lesson.klass, lesson.group, lesson.day)
        if not roster:
            return
        entries: dict[UUID, Attendance] = {}
        for student in roster:
            status = away.get(student)
            if status is None and rng.random() < 0.003:
                status = Attendance.ABSENT
            elif status is None and first and rng.random() < 0.02:
                status = Attendance.LATE
            if status is not None:
                entries[student] = status
        school = klass.school
        if entries:
            at = self.after(lesson, lesson.day, lesson.start, rng.uniform(3, 12))
            self.agenda.add(at, lesson.keeper, "record_attendance",
                            self._attendance(lesson.key, entries))
            self.week_ill[school] += [(lesson, s) for s, a in entries.items()
                                      if a is Attendance.ILL]
        if klass.parallel < 2:
            return
        present = [s for s in roster if entries.get(s) in (None, Attendance.LATE)]
        if present:
            work = self._work_type(lesson)
            share = 1.0 if work is BuiltIn.TEST_PAPER else rng.uniform(0.3, 0.5)
            chosen = rng.sample(present, max(1, round(len(present) * share)))
            school_allows = self.schools[school].plus_minus
            values = [(s, self._value(s, school_allows)) for s in chosen]
            late = work in DUE_ON_LESSON_DAY and rng.random() < 0.04
            self.week_batches[school].append(_Batch(lesson, work, values, late))
        if rng.random() < self._homework_chance(lesson.subject):
            self.week_homework[school].append(_Task(lesson, roster, self._timing(lesson),
                                                    rng.random() < 0.04))

    def _work_type(self, lesson: _Lesson) -> BuiltIn:
        rng, subject = self.rng, lesson.subject
        count = self.texts[(lesson.klass, lesson.group, subject)]
        self.texts[(lesson.klass, lesson.group, subject)] += 1
        if subject in (tt.SPORT, "Музыка", "ИЗО", "Технология"):
            return BuiltIn.CLASSWORK if rng.random() < 0.7 else BuiltIn.ANSWER
        if count % 9 == 8:
            return BuiltIn.TEST_PAPER
        special = {"Русский язык": BuiltIn.DICTATION, "Литература": BuiltIn.BY_HEART,
                   "Физика": BuiltIn.LABORATORY_WORK, "Химия": BuiltIn.LABORATORY_WORK,
                   "Биология": BuiltIn.LABORATORY_WORK, tt.ENGLISH: BuiltIn.BY_HEART}
        kinds = (BuiltIn.ANSWER, BuiltIn.CLASSWORK, BuiltIn.INDEPENDENT_WORK, BuiltIn.HOMEWORK,
                 BuiltIn.TEST, special.get(subject, BuiltIn.CHECK_WORK))
        return rng.choices(kinds, (50, 20, 10, 10, 5, 5))[0]

    def _value(self, student: UUID, plus_minus: bool) -> str:
        value = min(5, max(2, round(self.level[student] + self.rng.gauss(0, 0.75))))
        if plus_minus and self.rng.random() < 0.12:
            return {5: "5-", 2: "2+"}.get(value) or f"{value}{self.rng.choice('+-')}"
        return str(value)

    @staticmethod
    def _homework_chance(subject: str) -> float:
        return {tt.SPORT: 0.05, "Музыка": 0.2, "ИЗО": 0.3, "Технология": 0.3}.get(subject, 0.85)

    def _timing(self, lesson: _Lesson) -> str:
        roll = self.rng.random()
        if roll < 0.03 and not lesson.changed and self._early_at(lesson) is not None:
            return "too_early"
        return "late" if roll > 0.96 else "on_time"

    def _quarter(self, day: date) -> int:
        return next((q for q, p in enumerate(self.calendar.quarters) if p.covers(day)), 0)

    def _generated(self, school: int, day: date) -> datetime:
        """When the lessons of the day were generated (a change or homework comes later)."""
        return self.generated_at.get((school, self._quarter(day)), self.agenda.now)

    def _early_at(self, lesson: _Lesson) -> datetime | None:
        """Eight days before the lesson, if the lesson exists by then."""
        school = self.classes[lesson.klass].school
        at = self.local(school, lesson.day - timedelta(days=8), 16)
        return at if at > self._generated(school, lesson.day) + timedelta(hours=1) else None

    # --- changes -----------------------------------------------------------------------

    def _before(self, s: int, lesson_day: date, hour: int) -> datetime:
        """The previous day at `hour` (jittered), not before the lesson was generated."""
        at = self.local(s, lesson_day - timedelta(days=1), hour, 0, 60)
        return max(at, self._generated(s, lesson_day) + timedelta(minutes=30))

    def _changes(self, s: int, week: int, days: list[date]) -> None:
        """Lesson changes in the school's week, dated before the lessons they change."""
        rng, admin = self.rng, self.schools[s].admin_id
        mine = [i for i, c in enumerate(self.classes) if c.school == s]
        if week == self.quarantine[1] and self.quarantine[0] in mine:
            self._quarantine(self.quarantine[0], days)

        def open_lessons() -> list[_Lesson]:
            return [lesson for i in mine for d in days for lesson in self.by_day[i].get(d, ())
                    if not lesson.changed]

        table = self.timetables[s]
        if rng.random() < 0.8 or not self.fixed[(s, "substitution")]:
            self._substitutions(s, table, open_lessons(), days)
        candidates = open_lessons()
        for lesson in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
            room = rng.choice([*sorted(set(table.rooms.values()) - {lesson.room}),
                               "Актовый зал", "Библиотека"])
            reason = rng.choice(("Ремонт кабинета", "В кабинете проходит ВПР",
                                 "Замена кабинета по заявке учителя"))
            lesson.changed, lesson.room = True, room
            self.agenda.add(self.local(s, lesson.day, 7, 40, 15), admin, "change_room",
                            self._lesson_change(lesson.key, partial(
                                self.journal.change_room, room=room, reason=reason)))
        candidates = open_lessons()
        if candidates and (rng.random() < 0.5 or not self.fixed[(s, "cancellation")]):
            lesson = rng.choice(candidates)
            lesson.changed = lesson.cancelled = True
            self.fixed[(s, "cancellation")] += 1
            reason = rng.choice(("Экскурсия класса в музей", "Участие класса в олимпиаде",
                                 "Отключение электроэнергии", "Общешкольное мероприятие"))
            self.agenda.add(self._before(s, lesson.day, 16), admin, "cancel_lesson",
                            self._lesson_change(lesson.key, partial(
                                self.journal.cancel_lesson, reason=reason)))
        if len(days) >= 2 and (rng.random() < 0.5 or not self.fixed[(s, "move")]):
            self._move(s, open_lessons(), days)

    def _substitutions(self, s: int, table: SchoolTimetable, lessons: list[_Lesson],
                       days: list[date]) -> None:
        """A teacher off sick for a day or two: another teacher takes each lesson."""
        rng = self.rng
        teachers = list(dict.fromkeys(lesson.teacher for lesson in lessons))
        if not teachers:
            return
        sick = rng.choice(teachers)
        start = rng.randrange(len(days))
        off = set(days[start:start + rng.randint(1, 2)])
        for lesson in lessons:
            if lesson.teacher != sick or lesson.day not in off:
                continue
            weekday = lesson.day.isoweekday()
            free = [t for t in table.rooms if t != sick
                    and table.free(t, lesson.shift, weekday, lesson.number)]
            if not free:
                continue
            same = [t for t in free if table.specialities[t] & table.specialities[sick]]
            substitute = rng.choice(same or free)
            lesson.changed, lesson.keeper = True, substitute
            self.fixed[(s, "substitution")] += 1
            self.agenda.add(self.local(s, lesson.day, 7, 10, 20), self.schools[s].admin_id,
                            "substitute_teacher", self._lesson_change(
                                lesson.key, partial(self.journal.substitute_teacher,
                                                    substitute_id=substitute,
                                                    reason="Болезнь учителя")))

    def _move(self, s: int, lessons: list[_Lesson], days: list[date]) -> None:
        """A lesson to another day of the week, after that day's last lesson."""
        rng = self.rng
        candidates = [lesson for lesson in lessons if lesson.klass != self.quarantine[0]]
        if not candidates:
            return
        lesson = rng.choice(candidates)
        target = rng.choice([d for d in days if d != lesson.day])
        taken = self.by_day[lesson.klass].get(target, [])
        number = max((other.number for other in taken), default=0) + 1
        if number > tt.LAST_NUMBER:
            return
        self.fixed[(s, "move")] += 1
        self.by_day[lesson.klass][lesson.day].remove(lesson)
        self.by_day[lesson.klass].setdefault(target, []).append(lesson)
        at = self._before(s, min(target, lesson.day), 15)
        lesson.changed, lesson.day, lesson.number = True, target, number
        reason = rng.choice(("Перенос по производственной необходимости",
                             "Перенос в связи с участием учителя в семинаре"))
        self.agenda.add(at, self.schools[s].admin_id, "move_lesson", self._lesson_change(
            lesson.key, partial(self.journal.move_lesson, day=target, reason=reason,
                                number=number, shift=lesson.shift)))

    def _quarantine(self, index: int, days: list[date]) -> None:
        """The class's lessons from Wednesday to Friday cancelled in one command."""
        closed = days[2:] or days[-1:]
        for day in closed:
            for lesson in self.by_day[index].get(day, ()):
                lesson.changed = lesson.cancelled = True
        school = self.classes[index].school
        self.agenda.add(self._before(school, closed[0], 18), self.schools[school].admin_id,
                        "cancel_lessons", self._cancel_lessons(index, closed[0], closed[-1]))

    # --- the end of a week: marks and homework pushed, some corrected ------------------

    def _flush(self, s: int) -> None:
        rng = self.rng
        batches, self.week_batches[s] = self.week_batches[s], []
        due = [b for b in batches if b.work in DUE_ON_LESSON_DAY]
        if due and not any(b.late for b in due):
            rng.choice(due).late = True  # every week, a few marks are placed late
        for batch in batches:
            self._push_marks(s, batch)
        if batches and (rng.random() < 0.3 or not self.fixed[(s, "mark_changed")]):
            self._correct(s, rng.choice(batches), change=True)
        if batches and (rng.random() < 0.15 or not self.fixed[(s, "mark_removed")]):
            self._correct(s, rng.choice(batches), change=False)
        tasks, self.week_homework[s] = self.week_homework[s], []
        if tasks and not any(task.timing == "late" for task in tasks):
            rng.choice(tasks).timing = "late"
        early = [task for task in tasks if task.timing == "on_time" and not task.lesson.changed
                 and self._early_at(task.lesson) is not None]
        if early and not any(task.timing == "too_early" for task in tasks):
            rng.choice(early).timing = "too_early"
        if tasks and not any(task.individual for task in tasks):
            rng.choice(tasks).individual = True
        for task in tasks:
            self._push_homework(task)
        ill, self.week_ill[s] = self.week_ill[s], []
        if ill and rng.random() < 0.6:
            lesson, student = rng.choice(ill)
            at = self.local(s, lesson.day + timedelta(days=1), 10, 0, 120)
            self.agenda.add(at, self.schools[s].admin_id, "override_attendance",
                            self._lesson_change(lesson.key, partial(
                                self.journal.override_attendance, student_id=student,
                                status=Attendance.EXCUSED, reason="Медицинская справка")))

    def _mark_time(self, lesson: _Lesson, late: bool) -> datetime:
        rng, school = self.rng, self.school_of(lesson)
        if late and school.shifts == 2:  # due by 13:00 the next day
            return self.after(lesson, lesson.day + timedelta(days=1), time(13, 20),
                              rng.uniform(0, 200))
        if late:
            if rng.random() < 0.5:
                return self.after(lesson, lesson.day, time(21, 10), rng.uniform(0, 120))
            return self.after(lesson, lesson.day + timedelta(days=1), time(7, 15),
                              rng.uniform(0, 60))
        end = lesson.end
        if rng.random() < 0.65 or end >= time(19, 0):
            return self.after(lesson, lesson.day, end, rng.uniform(1, 25))
        start = max(end.hour * 60 + end.minute + 30, 16 * 60 + 30)
        return self.after(lesson, lesson.day, time(0), rng.uniform(start, 20 * 60 + 45))

    def _grade(self, lesson: _Lesson, student: UUID, value: str, work: BuiltIn,
               sign: int = 1) -> None:
        """Count a mark (sign 1) or take it back (-1) for the period marks."""
        number = _value_number(value)
        if number is None:
            return
        weight = WEIGHTS[work]
        key = (lesson.klass, self._quarter(lesson.day), lesson.subject, student)
        sums = self.grades.setdefault(key, [Decimal(0), Decimal(0)])
        sums[0] += sign * number * weight
        sums[1] += sign * weight

    def _push_marks(self, s: int, batch: _Batch) -> None:
        lesson = batch.lesson
        batch.at = self._mark_time(lesson, batch.late)
        work = built_in_work_type_id(self.schools[s].id, batch.work)
        for student, value in batch.values:
            self._grade(lesson, student, value, batch.work)
        entries = [MarkEntry(student_id=student, work_type_id=work, value=value)
                   for student, value in batch.values]
        self.agenda.add(batch.at, lesson.keeper, "place_marks", self._place(lesson.key, entries))

    def _correct(self, s: int, batch: _Batch, change: bool) -> None:
        """A mark changed (a retake, a typo) or removed (the wrong student), a day or two
        after it was placed, by the teacher who placed it."""
        rng, lesson = self.rng, batch.lesson
        left = [(st, v) for st, v in batch.values if (lesson.key, st) not in self.want_ids]
        if not left or batch.at is None:
            return
        student, value = rng.choice(left)
        self.want_ids.add((lesson.key, student))
        at = batch.at + timedelta(days=rng.randint(1, 2), minutes=rng.uniform(0, 90))
        self.fixed[(s, "mark_changed" if change else "mark_removed")] += 1
        self._grade(lesson, student, value, batch.work, -1)
        if change:
            number = _value_number(value) or 3
            new = str(number + 1) if number < 5 else "4"
            self._grade(lesson, student, new, batch.work)
            reason = rng.choice(("Исправление ошибки при вводе оценки", "Пересдача работы",
                                 "Повторная проверка работы по заявлению родителей"))
            call = self._mark_fix(lesson.key, student, partial(
                self.journal.change_mark, value=new, reason=reason))
        else:
            reason = rng.choice(("Оценка выставлена не тому ученику",
                                 "Оценка выставлена ошибочно"))
            call = self._mark_fix(lesson.key, student, partial(
                self.journal.remove_mark, reason=reason))
        self.agenda.add(at, lesson.keeper, "change_mark" if change else "remove_mark", call)

    # --- homework ----------------------------------------------------------------------

    def _publish_at(self, lesson: _Lesson, timing: str) -> datetime:
        rng = self.rng
        if timing == "too_early":
            early = self._early_at(lesson)
            assert early is not None
            return early + timedelta(minutes=rng.uniform(0, 120))
        if timing == "late":
            days = rng.choice((1, 1, 2))
            return self.after(lesson, lesson.day + timedelta(days=days), time(14, 0),
                              rng.uniform(0, 300))
        if rng.random() < 0.6:
            return self.after(lesson, lesson.day, lesson.end, rng.uniform(0, 20))
        start = max(lesson.end.hour * 60 + lesson.end.minute + 20, 17 * 60)
        return self.after(lesson, lesson.day, time(0), rng.uniform(start, 21 * 60 + 30))

    def _push_homework(self, task: _Task) -> None:
        rng, lesson, roster = self.rng, task.lesson, task.roster
        series = self.series[(lesson.klass, lesson.group, lesson.subject)]
        due = next((d for d in series if d > lesson.day), lesson.day + timedelta(days=7))
        individual: tuple[UUID, ...] = ()
        if task.individual:
            individual = tuple(rng.sample(roster, min(len(roster), rng.randint(1, 2))))
        needs_checking = rng.random() < 0.15
        spec = HomeworkSpec(text=self._text(lesson, bool(individual)), due_date=due,
                            student_ids=individual, needs_checking=needs_checking,
                            duration_minutes=rng.choice((None, 15, 20, 30, 40)))
        self.homework_count += 1
        number = self.homework_count
        at = self._publish_at(lesson, task.timing)
        actor = lesson.teacher if task.timing == "too_early" else lesson.keeper
        self.agenda.add(at, actor, "assign_homework",
                        self._assign_homework(lesson.key, spec, number))
        if needs_checking and not individual and self.classes[lesson.klass].parallel >= 3 \
                and rng.random() < 0.3:
            for student in rng.sample(roster, min(len(roster), rng.randint(2, 4))):
                self._work(lesson, number, student, at)

    def _work(self, lesson: _Lesson, number: int, student: UUID, published: datetime) -> None:
        """A student's steps through the homework, and the teacher's check or return."""
        rng, teacher, journal = self.rng, lesson.keeper, self.journal
        steps: list[tuple[str, UUID, Callable[[Command, UUID], object]]] = [
            ("start_homework", student, lambda c, h: journal.start_homework(c, h, student)),
            ("submit_homework", student, lambda c, h: journal.submit_homework(c, h, student)),
        ]
        if rng.random() < 0.25:
            steps += [
                ("return_homework", teacher, lambda c, h: journal.return_homework(
                    c, h, student, "Исправьте ошибки в задании 2")),
                ("comment_homework", student, lambda c, h: journal.comment_homework(
                    c, h, student, "Исправил(а), отправляю ещё раз")),
                ("start_homework", student, lambda c, h: journal.start_homework(c, h, student)),
                ("submit_homework", student,
                 lambda c, h: journal.submit_homework(c, h, student)),
            ]
        steps.append(("check_homework", teacher,
                      lambda c, h: journal.check_homework(c, h, student)))
        at = published + timedelta(hours=rng.uniform(2, 20))
        for name, actor, step in steps:
            self.agenda.add(at, actor, name, self._step(number, step))
            at += timedelta(minutes=rng.uniform(20, 600) if actor == teacher
                            else rng.uniform(10, 90))

    def _text(self, lesson: _Lesson, individual: bool) -> str:
        rng = self.rng
        n = self.texts[(lesson.klass, lesson.group, lesson.subject)]
        paragraph, page, exercise = n // 2 + 1, 5 + 3 * n, 10 + 4 * n
        if individual:
            return rng.choice((f"Работа над ошибками, карточка № {n % 20 + 1}",
                               f"Индивидуальное задание: упр. {exercise + 1}"))
        options = _HOMEWORK.get(lesson.subject, ("Повторить материал урока",))
        return rng.choice(options).format(p=paragraph, page=page, n=exercise,
                                          n2=exercise + 2, page2=page + 4, u=paragraph // 4 + 1)

    # --- period and annual marks -------------------------------------------------------

    def _period_marks(self, q: int, last: date) -> None:
        """The day after the quarter's last school day: the weighted average, rounded, for
        each student of the class (or English subgroup) with marks in the subject."""
        quarter = self.calendar.quarters[q]
        for index, klass in enumerate(self.classes):
            if klass.parallel < 2:
                continue
            table = self.timetables[klass.school]
            for subject, _hours in tt.CURRICULUM[klass.parallel]:
                groups = (1, 2) if subject == tt.ENGLISH and self._split(index) else (0,)
                for group in groups:
                    marks = {}
                    for student in self.roster(index, group, last):
                        sums = self.grades.get((index, q, subject, student))
                        if sums and sums[1] > 0:
                            marks[student] = _rounded(sums[0], sums[1])
                            self.finals.setdefault((index, subject, student), []).append(
                                int(marks[student]))
                    if marks:
                        teacher = table.teachers.get((self._position(index), group, subject),
                                                     klass.homeroom_id)
                        at = self.local(klass.school, last + timedelta(days=1), 10, 0, 240)
                        self.agenda.add(at, teacher, "set_period_marks",
                                        self._period(index, subject, quarter, marks))
        if q == len(self.calendar.quarters) - 1:
            self._annual_marks(last)

    def _annual_marks(self, last: date) -> None:
        per_class: dict[tuple[int, str], dict[UUID, str]] = {}
        current = {index: set(self.roster(index, 0, last)) for index in range(len(self.classes))}
        for (index, subject, student), values in self.finals.items():
            if student in current[index]:
                per_class.setdefault((index, subject), {})[student] = _rounded(
                    Decimal(sum(values)), Decimal(len(values)))
        for (index, subject), marks in per_class.items():
            klass = self.classes[index]
            at = self.local(klass.school, last + timedelta(days=2), 11, 0, 240)
            self.agenda.add(at, klass.homeroom_id, "set_annual_marks",
                            self._annual(index, subject, marks))

    def _position(self, index: int) -> int:
        school = self.classes[index].school
        return [i for i, c in enumerate(self.classes) if c.school == school].index(index)

    # --- the commands, as calls run when their date comes ------------------------------

    def _open_year(self, s: int) -> Call:
        school, calendar = self.schools[s], self.calendar
        bells = {shift: tt.BELLS[shift] for shift in range(1, school.shifts + 1)}

        def call(command: Command) -> None:
            self.journal.open_academic_year(
                command, school.id, self.year, AttestationKind.QUARTERS, calendar.quarters,
                calendar.quarters, calendar.holidays, bells, PERIOD_MARKS_LEAD_DAYS)

        return call

    def _add_subject(self, s: int, name: str, short: str) -> Call:
        def call(command: Command) -> None:
            outcome = self.journal.add_subject(command, self.schools[s].id, name, short)
            self.subject_ids[(s, name)] = UUID(outcome.answer["subject_id"])

        return call

    def _open_subgroup(self, index: int, group: int) -> Call:
        def call(command: Command) -> None:
            outcome = self.journal.open_subgroup(command, self.classes[index].id,
                                                 SUBGROUP_NAMES[group - 1])
            self.group_ids[(index, group)] = UUID(outcome.answer["id"])

        return call

    def _enrol(self, index: int, group: int, student: UUID, on: date) -> Call:
        return lambda command: self.journal.enrol_student(
            command, self.group_ids[(index, group)], student, on)

    def _release(self, index: int, group: int, student: UUID, on: date, reason: str) -> Call:
        return lambda command: self.journal.release_student(
            command, self.group_ids[(index, group)], student, on, reason)

    def _transfer(self, move: RosterMove) -> Call:
        assert move.target is not None
        source, target = self.classes[move.source].id, self.classes[move.target].id
        return lambda command: self.journal.transfer_student(
            command, move.student_id, source, target, move.on, move.reason)

    def _assign(self, index: int, group: int, subject: str, teacher: UUID) -> Call:
        school = self.classes[index].school
        return lambda command: self.journal.assign_teacher(
            command, self.group_ids[(index, group)], self.subject_ids[(school, subject)],
            teacher, date(self.year, 9, 1))

    def _generate(self, index: int, slots: list[Slot], start: date, end: date) -> Call:
        klass = self.classes[index]

        def call(command: Command) -> None:
            timetable = [
                TimetableSlot(weekday=slot.weekday, number=slot.number,
                              subject_id=self.subject_ids[(klass.school, slot.subject)],
                              group_id=self.group_ids[(index, slot.group)] if slot.group
                              else None, room=slot.room, shift=slot.shift)
                for slot in slots
            ]
            outcome = self.journal.generate_lessons(command, klass.id, start, end, timetable)
            expected = [(day, slot) for day in self.school_days(start, end) for slot in slots
                        if slot.weekday == day.isoweekday()]
            ids = outcome.answer["lesson_ids"]
            if len(ids) != len(expected):
                raise RuntimeError(f"generate_lessons made {len(ids)} lessons, the demo "
                                   f"planned {len(expected)}")
            for (day, slot), lesson_id in zip(expected, ids, strict=True):
                self.lesson_ids[(index, slot.group, day, slot.number)] = UUID(lesson_id)
            self.counts["lessons"] += len(ids)

        return call

    def _lesson_change(self, key: LessonKey, change: Callable[[Command, UUID], object]) -> Call:
        def call(command: Command) -> None:
            change(command, self.lesson_ids[key])

        return call

    def _attendance(self, key: LessonKey, entries: dict[UUID, Attendance]) -> Call:
        def call(command: Command) -> None:
            self.journal.record_attendance(command, self.lesson_ids[key], entries)
            self.counts["absences"] += sum(a is not Attendance.LATE for a in entries.values())

        return call

    def _place(self, key: LessonKey, entries: list[MarkEntry]) -> Call:
        def call(command: Command) -> None:
            outcome = self.journal.place_marks(command, self.lesson_ids[key], entries)
            for mark in outcome.answer["marks"]:
                student = UUID(mark["student_id"])
                if (key, student) in self.want_ids:
                    self.mark_ids[(key, student)] = UUID(mark["id"])
                self.counts["late_marks"] += bool(mark["late"])
            self.counts["marks"] += len(entries)

        return call

    def _mark_fix(self, key: LessonKey, student: UUID,
                  fix: Callable[[Command, UUID, UUID], object]) -> Call:
        def call(command: Command) -> None:
            fix(command, self.lesson_ids[key], self.mark_ids.pop((key, student)))

        return call

    def _assign_homework(self, key: LessonKey, spec: HomeworkSpec, number: int) -> Call:
        def call(command: Command) -> None:
            outcome = self.journal.assign_homework(command, self.lesson_ids[key], spec)
            self.homework_ids[number] = UUID(outcome.answer["id"])
            self.counts[f"homework_{outcome.answer['timeliness']}"] += 1

        return call

    def _step(self, number: int, step: Callable[[Command, UUID], object]) -> Call:
        return lambda command: step(command, self.homework_ids[number])

    def _cancel_lessons(self, index: int, start: date, end: date) -> Call:
        def call(command: Command) -> None:
            outcome = self.journal.cancel_lessons(command, self.classes[index].id, start, end,
                                                  "Карантин по ОРВИ (приказ директора)")
            self.counts["lessons_cancelled"] += int(outcome.answer["count"])

        return call

    def _annual(self, index: int, subject: str, marks: dict[UUID, str]) -> Call:
        klass = self.classes[index]

        def call(command: Command) -> None:
            self.journal.set_annual_marks(command, klass.id,
                                          self.subject_ids[(klass.school, subject)], marks)
            self.counts["annual_marks"] += len(marks)

        return call

    def _period(self, index: int, subject: str, quarter: Period,
                marks: dict[UUID, str]) -> Call:
        klass = self.classes[index]

        def call(command: Command) -> None:
            self.journal.set_period_marks(command, klass.id,
                                          self.subject_ids[(klass.school, subject)],
                                          quarter.name, marks)
            self.counts["period_marks"] += len(marks)

        return call


@contextmanager
def cached_aggregates(journal: Journal, size: int = 4096) -> Iterator[None]:
    """Keep the aggregates the demo's commands load (the schools, classes, catalogues and
    this week's lessons) between commands while the demo loads: the library's aggregate
    cache (AGGREGATE_CACHE_MAXSIZE), a cached aggregate brought up to date from the log
    before each use. Not copied, which halves the demo's time: a command that failed could
    leave unsaved changes in a cached aggregate, but a failed demo command ends the load and
    the cache with it. Nothing changes if the journal caches already."""
    repository = journal.repository
    if repository.cache is not None:
        yield
        return
    repository.cache, repository.deepcopy_from_cache = LRUCache(maxsize=size), False
    try:
        yield
    finally:
        repository.cache, repository.deepcopy_from_cache = None, True


_HOMEWORK: dict[str, tuple[str, ...]] = {
    "Русский язык": ("Упр. {n}, выучить правило на с. {page}", "§ {p}, упр. {n}, {n2}",
                     "Словарные слова на с. {page}, упр. {n}"),
    "Литература": ("Прочитать с. {page}–{page2}", "Ответить на вопросы на с. {page}",
                   "Выучить стихотворение наизусть (с. {page})"),
    "Математика": ("№ {n}, {n2}", "§ {p}, № {n}–{n2}", "С. {page}, № {n}"),
    "Алгебра": ("§ {p}, № {n}, {n2}", "Повторить формулы § {p}, № {n}"),
    "Геометрия": ("П. {p}, задачи {n}, {n2}", "Выучить теорему п. {p}, задача {n}"),
    "Физика": ("§ {p}, упр. {p}", "§ {p}, задачи {n}, {n2}"),
    "Химия": ("§ {p}, вопросы 1–4", "§ {p}, задача {n}"),
    "Биология": ("§ {p}, заполнить таблицу", "§ {p}, вопросы после параграфа"),
    "История": ("§ {p}, вопросы после параграфа", "§ {p}, хронологическая таблица"),
    "География": ("§ {p}, контурная карта", "§ {p}, вопросы на с. {page}"),
    tt.ENGLISH: ("Ex. {n} p. {page}", "Выучить слова Unit {u}", "Ex. {n}, {n2} p. {page}"),
    "Информатика": ("§ {p}, задание {n}", "§ {p}, вопросы 1–5"),
    "Окружающий мир": ("С. {page}–{page2}, ответить на вопросы", "Рабочая тетрадь, с. {page}"),
    tt.SPORT: ("Комплекс утренней зарядки",),
    "Музыка": ("Выучить слова песни",),
    "ИЗО": ("Закончить рисунок", "Принести альбом и гуашь"),
    "Технология": ("Подготовить материалы к проекту", "Закончить изделие"),
}


def fill_journal(
    journal: Journal, schools: Sequence[DemoSchool], classes: Sequence[DemoClass],
    moves: Sequence[RosterMove], *, year: int, weeks: int, seed: int,
    done: Callable[[int], None], now: datetime | None = None, explicit_year: bool = False,
) -> JournalSummary:
    """Plan the year and run its commands in date order; the lessons' span is `weeks` weeks
    of school from 1 September (cut at a week before `now` when the year was given)."""
    now = now or datetime.now(UTC)
    span = tt.lesson_span(tt.school_calendar(year), weeks)
    if span is not None and explicit_year:
        last = min(span[1], now.date() - timedelta(days=tt.AFTERMATH_DAYS))
        span = (span[0], last) if last >= span[0] else None
    agenda = _Agenda(now, done)
    planner = _Year(journal, schools, classes, moves, year, span,
                    random.Random(f"zhurnal-demo-journal/{seed}"), agenda)
    planner.plan()
    agenda.run_until(None)
    return JournalSummary(year, span[0] if span else None, span[1] if span else None,
                          agenda.counts)
