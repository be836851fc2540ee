"""Commands on schools: registration, requisites, time zone, shifts, staff."""

from __future__ import annotations

from uuid import UUID

from domain.errors import PersonNotFound, SchoolNotFound
from domain.journal import Command, Decision, JournalBase, Outcome
from domain.person import Person
from domain.school import Requisites, School, StaffPosition


class SchoolCommands(JournalBase):
    def get_school(self, school_id: UUID, expected_version: int | None = None) -> School:
        return self.load(School, school_id, SchoolNotFound, "school", expected_version)

    def register_school(
        self, command: Command, name: str, time_zone: str, shifts: int, requisites: Requisites
    ) -> Outcome:
        def decide() -> Decision:
            school = School.register(name, time_zone, shifts, requisites)
            return Decision(_school_answer(school), [school])

        return self.execute(command, "register_school", decide)

    def update_school(
        self,
        command: Command,
        school_id: UUID,
        expected_version: int | None,
        name: str | None = None,
        time_zone: str | None = None,
        shifts: int | None = None,
        requisites: Requisites | None = None,
    ) -> Outcome:
        """Change any of name, time zone, shifts and requisites in one event batch."""

        def decide() -> Decision:
            school = self.get_school(school_id, expected_version)
            if name is not None:
                school.rename(name)
            if time_zone is not None:
                school.change_time_zone(time_zone)
            if shifts is not None:
                school.change_shifts(shifts)
            if requisites is not None:
                school.change_requisites(requisites)
            return Decision(_school_answer(school), [school])

        return self.execute(command, "update_school", decide)

    def appoint_staff(
        self, command: Command, school_id: UUID, person_id: UUID, position: StaffPosition
    ) -> Outcome:
        def decide() -> Decision:
            school = self.get_school(school_id)
            self.load(Person, person_id, PersonNotFound, "person")
            school.appoint_staff(person_id, position)
            return Decision(_school_answer(school), [school])

        return self.execute(command, "appoint_staff", decide)

    def dismiss_staff(
        self, command: Command, school_id: UUID, person_id: UUID, position: StaffPosition,
        reason: str,
    ) -> Outcome:
        def decide() -> Decision:
            school = self.get_school(school_id)
            school.dismiss_staff(person_id, position, reason)
            return Decision(_school_answer(school), [school])

        return self.execute(command, "dismiss_staff", decide)


def _school_answer(school: School) -> dict[str, object]:
    return {"id": str(school.id), "version": school.version}
