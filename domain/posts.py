"""Posts («записи») on walls: the school's wall and each class's wall.

A post has an author, a text and an audience: the whole school (school wall), a class's
students and parents, or only the class's parents (class wall). The rules of who may write
where are in the commands; who may read, in the walls projection's queries.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, NotFound, RuleViolated

MAX_TEXT = 10_000
MAX_FILES = 20


class PostNotFound(NotFound):
    pass


class Wall(StrEnum):
    SCHOOL = "school"
    CLASS = "class"


class Audience(StrEnum):
    SCHOOL = "school"  # everyone of the school
    CLASS = "class"  # the class's students and parents
    CLASS_PARENTS = "class_parents"  # the class's parents only


WALL_AUDIENCES = {
    Wall.SCHOOL: (Audience.SCHOOL,),
    Wall.CLASS: (Audience.CLASS, Audience.CLASS_PARENTS),
}


def validated_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidValue("text", "a post needs a text")
    if len(text) > MAX_TEXT:
        raise InvalidValue("text", f"at most {MAX_TEXT} characters")
    return text


class Post(JournalAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Published")
    def __init__(
        self, school_id: UUID, wall: Wall, wall_id: UUID, audience: Audience, author_id: UUID,
        text: str, file_ids: tuple[UUID, ...],
    ) -> None:
        self.school_id, self.wall, self.wall_id = school_id, wall, wall_id
        self.audience, self.author_id = audience, author_id
        self.text, self.file_ids = text, file_ids
        self.removed = False

    @classmethod
    def publish(
        cls, school_id: UUID, wall: Wall, wall_id: UUID, audience: Audience, author_id: UUID,
        text: str, file_ids: tuple[UUID, ...] = (),
    ) -> Post:
        if audience not in WALL_AUDIENCES[wall]:
            allowed = ", ".join(a.value for a in WALL_AUDIENCES[wall])
            raise InvalidValue("audience", f"a post on a {wall.value} wall is for: {allowed}")
        if len(file_ids) > MAX_FILES:
            raise InvalidValue("file_ids", f"at most {MAX_FILES} files")
        return cls(
            school_id=school_id, wall=wall, wall_id=wall_id, audience=audience,
            author_id=author_id, text=validated_text(text),
            file_ids=tuple(dict.fromkeys(file_ids)),
        )

    def _check_present(self) -> None:
        if self.removed:
            raise PostNotFound(f"the post {self.id} was removed", {"post_id": "removed"})

    def edit(self, text: str) -> None:
        self._check_present()
        text = validated_text(text)
        if text != self.text:
            self._edited(old_text=self.text, new_text=text)

    @event("Edited")
    def _edited(self, old_text: str, new_text: str) -> None:
        self.text = new_text

    def remove(self, reason: str) -> None:
        self._check_present()
        self._removed(reason=reason.strip() or "удалена")

    @event("Removed")
    def _removed(self, reason: str) -> None:
        self.removed = True


def check_author(post: Post, actor: UUID | None) -> None:
    if actor != post.author_id:
        raise RuleViolated("only the author edits a post", {"actor": "not the author"})
