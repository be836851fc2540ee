"""The demo's school year: quarters, holidays and bells, subjects by parallel, who teaches what,
and a weekly timetable per class in which no teacher is in two places at once.

Pure planning from a seeded random generator: nothing here touches the journal.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from uuid import UUID

from domain.calendar import Bell, Period
from domain.edugroup import academic_year_bounds

ENGLISH = "Английский язык"
SPORT = "Физкультура"
GYM = "Спортзал"
# (name, short name, the speciality of the teachers who teach it)
SUBJECTS: tuple[tuple[str, str, str], ...] = (
    ("Русский язык", "Рус. яз.", "russian"),
    ("Литература", "Лит.", "russian"),
    ("Математика", "Мат.", "maths"),
    ("Алгебра", "Алг.", "maths"),
    ("Геометрия", "Геом.", "maths"),
    ("Физика", "Физ.", "physics"),
    ("Химия", "Хим.", "nature"),
    ("Биология", "Биол.", "nature"),
    ("История", "Ист.", "history"),
    ("География", "Геогр.", "history"),
    (ENGLISH, "Англ. яз.", "english"),
    ("Информатика", "Информ.", "physics"),
    (SPORT, "Физ-ра", "sport"),
    ("Музыка", "Муз.", "arts"),
    ("ИЗО", "ИЗО", "arts"),
    ("Окружающий мир", "Окр. мир", "primary"),
    ("Технология", "Техн.", "arts"),
)
SPECIALITY = {name: speciality for name, _short, speciality in SUBJECTS}
# In the primary school (1-4) the homeroom teacher teaches these; specialists the rest.
HOMEROOM_SUBJECTS = frozenset({"Русский язык", "Литература", "Математика", "Окружающий мир",
                               "ИЗО", "Технология"})
ENGLISH_SUBGROUPS_FROM = 5  # English in two subgroups from the 5th parallel on


def _hours(text: str) -> tuple[tuple[str, int], ...]:
    """'Русский язык 5, Литература 4' -> (('Русский язык', 5), ('Литература', 4))."""
    pairs = (item.strip().rsplit(" ", 1) for item in text.split(","))
    return tuple((name, int(hours)) for name, hours in pairs)


_PRIMARY = ("Русский язык 5, Литература 4, Математика 4, Окружающий мир 2, Физкультура 2, "
            "Музыка 1, ИЗО 1, Технология 1")
# Weekly hours by parallel (a five-day week): 20 in the 1st grade to 29 in the 9th.
CURRICULUM: dict[int, tuple[tuple[str, int], ...]] = {
    1: _hours(_PRIMARY),
    2: _hours(_PRIMARY + ", Английский язык 2"),
    3: _hours(_PRIMARY + ", Английский язык 2"),
    4: _hours(_PRIMARY + ", Английский язык 2"),
    5: _hours("Русский язык 5, Литература 3, Математика 5, История 2, География 1, "
              "Биология 1, Английский язык 3, Физкультура 2, Музыка 1, ИЗО 1, Технология 2"),
    6: _hours("Русский язык 6, Литература 3, Математика 5, История 2, География 1, "
              "Биология 1, Английский язык 3, Физкультура 2, Музыка 1, ИЗО 1, Технология 2"),
    7: _hours("Русский язык 4, Литература 2, Алгебра 3, Геометрия 2, Физика 2, Биология 1, "
              "История 2, География 2, Английский язык 3, Информатика 1, Физкультура 2, "
              "Музыка 1, ИЗО 1, Технология 2"),
    8: _hours("Русский язык 3, Литература 2, Алгебра 3, Геометрия 2, Физика 2, Химия 2, "
              "Биология 2, История 2, География 2, Английский язык 3, Информатика 1, "
              "Физкультура 2, Музыка 1, Технология 1"),
    9: _hours("Русский язык 3, Литература 3, Алгебра 3, Геометрия 2, Физика 3, Химия 2, "
              "Биология 2, История 3, География 2, Английский язык 3, Информатика 1, "
              "Физкультура 2"),
    10: _hours("Русский язык 2, Литература 3, Алгебра 4, Геометрия 3, Физика 2, Химия 1, "
               "Биология 1, История 2, География 1, Английский язык 3, Информатика 1, "
               "Физкультура 2"),
    11: _hours("Русский язык 2, Литература 3, Алгебра 4, Геометрия 3, Физика 2, Химия 1, "
               "Биология 1, История 2, География 1, Английский язык 3, Информатика 1, "
               "Физкультура 2"),
}
# The second shift of a two-shift school: these parallels study in the afternoon.
SECOND_SHIFT_PARALLELS = frozenset({2, 3, 4, 6, 7})


def _bells(first: str, breaks: Sequence[int]) -> tuple[Bell, ...]:
    """45-minute lessons from `first` ('08:30'), with the breaks (minutes) after each."""
    start, bells = time.fromisoformat(first), []
    minutes = start.hour * 60 + start.minute
    for number, pause in enumerate(breaks, start=1):
        begin, end = minutes, minutes + 45
        bells.append(Bell(number, time(begin // 60, begin % 60), time(end // 60, end % 60)))
        minutes = end + pause
    return tuple(bells)


BELLS: dict[int, tuple[Bell, ...]] = {
    1: _bells("08:30", (10, 20, 20, 10, 10, 10, 10)),
    2: _bells("13:30", (10, 20, 20, 10, 10, 10, 10)),
}
LAST_NUMBER = 7  # a lesson moved to the end of a day takes at most number 7


def bell(shift: int, number: int) -> Bell:
    return BELLS[shift][number - 1]


def shift_of(parallel: int, shifts: int) -> int:
    return 2 if shifts == 2 and parallel in SECOND_SHIFT_PARALLELS else 1


# --- the calendar ------------------------------------------------------------------------


def _saturday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 5) % 7)


@dataclass(frozen=True)
class Calendar:
    """Quarters (also the study periods), holidays; a school day is a weekday of a quarter
    that is not a holiday (the domain's study day, Saturdays and Sundays left out)."""

    year: int
    quarters: tuple[Period, ...]
    holidays: tuple[Period, ...]

    def is_study_day(self, day: date) -> bool:
        """As the domain's `AcademicYear.is_study_day` with these periods."""
        first, last = academic_year_bounds(self.year)
        if not first <= day <= last or any(h.covers(day) for h in self.holidays):
            return False
        return any(q.covers(day) for q in self.quarters)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.is_study_day(day)

    def last_school_day(self, quarter: Period) -> date:
        day = quarter.end
        while not self.is_school_day(day):
            day -= timedelta(days=1)
        return day


def school_calendar(year: int) -> Calendar:
    """Quarters and holidays of the year `year`/`year+1` as most Russian regions have them:
    34 or 35 school weeks, each quarter from a Monday (but the first) to a Friday."""
    autumn = _saturday_on_or_before(date(year, 10, 26))
    winter = _saturday_on_or_before(date(year, 12, 30))
    spring = _saturday_on_or_before(date(year + 1, 3, 28))
    holidays = (
        Period("Осенние каникулы", autumn, autumn + timedelta(days=8)),
        Period("День народного единства", date(year, 11, 4), date(year, 11, 4)),
        Period("Зимние каникулы", winter, winter + timedelta(days=15)),
        Period("День защитника Отечества", date(year + 1, 2, 23), date(year + 1, 2, 23)),
        Period("Международный женский день", date(year + 1, 3, 8), date(year + 1, 3, 8)),
        Period("Весенние каникулы", spring, spring + timedelta(days=8)),
        Period("Праздник Весны и Труда", date(year + 1, 5, 1), date(year + 1, 5, 1)),
        Period("День Победы", date(year + 1, 5, 9), date(year + 1, 5, 9)),
    )
    quarters = (
        Period("1 четверть", date(year, 9, 1), autumn - timedelta(days=1)),
        Period("2 четверть", autumn + timedelta(days=9), winter - timedelta(days=1)),
        Period("3 четверть", winter + timedelta(days=16), spring - timedelta(days=1)),
        Period("4 четверть", spring + timedelta(days=9),
               _saturday_on_or_before(date(year + 1, 5, 28)) - timedelta(days=1)),
    )
    return Calendar(year, quarters, holidays)


def lesson_span(calendar: Calendar, weeks: int) -> tuple[date, date] | None:
    """From 1 September to the last school day of the `weeks`-th week that has school days
    (a week of holidays does not count); None for no weeks."""
    first, year_end = academic_year_bounds(calendar.year)
    monday, counted, last = first - timedelta(days=first.weekday()), 0, None
    while counted < weeks and monday <= year_end:
        days = [d for d in (monday + timedelta(days=i) for i in range(5))
                if first <= d and calendar.is_school_day(d)]
        if days:
            counted, last = counted + 1, days[-1]
        monday += timedelta(days=7)
    return (first, last) if last is not None else None


AFTERMATH_DAYS = 7  # late marks, late homework and its checking follow the last lesson day


def default_academic_year(weeks: int, today: date) -> int:
    """The latest academic year whose `weeks` weeks of lessons, and the few days of journal
    keeping after them, are over by `today`."""
    year = today.year if today >= date(today.year, 9, 1) else today.year - 1
    while year > 2000:
        span = lesson_span(school_calendar(year), weeks)
        if span is None or span[1] + timedelta(days=AFTERMATH_DAYS) < today:
            return year
        year -= 1
    return year


# --- timetables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A weekly lesson of a class (group 0) or one of its English subgroups (1, 2)."""

    weekday: int
    number: int
    subject: str
    group: int
    teacher: UUID
    room: str
    shift: int


@dataclass(frozen=True)
class ClassNeeds:
    parallel: int
    homeroom: UUID
    split: bool  # English in two subgroups


@dataclass
class SchoolTimetable:
    slots: list[list[Slot]]  # per class, in the order they are given to `generate_lessons`
    teachers: dict[tuple[int, int, str], UUID]  # (class, group, subject) -> teacher
    rooms: dict[UUID, str]
    specialities: dict[UUID, set[str]]
    busy: set[tuple[int, int, int, UUID]] = field(default_factory=set)  # shift, day, n, who
    clashes: int = 0  # a teacher in two places at once (none, unless the staff is too small)

    def free(self, teacher: UUID, shift: int, weekday: int, number: int) -> bool:
        return (shift, weekday, number, teacher) not in self.busy


Item = tuple[str, tuple[tuple[int, UUID], ...]]  # subject, (group, teacher) per parallel room


def plan_timetable(rng: random.Random, classes: Sequence[ClassNeeds], teachers: Sequence[UUID],
                   shifts: int) -> SchoolTimetable:
    """Who teaches what to whom (subject teachers by speciality, the load spread), then each
    class's week: 5 days of 4-6 lessons, a subject at most twice a day, no teacher clash."""
    rooms = {teacher: f"{1 + i // 12}{i % 12 + 1:02d}" for i, teacher in enumerate(teachers)}
    homerooms = {needs.homeroom for needs in classes if needs.parallel <= 4}
    pool = [t for t in teachers if t not in homerooms] or list(teachers)
    specialities = _specialities(classes, pool)
    table = SchoolTimetable([], {}, rooms, {t: set() for t in teachers})
    for teacher, subjects in specialities.items():
        table.specialities[teacher] |= subjects
    for homeroom in homerooms:
        table.specialities[homeroom].add("primary")
    load: Counter[UUID] = Counter()
    for index, needs in enumerate(classes):
        items: list[Item] = []
        for subject, hours in CURRICULUM[needs.parallel]:
            groups = (1, 2) if subject == ENGLISH and needs.split else (0,)
            pairs: list[tuple[int, UUID]] = []
            for group in groups:
                if needs.parallel <= 4 and subject in HOMEROOM_SUBJECTS:
                    teacher = needs.homeroom
                else:
                    able = [t for t in pool if SPECIALITY[subject] in specialities[t]] or pool
                    taken = {t for _g, t in pairs}
                    teacher = min((t for t in able if t not in taken), default=able[0],
                                  key=lambda t: load[t])
                load[teacher] += hours
                table.teachers[(index, group, subject)] = teacher
                pairs.append((group, teacher))
            items += [(subject, tuple(pairs))] * hours
        table.slots.append(_week(rng, table, items, shift_of(needs.parallel, shifts)))
    return table


def _specialities(classes: Sequence[ClassNeeds], pool: Sequence[UUID]) -> dict[UUID, set[str]]:
    """Each subject teacher's specialities: every speciality someone, the busiest more."""
    hours: Counter[str] = Counter()
    for needs in classes:
        for subject, count in CURRICULUM[needs.parallel]:
            if needs.parallel > 4 or subject not in HOMEROOM_SUBJECTS:
                split = subject == ENGLISH and needs.split
                hours[SPECIALITY[subject]] += count * (2 if split else 1)
    ranked = [name for name, _ in hours.most_common()]
    found: dict[UUID, set[str]] = {teacher: set() for teacher in pool}
    if not ranked:
        return found
    if len(pool) < len(ranked):  # a small staff: each teaches several specialities
        for i, name in enumerate(ranked):
            found[pool[i % len(pool)]].add(name)
        return found
    staffed: Counter[str] = Counter()
    for teacher in pool:
        name = (ranked[len(staffed)] if len(staffed) < len(ranked)
                else max(ranked, key=lambda n: hours[n] / staffed[n]))
        staffed[name] += 1
        found[teacher].add(name)
    return found


def _week(rng: random.Random, table: SchoolTimetable, items: list[Item],
          shift: int) -> list[Slot]:
    """The best of a few randomised greedy fillings of the class's week."""
    base, extra = divmod(len(items), 5)
    lengths = [base + (day < extra) for day in range(5)]
    best: tuple[int, list[tuple[int, int, Item]]] | None = None
    for _attempt in range(25):
        placed, faults = _fill(rng, table, items, lengths, shift)
        if best is None or faults < best[0]:
            best = (faults, placed)
        if not faults:
            break
    assert best is not None
    slots = []
    for weekday, number, (subject, pairs) in best[1]:
        for group, teacher in pairs:
            if not table.free(teacher, shift, weekday, number):
                table.clashes += 1
            table.busy.add((shift, weekday, number, teacher))
            room = GYM if subject == SPORT else table.rooms[teacher]
            slots.append(Slot(weekday, number, subject, group, teacher, room, shift))
    return slots


def _fill(rng: random.Random, table: SchoolTimetable, items: list[Item], lengths: list[int],
          shift: int) -> tuple[list[tuple[int, int, Item]], int]:
    remaining = Counter(items)
    placed: list[tuple[int, int, Item]] = []
    faults = 0
    for day, length in enumerate(lengths, start=1):
        today: Counter[str] = Counter()
        for number in range(1, length + 1):
            def faults_of(item: Item, day: int = day, number: int = number,
                          today: Counter[str] = today) -> tuple[bool, bool]:
                clash = any(not table.free(t, shift, day, number) for _g, t in item[1])
                return clash, today[item[0]] >= 2

            def cost(item: Item, today: Counter[str] = today) -> tuple[int, float]:
                clash, third = faults_of(item)
                return (100 * clash + 10 * third + 3 * today[item[0]] - remaining[item],
                        rng.random())

            item = min((i for i in remaining if remaining[i] > 0), key=cost)
            faults += sum(faults_of(item))
            remaining[item] -= 1
            today[item[0]] += 1
            placed.append((day, number, item))
    return placed, faults
