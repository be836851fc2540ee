"""Lesson materials («Материалы к урокам»): files attached to a lesson for its class.

Kept beside the lesson, not in it: one small aggregate per lesson, keyed by the lesson's id,
so attaching a file never conflicts with the teacher keeping the lesson's journal.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated

MAX_MATERIALS = 50
_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/lesson-materials")


class LessonMaterials(JournalAggregate):
    @staticmethod
    def create_id(lesson_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(lesson_id))

    @event("Opened")
    def __init__(self, lesson_id: UUID, school_id: UUID, class_id: UUID, group_id: UUID) -> None:
        self.lesson_id, self.school_id = lesson_id, school_id
        self.class_id, self.group_id = class_id, group_id
        self.file_ids: list[UUID] = []

    def attach(self, file_ids: Sequence[UUID]) -> None:
        """Add files not yet attached (attaching one twice changes nothing)."""
        if not file_ids:
            raise InvalidValue("file_ids", "give at least one file")
        new = tuple(f for f in dict.fromkeys(file_ids) if f not in self.file_ids)
        if len(self.file_ids) + len(new) > MAX_MATERIALS:
            raise RuleViolated(f"a lesson has at most {MAX_MATERIALS} materials",
                               {"file_ids": "too many"})
        if new:
            self._attached(file_ids=new)

    @event("Attached")
    def _attached(self, file_ids: tuple[UUID, ...]) -> None:
        self.file_ids.extend(file_ids)

    def detach(self, file_id: UUID) -> None:
        if file_id not in self.file_ids:
            raise RuleViolated("the file is not attached to the lesson",
                               {"file_id": "not attached"})
        self._detached(file_id=file_id)

    @event("Detached")
    def _detached(self, file_id: UUID) -> None:
        self.file_ids.remove(file_id)
