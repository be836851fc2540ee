"""Gradebook of a class in a subject for an academic year: period, annual and final marks."""

from __future__ import annotations

from collections.abc import Set
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.edugroup import EduGroup
from domain.errors import InvalidValue, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/gradebook")


class GradeKind(StrEnum):
    PERIOD = "period"  # for an attestation period: a quarter, trimester or half-year
    ANNUAL = "annual"
    FINAL = "final"  # examination


def gradebook_id(class_id: UUID, subject_id: UUID, academic_year: int) -> UUID:
    return uuid5(_NAMESPACE, f"{class_id}/{subject_id}/{academic_year}")


def enrolled_between(group: EduGroup, start: date, end: date) -> set[UUID]:
    """Students who were in the group on at least one day from `start` to `end`."""
    return {
        student
        for student, stints in group.members.items()
        if any(stint.start <= end and (stint.end is None or stint.end > start) for stint in stints)
    }


class Gradebook(JournalAggregate):
    """Values are checked by the caller (`check_mark_value`); the rules of timing are here."""

    @staticmethod
    def create_id(class_id: UUID, subject_id: UUID, academic_year: int) -> UUID:
        return gradebook_id(class_id, subject_id, academic_year)

    @event("Opened")
    def __init__(
        self, school_id: UUID, class_id: UUID, subject_id: UUID, academic_year: int
    ) -> None:
        self.school_id = school_id
        self.class_id = class_id
        self.subject_id = subject_id
        self.academic_year = academic_year
        # (kind, period name or None) -> student -> mark
        self.grades: dict[tuple[GradeKind, str | None], dict[UUID, str]] = {}

    def grade(self, kind: GradeKind, period: str | None, student_id: UUID) -> str | None:
        return self.grades.get((kind, period), {}).get(student_id)

    def set_period_mark(
        self, period: str, opens_on: date, today: date, student_id: UUID, value: str,
        enrolled: Set[UUID], reason: str | None = None,
    ) -> None:
        """From the period's end minus the year's lead days, for students of the period."""
        if today < opens_on:
            raise RuleViolated(
                f"marks for «{period}» can be put from {opens_on:%d.%m.%Y}",
                {"period": "not open yet"},
            )
        self._set(GradeKind.PERIOD, period, student_id, value, enrolled, reason)

    def set_annual_mark(
        self, opens_on: date, today: date, student_id: UUID, value: str, enrolled: Set[UUID],
        reason: str | None = None,
    ) -> None:
        """From the last attestation period's end minus the year's lead days."""
        if today < opens_on:
            raise RuleViolated(
                f"annual marks can be put from {opens_on:%d.%m.%Y}", {"kind": "not open yet"}
            )
        self._set(GradeKind.ANNUAL, None, student_id, value, enrolled, reason)

    def set_final_mark(
        self, student_id: UUID, value: str, enrolled: Set[UUID], reason: str | None = None
    ) -> None:
        """Only for students enrolled in the class during the year."""
        self._set(GradeKind.FINAL, None, student_id, value, enrolled, reason)

    def _set(
        self, kind: GradeKind, period: str | None, student_id: UUID, value: str,
        enrolled: Set[UUID], reason: str | None,
    ) -> None:
        if student_id not in enrolled:
            raise RuleViolated(
                f"a {kind.value} mark is only for a student enrolled in the class at that time",
                {"student_id": "not enrolled in the class"},
            )
        old = self.grade(kind, period, student_id)
        if old == value:
            return
        reason = (reason or "").strip() or None
        if old is not None and reason is None:
            raise InvalidValue("reason", "changing a mark needs a reason")
        self._grade_set(kind=kind, period=period, student_id=student_id, old_value=old,
                        new_value=value, reason=reason)

    @event("GradeSet")
    def _grade_set(
        self, kind: GradeKind, period: str | None, student_id: UUID, old_value: str | None,
        new_value: str, reason: str | None,
    ) -> None:
        self.grades.setdefault((kind, period), {})[student_id] = new_value

    def remove(self, kind: GradeKind, period: str | None, student_id: UUID, reason: str) -> None:
        old = self.grade(kind, period, student_id)
        if old is None:
            raise RuleViolated(f"the student has no {kind.value} mark to remove",
                               {"student_id": "no mark"})
        if not reason.strip():
            raise InvalidValue("reason", "removing a mark needs a reason")
        self._grade_removed(kind=kind, period=period, student_id=student_id, old_value=old,
                            reason=reason.strip())

    @event("GradeRemoved")
    def _grade_removed(
        self, kind: GradeKind, period: str | None, student_id: UUID, old_value: str, reason: str
    ) -> None:
        del self.grades[(kind, period)][student_id]
