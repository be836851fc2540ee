"""A school's subject catalogue: one per school, names unique within it."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, NotFound, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/subjects")


class SubjectNotFound(NotFound):
    pass


class Subject(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str  # «Русский язык»
    short_name: str | None = None  # «Рус. яз.»
    retired: bool = False


def _validated(name: str, short_name: str | None) -> tuple[str, str | None]:
    name = name.strip()
    if not name:
        raise InvalidValue("name", "a subject needs a name")
    return name, (short_name or "").strip() or None


class SubjectCatalogue(JournalAggregate):
    @staticmethod
    def create_id(school_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(school_id))

    @event("Opened")
    def __init__(self, school_id: UUID) -> None:
        self.school_id = school_id
        self.subjects: dict[UUID, Subject] = {}

    def get(self, subject_id: UUID, field: str = "subject_id") -> Subject:
        """An active subject of this school."""
        subject = self.subjects.get(subject_id)
        if subject is None:
            raise SubjectNotFound(f"no subject with id {subject_id} in this school",
                                  {field: "unknown subject"})
        if subject.retired:
            raise RuleViolated("the subject is retired", {field: "retired"})
        return subject

    def _check_unique(self, name: str, subject_id: UUID) -> None:
        for known in self.subjects.values():
            if known.id != subject_id and known.name.lower() == name.lower():
                raise RuleViolated("the school already has a subject of that name",
                                   {"name": "already exists"})

    def add(self, subject_id: UUID, name: str, short_name: str | None = None) -> Subject:
        name, short_name = _validated(name, short_name)
        self._check_unique(name, subject_id)
        subject = Subject(id=subject_id, name=name, short_name=short_name)
        self._subject_added(subject=subject)
        return subject

    @event("SubjectAdded")
    def _subject_added(self, subject: Subject) -> None:
        self.subjects[subject.id] = subject

    def rename(self, subject_id: UUID, name: str, short_name: str | None = None) -> None:
        old = self.get(subject_id)
        name, short_name = _validated(name, short_name)
        self._check_unique(name, subject_id)
        new = msgspec.structs.replace(old, name=name, short_name=short_name)
        if new != old:
            self._subject_renamed(old=old, new=new)

    @event("SubjectRenamed")
    def _subject_renamed(self, old: Subject, new: Subject) -> None:
        self.subjects[new.id] = new

    def retire(self, subject_id: UUID, reason: str) -> None:
        self.get(subject_id)
        if not reason.strip():
            raise InvalidValue("reason", "retiring a subject needs a reason")
        self._subject_retired(subject_id=subject_id, reason=reason.strip())

    @event("SubjectRetired")
    def _subject_retired(self, subject_id: UUID, reason: str) -> None:
        self.subjects[subject_id] = msgspec.structs.replace(self.subjects[subject_id], retired=True)
