"""AcademicYear of a school: attestation and study periods, holidays, bells per shift."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.edugroup import academic_year_bounds
from domain.errors import InvalidValue, NotFound, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/academic-year")
MAX_LESSON_NUMBER = 15  # lesson 0 («нулевой урок») to 15
MAX_PERIOD_MARK_LEAD_DAYS = 31


class AcademicYearNotFound(NotFound):
    pass


class AttestationKind(StrEnum):
    QUARTERS = "quarters"
    TRIMESTERS = "trimesters"
    HALF_YEARS = "half_years"

    @property
    def periods(self) -> int:
        return {"quarters": 4, "trimesters": 3, "half_years": 2}[self.value]


class Period(msgspec.Struct, frozen=True):
    """A named span of days, both ends inclusive: a quarter, a study period, a holiday."""

    name: str
    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


class Bell(msgspec.Struct, frozen=True):
    """Lesson `number` of a shift runs from `start` to `end` (school local time)."""

    number: int
    start: time
    end: time


def academic_year_id(school_id: UUID, year: int) -> UUID:
    return uuid5(_NAMESPACE, f"{school_id}/{year}")


def check_in_year(day: date, year: int, field: str) -> None:
    """Refuse a day outside the academic year `year`/`year+1` (1 Sep..31 Aug)."""
    first, last = academic_year_bounds(year)
    if not first <= day <= last:
        raise InvalidValue(field, f"the date is outside the academic year "
                                  f"{first:%d.%m.%Y}-{last:%d.%m.%Y}")


def validated_lesson_time(number: int, start: time, end: time, where: str = "") -> None:
    """A lesson number 0-15 and a start before the end; `where` prefixes the field names."""
    if not 0 <= number <= MAX_LESSON_NUMBER:
        raise InvalidValue(f"{where}number", f"a lesson number is 0-{MAX_LESSON_NUMBER}")
    if end <= start:
        raise InvalidValue(f"{where}end", "a lesson ends after it starts")


def validated_periods(periods: Sequence[Period], year: int, field: str) -> tuple[Period, ...]:
    """Named, inside 1 Sep..31 Aug, each start <= end, none overlapping; sorted by start."""
    first, last = academic_year_bounds(year)
    cleaned = sorted(
        (Period(period.name.strip(), period.start, period.end) for period in periods),
        key=lambda period: period.start,
    )
    names: set[str] = set()
    for index, period in enumerate(cleaned):
        where = f"{field}[{index}]"
        if not period.name:
            raise InvalidValue(f"{where}.name", "a period needs a name")
        if period.name.lower() in names:
            raise InvalidValue(f"{where}.name", f"the name {period.name!r} is used twice")
        names.add(period.name.lower())
        if period.end < period.start:
            raise InvalidValue(f"{where}.end", "a period ends on or after its start")
        if period.start < first or period.end > last:
            raise InvalidValue(where, f"{period.name} is outside the academic year "
                                      f"{first:%d.%m.%Y}-{last:%d.%m.%Y}")
        if index and cleaned[index - 1].end >= period.start:
            raise InvalidValue(where, f"{period.name} overlaps {cleaned[index - 1].name}")
    return tuple(cleaned)


def validated_bells(shift: int, bells: Sequence[Bell]) -> tuple[Bell, ...]:
    """Lesson numbers 0-15, each once, each lesson ending before the next one starts."""
    if shift not in (1, 2):
        raise InvalidValue("shift", "a school works in one or two shifts")
    ordered = sorted(bells, key=lambda bell: bell.number)
    for index, bell in enumerate(ordered):
        where = f"bells[{index}]"
        validated_lesson_time(bell.number, bell.start, bell.end, f"{where}.")
        if index and ordered[index - 1].number == bell.number:
            raise InvalidValue(f"{where}.number", f"lesson {bell.number} is given twice")
        if index and ordered[index - 1].end > bell.start:
            raise InvalidValue(f"{where}.start", f"lesson {bell.number} starts before the "
                               f"previous one ends")
    return tuple(ordered)


class AcademicYear(JournalAggregate):
    """One per school and year (id derived from both)."""

    @staticmethod
    def create_id(school_id: UUID, year: int) -> UUID:
        return academic_year_id(school_id, year)

    @event("Opened")
    def __init__(self, school_id: UUID, year: int) -> None:
        self.school_id = school_id
        self.year = year
        self.attestation_kind: AttestationKind | None = None
        self.attestation_periods: tuple[Period, ...] = ()
        self.study_periods: tuple[Period, ...] = ()
        self.holidays: tuple[Period, ...] = ()
        self.bells: dict[int, tuple[Bell, ...]] = {}
        self.period_marks_lead_days = 0

    @classmethod
    def open(cls, school_id: UUID, year: int) -> AcademicYear:
        if not 2000 <= year <= 2100:
            raise InvalidValue("year", "the academic year is its first calendar year")
        return cls(school_id=school_id, year=year)

    @property
    def bounds(self) -> tuple[date, date]:
        return academic_year_bounds(self.year)

    def set_attestation_periods(self, kind: AttestationKind, periods: Sequence[Period]) -> None:
        periods = validated_periods(periods, self.year, "periods")
        if len(periods) != kind.periods:
            raise InvalidValue("periods", f"{kind.value} are {kind.periods} periods")
        if (kind, periods) != (self.attestation_kind, self.attestation_periods):
            self._attestation_periods_set(kind=kind, periods=periods)

    @event("AttestationPeriodsSet")
    def _attestation_periods_set(self, kind: AttestationKind, periods: tuple[Period, ...]) -> None:
        self.attestation_kind, self.attestation_periods = kind, periods

    def set_study_periods(self, periods: Sequence[Period]) -> None:
        periods = validated_periods(periods, self.year, "periods")
        if periods != self.study_periods:
            self._study_periods_set(periods=periods)

    @event("StudyPeriodsSet")
    def _study_periods_set(self, periods: tuple[Period, ...]) -> None:
        self.study_periods = periods

    def set_holidays(self, holidays: Sequence[Period]) -> None:
        holidays = validated_periods(holidays, self.year, "holidays")
        if holidays != self.holidays:
            self._holidays_set(holidays=holidays)

    @event("HolidaysSet")
    def _holidays_set(self, holidays: tuple[Period, ...]) -> None:
        self.holidays = holidays

    def set_bell_schedule(self, shift: int, bells: Sequence[Bell]) -> None:
        bells = validated_bells(shift, bells)
        if bells != self.bells.get(shift):
            self._bell_schedule_set(shift=shift, bells=bells)

    @event("BellScheduleSet")
    def _bell_schedule_set(self, shift: int, bells: tuple[Bell, ...]) -> None:
        self.bells[shift] = bells

    def set_period_marks_lead_days(self, days: int) -> None:
        """Period marks may be put from `days` days before the period's end."""
        if not 0 <= days <= MAX_PERIOD_MARK_LEAD_DAYS:
            raise InvalidValue("days", f"0 to {MAX_PERIOD_MARK_LEAD_DAYS} days")
        if days != self.period_marks_lead_days:
            self._period_marks_lead_days_set(days=days)

    @event("PeriodMarksLeadDaysSet")
    def _period_marks_lead_days_set(self, days: int) -> None:
        self.period_marks_lead_days = days

    # --- questions the other rules ask -------------------------------------------------

    def attestation_period(self, name: str, field: str = "period") -> Period:
        for period in self.attestation_periods:
            if period.name.lower() == name.strip().lower():
                return period
        raise RuleViolated(f"the academic year has no attestation period {name!r}",
                           {field: "unknown period"})

    def period_marks_open_on(self, period: Period) -> date:
        return period.end - timedelta(days=self.period_marks_lead_days)

    def is_holiday(self, day: date) -> bool:
        return any(holiday.covers(day) for holiday in self.holidays)

    def is_study_day(self, day: date) -> bool:
        """Not a holiday and, when study periods are set, inside one of them."""
        if not self.bounds[0] <= day <= self.bounds[1] or self.is_holiday(day):
            return False
        return not self.study_periods or any(p.covers(day) for p in self.study_periods)

    def bell(self, shift: int, number: int) -> Bell | None:
        return next((bell for bell in self.bells.get(shift, ()) if bell.number == number), None)
