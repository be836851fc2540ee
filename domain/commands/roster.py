"""Commands on classes: opening, homeroom teacher, and the roster moves."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.commands.people import PersonCommands
from domain.commands.schools import SchoolCommands
from domain.edugroup import EduGroup, GroupKind
from domain.errors import GroupNotFound, RuleViolated
from domain.journal import Command, Decision, Outcome
from domain.school import StaffPosition


class RosterCommands(SchoolCommands, PersonCommands):
    def get_group(self, group_id: UUID, expected_version: int | None = None) -> EduGroup:
        return self.load(EduGroup, group_id, GroupNotFound, "class or subgroup", expected_version)

    def open_class(
        self, command: Command, school_id: UUID, academic_year: int, name: str,
        homeroom_teacher_id: UUID | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            school = self.get_school(school_id)
            group = EduGroup.open_class(school.id, academic_year, name)
            if homeroom_teacher_id is not None:
                self._check_teacher(school_id, homeroom_teacher_id)
                group.assign_homeroom_teacher(homeroom_teacher_id)
            return Decision(_group_answer(group), [group])

        return self.execute(command, "open_class", decide)

    def open_subgroup(self, command: Command, parent_id: UUID, name: str) -> Outcome:
        def decide() -> Decision:
            group = EduGroup.open_subgroup(self.get_group(parent_id), name)
            return Decision(_group_answer(group), [group])

        return self.execute(command, "open_subgroup", decide)

    def assign_homeroom_teacher(
        self, command: Command, group_id: UUID, teacher_id: UUID | None,
        expected_version: int | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            group = self.get_group(group_id, expected_version)
            if teacher_id is not None:
                self._check_teacher(group.school_id, teacher_id)
            group.assign_homeroom_teacher(teacher_id)
            return Decision(_group_answer(group), [group])

        return self.execute(command, "assign_homeroom_teacher", decide)

    def enrol_student(
        self, command: Command, group_id: UUID, student_id: UUID, on: date
    ) -> Outcome:
        """Put a student in a class (or a subgroup of the class the student is in)."""

        def decide() -> Decision:
            group = self.get_group(group_id)
            student = self.get_person(student_id)
            if group.kind is GroupKind.SUBGROUP:
                assert group.parent_id is not None
                if not self.get_group(group.parent_id).is_member_on(student_id, on):
                    raise RuleViolated(
                        "a subgroup takes only students of its class on that date",
                        {"student_id": "not in the parent class on that date"},
                    )
                group.enrol(student_id, on)
                return Decision(_group_answer(group), [group])
            if student.current_class is not None:
                raise RuleViolated(
                    "the student is already in a class; transfer them instead",
                    {"student_id": "already in a class"},
                )
            group.enrol(student_id, on)
            student.place_in_class(group.id, on)
            return Decision(_group_answer(group), [group, student])

        return self.execute(command, "enrol_student", decide)

    def transfer_student(
        self, command: Command, student_id: UUID, from_group_id: UUID, to_group_id: UUID,
        on: date, reason: str,
    ) -> Outcome:
        """Move a student between classes: both classes and the student saved atomically."""

        def decide() -> Decision:
            if from_group_id == to_group_id:
                raise RuleViolated("a transfer needs two classes", {"to_group_id": "same class"})
            source, target = self.get_group(from_group_id), self.get_group(to_group_id)
            for group, field in ((source, "from_group_id"), (target, "to_group_id")):
                if group.kind is not GroupKind.CLASS:
                    raise RuleViolated("transfers are between classes", {field: "a subgroup"})
            student = self.get_person(student_id)
            source.release(student_id, on, reason, transferred_to=target.id)
            target.enrol(student_id, on, transferred_from=source.id)
            student.release_from_class(source.id, on)
            student.place_in_class(target.id, on)
            answer = {"from": _group_answer(source), "to": _group_answer(target)}
            return Decision(answer, [source, target, student])

        return self.execute(command, "transfer_student", decide)

    def release_student(
        self, command: Command, group_id: UUID, student_id: UUID, on: date, reason: str
    ) -> Outcome:
        """A student leaves a class (or subgroup) with a reason."""

        def decide() -> Decision:
            group = self.get_group(group_id)
            group.release(student_id, on, reason)
            if group.kind is GroupKind.SUBGROUP:
                return Decision(_group_answer(group), [group])
            student = self.get_person(student_id)
            student.release_from_class(group.id, on)
            return Decision(_group_answer(group), [group, student])

        return self.execute(command, "release_student", decide)

    def _check_teacher(self, school_id: UUID, teacher_id: UUID) -> None:
        if not self.get_school(school_id).employs(teacher_id, StaffPosition.TEACHER):
            raise RuleViolated(
                "the homeroom teacher must be a teacher of the school",
                {"homeroom_teacher_id": "not a teacher of this school"},
            )


def _group_answer(group: EduGroup) -> dict[str, object]:
    return {"id": str(group.id), "version": group.version}
