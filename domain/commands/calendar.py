"""Commands on a school's academic year: periods, holidays, bells, the period-mark lead."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from domain.calendar import (
    AcademicYear,
    AcademicYearNotFound,
    AttestationKind,
    Bell,
    Period,
    academic_year_id,
)
from domain.commands.roster import RosterCommands
from domain.commands.support import answer
from domain.errors import RuleViolated
from domain.journal import Command, Decision, Outcome


class CalendarCommands(RosterCommands):
    def get_academic_year(
        self, school_id: UUID, year: int, expected_version: int | None = None
    ) -> AcademicYear:
        return self.load(AcademicYear, academic_year_id(school_id, year), AcademicYearNotFound,
                         f"academic year {year}/{year + 1} of the school", expected_version)

    def open_academic_year(
        self,
        command: Command,
        school_id: UUID,
        year: int,
        attestation_kind: AttestationKind | None = None,
        attestation_periods: Sequence[Period] = (),
        study_periods: Sequence[Period] = (),
        holidays: Sequence[Period] = (),
        bells: Mapping[int, Sequence[Bell]] | None = None,
        period_marks_lead_days: int = 0,
    ) -> Outcome:
        """Set up the year `year`/`year+1` of a school in one command (each part optional)."""

        def decide() -> Decision:
            school = self.get_school(school_id)
            if academic_year_id(school.id, year) in self.repository:
                raise RuleViolated(f"the academic year {year}/{year + 1} is already open; "
                                   "change its parts instead", {"year": "already open"})
            academic_year = AcademicYear.open(school.id, year)
            if attestation_kind is not None:
                academic_year.set_attestation_periods(attestation_kind, attestation_periods)
            academic_year.set_study_periods(study_periods)
            academic_year.set_holidays(holidays)
            for shift, shift_bells in sorted((bells or {}).items()):
                academic_year.set_bell_schedule(shift, shift_bells)
            academic_year.set_period_marks_lead_days(period_marks_lead_days)
            return Decision(answer(academic_year), [academic_year])

        return self.execute(command, "open_academic_year", decide)

    def _change_year(
        self, command: Command, name: str, school_id: UUID, year: int,
        expected_version: int | None, change: Callable[[AcademicYear], None],
    ) -> Outcome:
        def decide() -> Decision:
            academic_year = self.get_academic_year(school_id, year, expected_version)
            change(academic_year)
            return Decision(answer(academic_year), [academic_year])

        return self.execute(command, name, decide)

    def set_attestation_periods(
        self, command: Command, school_id: UUID, year: int, kind: AttestationKind,
        periods: Sequence[Period], expected_version: int | None = None,
    ) -> Outcome:
        """Replace the quarters, trimesters or half-years."""
        return self._change_year(
            command, "set_attestation_periods", school_id, year, expected_version,
            lambda academic_year: academic_year.set_attestation_periods(kind, periods),
        )

    def set_study_periods(
        self, command: Command, school_id: UUID, year: int, periods: Sequence[Period],
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change_year(
            command, "set_study_periods", school_id, year, expected_version,
            lambda academic_year: academic_year.set_study_periods(periods),
        )

    def set_holidays(
        self, command: Command, school_id: UUID, year: int, holidays: Sequence[Period],
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change_year(
            command, "set_holidays", school_id, year, expected_version,
            lambda academic_year: academic_year.set_holidays(holidays),
        )

    def set_bell_schedule(
        self, command: Command, school_id: UUID, year: int, shift: int, bells: Sequence[Bell],
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change_year(
            command, "set_bell_schedule", school_id, year, expected_version,
            lambda academic_year: academic_year.set_bell_schedule(shift, bells),
        )

    def set_period_marks_lead_days(
        self, command: Command, school_id: UUID, year: int, days: int,
        expected_version: int | None = None,
    ) -> Outcome:
        """Period marks may be put from `days` days before each period's end."""
        return self._change_year(
            command, "set_period_marks_lead_days", school_id, year, expected_version,
            lambda academic_year: academic_year.set_period_marks_lead_days(days),
        )

