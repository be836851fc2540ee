"""Commands on a school's catalogues: subjects, work types, and who teaches what to whom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.commands.roster import RosterCommands
from domain.commands.support import answer
from domain.errors import NotFound, RuleViolated
from domain.journal import Command, Decision, Outcome
from domain.school import StaffPosition
from domain.subjects import SubjectCatalogue
from domain.teaching import TeachingAssignment, teaching_assignment_id
from domain.work_types import Scale, WorkTypeCatalogue

A = TypeVar("A", bound=Aggregate)


class _NotYetOpened(NotFound):
    pass


class CatalogueCommands(RosterCommands):
    def load_or_open(
        self, cls: type[A], aggregate_id: UUID, what: str, open_new: Callable[[], A],
        expected_version: int | None = None,
    ) -> A:
        """An aggregate with a derived id, or a new one (saved by the command that needs it)."""
        try:
            return self.load(cls, aggregate_id, _NotYetOpened, what, expected_version)
        except _NotYetOpened:
            return open_new()

    def check_teacher(self, school_id: UUID, teacher_id: UUID, field: str = "teacher_id") -> None:
        if not self.get_school(school_id).employs(teacher_id, StaffPosition.TEACHER):
            raise RuleViolated("the person is not a teacher of the school",
                               {field: "not a teacher of this school"})

    # --- subjects ----------------------------------------------------------------------

    def get_subjects(
        self, school_id: UUID, expected_version: int | None = None
    ) -> SubjectCatalogue:
        return self.load_or_open(
            SubjectCatalogue, SubjectCatalogue.create_id(school_id), "subject catalogue",
            lambda: SubjectCatalogue(school_id=self.get_school(school_id).id), expected_version,
        )

    def add_subject(
        self, command: Command, school_id: UUID, name: str, short_name: str | None = None
    ) -> Outcome:
        def decide() -> Decision:
            catalogue = self.get_subjects(school_id)
            subject = catalogue.add(uuid4(), name, short_name)
            return Decision(answer(catalogue, subject_id=str(subject.id)), [catalogue])

        return self.execute(command, "add_subject", decide)

    def rename_subject(
        self, command: Command, school_id: UUID, subject_id: UUID, name: str,
        short_name: str | None = None, expected_version: int | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            catalogue = self.get_subjects(school_id, expected_version)
            catalogue.rename(subject_id, name, short_name)
            return Decision(answer(catalogue), [catalogue])

        return self.execute(command, "rename_subject", decide)

    def retire_subject(
        self, command: Command, school_id: UUID, subject_id: UUID, reason: str
    ) -> Outcome:
        def decide() -> Decision:
            catalogue = self.get_subjects(school_id)
            catalogue.retire(subject_id, reason)
            return Decision(answer(catalogue), [catalogue])

        return self.execute(command, "retire_subject", decide)

    # --- work types --------------------------------------------------------------------

    def get_work_types(
        self, school_id: UUID, expected_version: int | None = None
    ) -> WorkTypeCatalogue:
        """The school's work types; the built-in ones even before the first change."""
        return self.load_or_open(
            WorkTypeCatalogue, WorkTypeCatalogue.create_id(school_id), "work type catalogue",
            lambda: WorkTypeCatalogue.open(self.get_school(school_id).id),
            expected_version,
        )

    def add_work_type(
        self, command: Command, school_id: UUID, name: str, weight: Decimal, scale: Scale
    ) -> Outcome:
        def decide() -> Decision:
            catalogue = self.get_work_types(school_id)
            work_type = catalogue.add(uuid4(), name, weight, scale)
            return Decision(answer(catalogue, work_type_id=str(work_type.id)),
                            [catalogue])

        return self.execute(command, "add_work_type", decide)

    def change_work_type(
        self, command: Command, school_id: UUID, work_type_id: UUID, name: str | None = None,
        weight: Decimal | None = None, expected_version: int | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            catalogue = self.get_work_types(school_id, expected_version)
            catalogue.change(work_type_id, name, weight)
            return Decision(answer(catalogue), [catalogue])

        return self.execute(command, "change_work_type", decide)

    def retire_work_type(
        self, command: Command, school_id: UUID, work_type_id: UUID, reason: str
    ) -> Outcome:
        def decide() -> Decision:
            catalogue = self.get_work_types(school_id)
            catalogue.retire(work_type_id, reason)
            return Decision(answer(catalogue), [catalogue])

        return self.execute(command, "retire_work_type", decide)

    def allow_plus_minus_marks(self, command: Command, school_id: UUID, allowed: bool) -> Outcome:
        """The school's option of marks like «5-» and «4+» on the five-point scale."""

        def decide() -> Decision:
            catalogue = self.get_work_types(school_id)
            catalogue.allow_plus_minus(allowed)
            return Decision(answer(catalogue), [catalogue])

        return self.execute(command, "allow_plus_minus_marks", decide)

    # --- teaching assignments ----------------------------------------------------------

    def get_teaching_assignment(self, group_id: UUID, subject_id: UUID) -> TeachingAssignment:
        """Who teaches the subject to the group; a new, empty one if nobody was assigned."""

        def open_new() -> TeachingAssignment:
            group = self.get_group(group_id)
            subject = self.get_subjects(group.school_id).get(subject_id)
            return TeachingAssignment(school_id=group.school_id, group_id=group.id,
                                      subject_id=subject.id, academic_year=group.academic_year)

        return self.load_or_open(
            TeachingAssignment, teaching_assignment_id(group_id, subject_id), "teaching assignment",
            open_new,
        )

    def assign_teacher(
        self, command: Command, group_id: UUID, subject_id: UUID, teacher_id: UUID, on: date
    ) -> Outcome:
        """The teacher teaches the subject to the class or subgroup from `on`."""

        def decide() -> Decision:
            assignment = self.get_teaching_assignment(group_id, subject_id)
            self.check_teacher(assignment.school_id, teacher_id)
            assignment.assign(teacher_id, on)
            return Decision(answer(assignment), [assignment])

        return self.execute(command, "assign_teacher", decide)

    def relieve_teacher(
        self, command: Command, group_id: UUID, subject_id: UUID, teacher_id: UUID, on: date,
        reason: str,
    ) -> Outcome:
        def decide() -> Decision:
            assignment = self.get_teaching_assignment(group_id, subject_id)
            assignment.relieve(teacher_id, on, reason)
            return Decision(answer(assignment), [assignment])

        return self.execute(command, "relieve_teacher", decide)

