"""Commands on people: registration, personal data, documents, representatives."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.errors import PersonNotFound
from domain.journal import Command, Decision, JournalBase, Outcome
from domain.person import Documents, FullName, Person, RepresentativeKind, Sex


class PersonCommands(JournalBase):
    def get_person(self, person_id: UUID, expected_version: int | None = None) -> Person:
        return self.load(Person, person_id, PersonNotFound, "person", expected_version)

    def register_person(
        self, command: Command, name: FullName, sex: Sex | None, birth_date: date | None,
        documents: Documents,
    ) -> Outcome:
        def decide() -> Decision:
            person = Person.register(name, sex, birth_date, documents, self.today(command))
            return Decision(_person_answer(person), [person])

        return self.execute(command, "register_person", decide)

    def update_person(
        self,
        command: Command,
        person_id: UUID,
        expected_version: int | None,
        name: FullName | None = None,
        sex: Sex | None = None,
        birth_date: date | None = None,
        documents: Documents | None = None,
    ) -> Outcome:
        """Correct personal data and/or replace the identity documents."""

        def decide() -> Decision:
            person = self.get_person(person_id, expected_version)
            today = self.today(command)
            if name is not None or sex is not None or birth_date is not None:
                person.correct_personal_data(
                    name or person.name, sex or person.sex, birth_date or person.birth_date,
                    today,
                )
            if documents is not None:
                person.record_documents(documents, today)
            return Decision(_person_answer(person), [person])

        return self.execute(command, "update_person", decide)

    def link_representative(
        self, command: Command, student_id: UUID, representative_id: UUID,
        kind: RepresentativeKind,
    ) -> Outcome:
        def decide() -> Decision:
            student = self.get_person(student_id)
            self.get_person(representative_id)
            student.link_representative(representative_id, kind)
            return Decision(_person_answer(student), [student])

        return self.execute(command, "link_representative", decide)

    def unlink_representative(
        self, command: Command, student_id: UUID, representative_id: UUID, reason: str
    ) -> Outcome:
        def decide() -> Decision:
            student = self.get_person(student_id)
            student.unlink_representative(representative_id, reason)
            return Decision(_person_answer(student), [student])

        return self.execute(command, "unlink_representative", decide)


def _person_answer(person: Person) -> dict[str, object]:
    return {"id": str(person.id), "version": person.version}
