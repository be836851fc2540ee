"""Erasing a person's personal data (152-ФЗ): a legal ground, a destruction act, a destroyed key.

The log stays immutable. The person's name, birth date and documents are stored encrypted
with a key of their own, kept outside the log by the mapper (infra/personal_data.py);
erasing records `PersonalDataErased` and then destroys that key, so every replay, view and
export reads the person as erased. The mapper also destroys the key whenever it reads a
`PersonalDataErased` event, so a crash between the two steps heals on the next read.

The journal knows no database: it hands the mapper its environment (where the log is, so
where the keys are) and asks it, duck-typed, to forget a person.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from domain.commands.people import PersonCommands
from domain.commands.support import answer
from domain.errors import InvalidValue, RuleViolated
from domain.journal import Command, Decision, Outcome


class PersonalDataAlreadyErased(RuleViolated):
    title = "The personal data was already erased"


class ErasureCommands(PersonCommands):
    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper hook: tell the mapper where the log is, so its key store
        can live beside it (a key table in the log's database, or files by the SQLite file)."""
        mapper = super().construct_mapper()
        bind = getattr(mapper, "bind_environment", None)
        if callable(bind):
            bind(self.env)
        return mapper

    def erase_personal_data(
        self, command: Command, person_id: UUID, legal_ground: str, act_reference: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """Record the erasure with its legal ground and destruction act, then destroy the key.

        A person erased before is refused, but their key is destroyed again (idempotent), so
        repeating the command repairs an erasure interrupted after it was recorded."""
        ground, act = legal_ground.strip(), act_reference.strip()
        if not ground:
            raise InvalidValue("legal_ground", "name the legal ground of the erasure")
        if not act:
            raise InvalidValue("act_reference", "name the act of destruction")

        def decide() -> Decision:
            person = self.get_person(person_id, expected_version)
            if getattr(person, "personal_data_erased", False):
                raise PersonalDataAlreadyErased(
                    f"the personal data of {person_id} was already erased",
                    {"person_id": "already erased"},
                )
            person.erase_personal_data(legal_ground=ground, act_reference=act)
            return Decision(answer(person), [person])

        try:
            outcome = self.execute(command, "erase_personal_data", decide)
        except PersonalDataAlreadyErased:
            self.destroy_personal_data_key(person_id)
            raise
        self.destroy_personal_data_key(person_id)
        return outcome

    def destroy_personal_data_key(self, person_id: UUID) -> bool:
        """Ask the mapper to destroy the person's key; True if a key was destroyed now."""
        forget: Any = getattr(self.mapper, "forget_person", None)
        return bool(forget(person_id)) if callable(forget) else False

    def close(self) -> None:
        super().close()
        release: Any = getattr(self.mapper, "close", None)
        if callable(release):
            release()
