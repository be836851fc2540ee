"""Commands on gradebooks: period, annual and final marks of a class in a subject."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from uuid import UUID

from domain.commands.calendar import CalendarCommands
from domain.commands.catalogue import CatalogueCommands
from domain.commands.support import answer, fields_under
from domain.deadlines import local_date
from domain.edugroup import EduGroup, GroupKind
from domain.errors import InvalidValue, RuleViolated
from domain.gradebook import Gradebook, GradeKind, enrolled_between, gradebook_id
from domain.journal import Command, Decision, Outcome
from domain.work_types import check_mark_value

Put = Callable[[Gradebook, UUID, str], None]  # one student's mark into the gradebook


class GradebookCommands(CatalogueCommands, CalendarCommands):
    def get_gradebook(
        self, class_id: UUID, subject_id: UUID, expected_version: int | None = None
    ) -> Gradebook:
        """The class's gradebook in the subject; a new, empty one before its first mark."""
        klass = self.get_group(class_id)
        if klass.kind is not GroupKind.CLASS:
            raise RuleViolated("a gradebook is kept for a class", {"class_id": "a subgroup"})

        def open_new() -> Gradebook:
            subject = self.get_subjects(klass.school_id).get(subject_id)
            return Gradebook(school_id=klass.school_id, class_id=klass.id,
                             subject_id=subject.id, academic_year=klass.academic_year)

        return self.load_or_open(
            Gradebook, gradebook_id(class_id, subject_id, klass.academic_year), "gradebook",
            open_new, expected_version,
        )

    def _school_today(self, command: Command, klass: EduGroup) -> date:
        """The command's day on the school's wall clock."""
        now = command.at or datetime.now(UTC)
        return local_date(now, self.get_school(klass.school_id).time_zone)

    def _set_marks(
        self, command: Command, name: str, class_id: UUID, subject_id: UUID,
        marks: Mapping[UUID, str], expected_version: int | None,
        rule: Callable[[EduGroup], Put],
    ) -> Outcome:
        """Check every value, then put each mark with the rule prepared once for the class."""

        def decide() -> Decision:
            if not marks:
                raise InvalidValue("marks", "give at least one mark")
            gradebook = self.get_gradebook(class_id, subject_id, expected_version)
            put = rule(self.get_group(class_id))
            for student_id, value in marks.items():
                with fields_under(f"marks[{student_id}]"):
                    put(gradebook, student_id, check_mark_value(value, None))
            return Decision(answer(gradebook), [gradebook])

        return self.execute(command, name, decide)

    def set_period_marks(
        self, command: Command, class_id: UUID, subject_id: UUID, period: str,
        marks: Mapping[UUID, str], reason: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Marks for an attestation period, from its end minus the year's lead days."""

        def rule(klass: EduGroup) -> Put:
            year = self.get_academic_year(klass.school_id, klass.academic_year)
            span = year.attestation_period(period)
            opens_on, today = year.period_marks_open_on(span), self._school_today(command, klass)
            enrolled = enrolled_between(klass, span.start, span.end)
            return lambda gradebook, student_id, value: gradebook.set_period_mark(
                span.name, opens_on, today, student_id, value, enrolled, reason
            )

        return self._set_marks(command, "set_period_marks", class_id, subject_id, marks,
                               expected_version, rule)

    def set_annual_marks(
        self, command: Command, class_id: UUID, subject_id: UUID, marks: Mapping[UUID, str],
        reason: str | None = None, expected_version: int | None = None,
    ) -> Outcome:
        """Annual marks, from the last attestation period's end minus the lead days."""

        def rule(klass: EduGroup) -> Put:
            year = self.get_academic_year(klass.school_id, klass.academic_year)
            if not year.attestation_periods:
                raise RuleViolated("the academic year has no attestation periods yet",
                                   {"class_id": "no attestation periods"})
            opens_on = year.period_marks_open_on(year.attestation_periods[-1])
            today = self._school_today(command, klass)
            enrolled = enrolled_between(klass, *klass.bounds)
            return lambda gradebook, student_id, value: gradebook.set_annual_mark(
                opens_on, today, student_id, value, enrolled, reason
            )

        return self._set_marks(command, "set_annual_marks", class_id, subject_id, marks,
                               expected_version, rule)

    def set_final_marks(
        self, command: Command, class_id: UUID, subject_id: UUID, marks: Mapping[UUID, str],
        reason: str | None = None, expected_version: int | None = None,
    ) -> Outcome:
        """Final (examination) marks, only for students enrolled in the class in the year."""

        def rule(klass: EduGroup) -> Put:
            enrolled = enrolled_between(klass, *klass.bounds)
            return lambda gradebook, student_id, value: gradebook.set_final_mark(
                student_id, value, enrolled, reason
            )

        return self._set_marks(command, "set_final_marks", class_id, subject_id, marks,
                               expected_version, rule)

    def remove_grade(
        self, command: Command, class_id: UUID, subject_id: UUID, kind: GradeKind,
        student_id: UUID, reason: str, period: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            gradebook = self.get_gradebook(class_id, subject_id, expected_version)
            gradebook.remove(kind, period if kind is GradeKind.PERIOD else None, student_id,
                             reason)
            return Decision(answer(gradebook), [gradebook])

        return self.execute(command, "remove_grade", decide)
