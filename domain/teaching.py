"""Teaching assignments: who teaches a subject to a class or subgroup, and since when."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.calendar import check_in_year
from domain.edugroup import Stint
from domain.errors import InvalidValue, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/teaching-assignment")


def teaching_assignment_id(group_id: UUID, subject_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, f"{group_id}/{subject_id}")


class TeachingAssignment(JournalAggregate):
    """The teachers of one subject in one group (a group belongs to one academic year)."""

    @staticmethod
    def create_id(group_id: UUID, subject_id: UUID) -> UUID:
        return teaching_assignment_id(group_id, subject_id)

    @event("Opened")
    def __init__(
        self, school_id: UUID, group_id: UUID, subject_id: UUID, academic_year: int
    ) -> None:
        self.school_id = school_id
        self.group_id = group_id
        self.subject_id = subject_id
        self.academic_year = academic_year
        self.teachers: dict[UUID, list[Stint]] = {}

    def teachers_on(self, day: date) -> set[UUID]:
        return {teacher for teacher in self.teachers if self.teaches(teacher, day)}

    def teaches(self, teacher_id: UUID, day: date) -> bool:
        """Whether the teacher is assigned to the subject in the group on that day."""
        return any(stint.covers(day) for stint in self.teachers.get(teacher_id, ()))

    def _current(self, teacher_id: UUID) -> Stint | None:
        stints = self.teachers.get(teacher_id)
        return stints[-1] if stints and stints[-1].end is None else None

    def assign(self, teacher_id: UUID, on: date) -> None:
        check_in_year(on, self.academic_year, "on")
        if self._current(teacher_id) is not None:
            raise RuleViolated("the teacher already teaches this subject to the group",
                               {"teacher_id": "already assigned"})
        stints = self.teachers.get(teacher_id, [])
        if stints and stints[-1].end is not None and on < stints[-1].end:
            raise RuleViolated("a teacher cannot return before the date they were relieved",
                               {"on": "before the last relief date"})
        self._teacher_assigned(teacher_id=teacher_id, on=on)

    @event("TeacherAssigned")
    def _teacher_assigned(self, teacher_id: UUID, on: date) -> None:
        self.teachers.setdefault(teacher_id, []).append(Stint(start=on))

    def relieve(self, teacher_id: UUID, on: date, reason: str) -> None:
        """The teacher stops teaching on `on`: assigned until the day before."""
        stint = self._current(teacher_id)
        if stint is None:
            raise RuleViolated("the teacher does not teach this subject to the group",
                               {"teacher_id": "not assigned"})
        check_in_year(on, self.academic_year, "on")
        if on <= stint.start:
            raise RuleViolated("a teacher is relieved after the day they were assigned",
                               {"on": "not after the assignment date"})
        if not reason.strip():
            raise InvalidValue("reason", "relieving a teacher needs a reason")
        self._teacher_relieved(teacher_id=teacher_id, on=on, reason=reason.strip())

    @event("TeacherRelieved")
    def _teacher_relieved(self, teacher_id: UUID, on: date, reason: str) -> None:
        stints = self.teachers[teacher_id]
        stints[-1] = Stint(start=stints[-1].start, end=on)
