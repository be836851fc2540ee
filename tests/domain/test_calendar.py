"""The academic year: attestation and study periods, holidays, bells, the period-mark lead."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

import pytest

from domain.calendar import AcademicYearNotFound, AttestationKind, Bell, Period, academic_year_id
from domain.errors import InvalidValue, RuleViolated, SchoolNotFound
from tests.domain.conftest import QUARTERS, School

HALVES = (Period("1 полугодие", date(2024, 9, 2), date(2024, 12, 28)),
          Period("2 полугодие", date(2025, 1, 9), date(2025, 5, 26)))


def test_one_academic_year_per_school_and_year(school: School) -> None:
    year = school.journal.get_academic_year(school.school_id, 2024)
    assert year.id == academic_year_id(school.school_id, 2024)
    assert year.attestation_kind is AttestationKind.QUARTERS
    assert year.attestation_periods == QUARTERS
    with pytest.raises(RuleViolated, match="already open"):
        school.journal.open_academic_year(school.admin, school.school_id, 2024)
    with pytest.raises(AcademicYearNotFound):
        school.journal.get_academic_year(school.school_id, 2025)


def test_attestation_periods_are_replaced_by_half_years(school: School) -> None:
    journal = school.journal
    journal.set_attestation_periods(school.admin, school.school_id, 2024,
                                    AttestationKind.HALF_YEARS, list(reversed(HALVES)))
    year = journal.get_academic_year(school.school_id, 2024)
    assert (year.attestation_kind, year.attestation_periods) == (AttestationKind.HALF_YEARS,
                                                                 HALVES)


@pytest.mark.parametrize(
    ("periods", "field"),
    [
        ((Period("1", date(2024, 9, 2), date(2024, 12, 28)),
          Period("2", date(2024, 12, 28), date(2025, 5, 26))), "periods[1]"),  # overlap
        ((Period("1", date(2024, 8, 30), date(2024, 12, 28)),
          Period("2", date(2025, 1, 9), date(2025, 5, 26))), "periods[0]"),  # before 1 Sep
        ((Period("1", date(2024, 9, 2), date(2024, 12, 28)),
          Period("2", date(2025, 1, 9), date(2025, 9, 1))), "periods[1]"),  # after 31 Aug
        ((Period("1", date(2024, 12, 28), date(2024, 9, 2)),
          Period("2", date(2025, 1, 9), date(2025, 5, 26))), "periods[0].end"),  # backwards
        ((Period(" ", date(2024, 9, 2), date(2024, 12, 28)),
          Period("2", date(2025, 1, 9), date(2025, 5, 26))), "periods[0].name"),
        ((Period("1", date(2024, 9, 2), date(2024, 12, 28)),), "periods"),  # one half-year
    ],
)
def test_bad_attestation_periods_are_refused_naming_the_field(
    school: School, periods: tuple[Period, ...], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        school.journal.set_attestation_periods(school.admin, school.school_id, 2024,
                                               AttestationKind.HALF_YEARS, periods)
    assert field in refused.value.fields


def test_holidays_and_study_periods_decide_the_study_days(school: School) -> None:
    journal = school.journal
    journal.set_study_periods(school.admin, school.school_id, 2024,
                              [Period("Учебный год", date(2024, 9, 2), date(2025, 5, 26))])
    year = journal.get_academic_year(school.school_id, 2024)
    assert year.is_holiday(date(2024, 11, 1))
    assert not year.is_study_day(date(2024, 11, 1))
    assert year.is_study_day(date(2024, 11, 5))
    assert not year.is_study_day(date(2024, 9, 1))  # before the study period
    assert not year.is_study_day(date(2025, 6, 2))


def test_a_bell_schedule_per_shift(school: School) -> None:
    journal = school.journal
    bells = [Bell(0, time(7, 45), time(8, 25)), Bell(1, time(8, 30), time(9, 10))]
    journal.set_bell_schedule(school.admin, school.school_id, 2024, 1, bells)
    year = journal.get_academic_year(school.school_id, 2024)
    assert year.bell(1, 0) == Bell(0, time(7, 45), time(8, 25))
    assert year.bell(2, 1) == Bell(1, time(14, 0), time(14, 45))
    assert year.bell(1, 4) is None  # the schedule was replaced


@pytest.mark.parametrize(
    "bells",
    [
        [Bell(1, time(8, 30), time(9, 15)), Bell(2, time(9, 10), time(9, 55))],  # overlap
        [Bell(1, time(8, 30), time(8, 30))],
        [Bell(1, time(8, 30), time(9, 15)), Bell(1, time(9, 25), time(10, 10))],
        [Bell(16, time(8, 30), time(9, 15))],
    ],
)
def test_bad_bells_are_refused(school: School, bells: list[Bell]) -> None:
    with pytest.raises(InvalidValue):
        school.journal.set_bell_schedule(school.admin, school.school_id, 2024, 1, bells)


def test_the_period_marks_lead_defaults_to_zero_and_is_bounded(school: School) -> None:
    journal = school.journal
    year = journal.get_academic_year(school.school_id, 2024)
    assert year.period_marks_lead_days == 0
    assert year.period_marks_open_on(QUARTERS[0]) == date(2024, 10, 27)
    outcome = journal.set_period_marks_lead_days(school.admin, school.school_id, 2024, 5,
                                                 expected_version=year.version)
    year = journal.get_academic_year(school.school_id, 2024)
    assert outcome.answer == {"id": str(year.id), "version": year.version}
    assert year.period_marks_open_on(QUARTERS[0]) == date(2024, 10, 22)
    with pytest.raises(InvalidValue):
        journal.set_period_marks_lead_days(school.admin, school.school_id, 2024, -1)


def test_an_academic_year_needs_a_registered_school(school: School) -> None:
    with pytest.raises(SchoolNotFound):
        school.journal.open_academic_year(school.admin, UUID(int=1), 2025)
