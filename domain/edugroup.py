"""EduGroup: a class or subgroup of one academic year, its homeroom teacher and roster."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from uuid import UUID, uuid4

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated

_CLASS_NAME = re.compile(r"^(1[01]|[1-9])\s*-?\s*([А-ЯЁA-Z]{1,3})$")


class GroupKind(StrEnum):
    CLASS = "class"
    SUBGROUP = "subgroup"


class Stint(msgspec.Struct, frozen=True):
    """A student's membership: from `start` (inclusive) until `end` (exclusive, None: open)."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def academic_year_bounds(year: int) -> tuple[date, date]:
    """The academic year `year`/`year+1`: 1 September to 31 August."""
    return date(year, 9, 1), date(year + 1, 8, 31)


def parse_class_name(name: str) -> tuple[str, int]:
    """'5 а' -> ('5А', 5): a class is named by its parallel (1-11) and a letter."""
    match = _CLASS_NAME.match(name.strip().upper())
    if not match:
        raise InvalidValue(
            "name", "a class is named by its parallel 1-11 and a letter, e.g. «5А»"
        )
    parallel = int(match.group(1))
    return f"{parallel}{match.group(2)}", parallel


class EduGroup(JournalAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Opened")
    def __init__(
        self,
        school_id: UUID,
        academic_year: int,
        name: str,
        parallel: int,
        kind: GroupKind,
        parent_id: UUID | None,
    ) -> None:
        self.school_id = school_id
        self.academic_year = academic_year
        self.name = name
        self.parallel = parallel
        self.kind = kind
        self.parent_id = parent_id
        self.homeroom_teacher_id: UUID | None = None
        self.members: dict[UUID, list[Stint]] = {}

    @classmethod
    def open_class(cls, school_id: UUID, academic_year: int, name: str) -> EduGroup:
        _check_year(academic_year)
        name, parallel = parse_class_name(name)
        return cls(
            school_id=school_id, academic_year=academic_year, name=name,
            parallel=parallel, kind=GroupKind.CLASS, parent_id=None,
        )

    @classmethod
    def open_subgroup(cls, parent: EduGroup, name: str) -> EduGroup:
        if parent.kind is not GroupKind.CLASS:
            raise RuleViolated("a subgroup belongs to a class", {"parent_id": "not a class"})
        name = name.strip()
        if not name:
            raise InvalidValue("name", "a subgroup needs a name")
        return cls(
            school_id=parent.school_id, academic_year=parent.academic_year, name=name,
            parallel=parent.parallel, kind=GroupKind.SUBGROUP, parent_id=parent.id,
        )

    @property
    def bounds(self) -> tuple[date, date]:
        return academic_year_bounds(self.academic_year)

    def roster_on(self, day: date) -> set[UUID]:
        """The students in the group on `day`, answered from its events."""
        return {
            student
            for student, stints in self.members.items()
            if any(stint.covers(day) for stint in stints)
        }

    def is_member_on(self, student_id: UUID, day: date) -> bool:
        return any(stint.covers(day) for stint in self.members.get(student_id, ()))

    def current_stint(self, student_id: UUID) -> Stint | None:
        stints = self.members.get(student_id)
        return stints[-1] if stints and stints[-1].end is None else None

    def assign_homeroom_teacher(self, teacher_id: UUID | None) -> None:
        if self.kind is not GroupKind.CLASS:
            raise RuleViolated("only a class has a homeroom teacher", {"group_id": "a subgroup"})
        if teacher_id != self.homeroom_teacher_id:
            self._homeroom_teacher_assigned(
                teacher_id=teacher_id, previous_id=self.homeroom_teacher_id
            )

    @event("HomeroomTeacherAssigned")
    def _homeroom_teacher_assigned(self, teacher_id: UUID | None, previous_id: UUID | None) -> None:
        self.homeroom_teacher_id = teacher_id

    def enrol(self, student_id: UUID, on: date, transferred_from: UUID | None = None) -> None:
        self._check_in_year(on)
        if self.current_stint(student_id) is not None:
            raise RuleViolated(
                "the student is already in this group", {"student_id": "already a member"}
            )
        stints = self.members.get(student_id, [])
        if stints and stints[-1].end is not None and on < stints[-1].end:
            raise RuleViolated(
                "the student cannot rejoin before the date they left",
                {"on": "before the last leave date"},
            )
        self._student_enrolled(student_id=student_id, on=on, transferred_from=transferred_from)

    @event("StudentEnrolled")
    def _student_enrolled(self, student_id: UUID, on: date, transferred_from: UUID | None) -> None:
        self.members.setdefault(student_id, []).append(Stint(start=on))

    def release(
        self, student_id: UUID, on: date, reason: str, transferred_to: UUID | None = None
    ) -> None:
        """The student leaves on `on`: a member until the day before."""
        stint = self.current_stint(student_id)
        if stint is None:
            raise RuleViolated(
                "the student is not in this group", {"student_id": "not a member"}
            )
        self._check_in_year(on)
        if on <= stint.start:
            raise RuleViolated(
                "a student leaves after the day they joined", {"on": "not after the join date"}
            )
        reason = reason.strip()
        if not reason:
            raise InvalidValue("reason", "leaving a group needs a reason")
        self._student_left(
            student_id=student_id, on=on, reason=reason, transferred_to=transferred_to
        )

    @event("StudentLeft")
    def _student_left(
        self, student_id: UUID, on: date, reason: str, transferred_to: UUID | None
    ) -> None:
        stints = self.members[student_id]
        stints[-1] = Stint(start=stints[-1].start, end=on)

    def _check_in_year(self, day: date) -> None:
        first, last = self.bounds
        if not first <= day <= last:
            raise InvalidValue(
                "on", f"the date is outside the academic year {first:%d.%m.%Y}-{last:%d.%m.%Y}"
            )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidValue("academic_year", "the academic year is its first calendar year")
