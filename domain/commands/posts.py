"""Commands on posts: publishing on the school's or a class's wall, editing, removing.

The school's wall takes posts from its staff; a class's wall from its homeroom teacher
(and the school's administrators). A post may link files of the school or of the class.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.commands.files import FileCommands
from domain.commands.support import answer, person_id
from domain.edugroup import GroupKind
from domain.errors import RuleViolated
from domain.journal import Command, Decision, Outcome
from domain.posts import Audience, Post, PostNotFound, Wall, check_author


class PostCommands(FileCommands):
    def get_post(self, post_id: UUID, expected_version: int | None = None) -> Post:
        return self.load(Post, post_id, PostNotFound, "post", expected_version)

    def _author(self, command: Command) -> UUID:
        author = person_id(command.actor)
        if author is None:
            raise RuleViolated("a post is written by a person", {"actor": "not a person"})
        return author

    def publish_school_post(
        self, command: Command, school_id: UUID, text: str, file_ids: Sequence[UUID] = ()
    ) -> Outcome:
        """On the school's wall, for everyone of the school; by a member of its staff."""

        def decide() -> Decision:
            school = self.get_school(school_id)
            author = self._author(command)
            if not school.employs(author):
                raise RuleViolated("only the school's staff post on its wall",
                                   {"actor": "not on the school's staff"})
            self.check_attachable(school.id, file_ids)
            post = Post.publish(school.id, Wall.SCHOOL, school.id, Audience.SCHOOL, author,
                                text, tuple(file_ids))
            return Decision(answer(post), [post])

        return self.execute(command, "publish_school_post", decide)

    def publish_class_post(
        self, command: Command, class_id: UUID, text: str,
        audience: Audience = Audience.CLASS, file_ids: Sequence[UUID] = (),
    ) -> Outcome:
        """On a class's wall, for its students and parents or its parents only; by its
        homeroom teacher or a school administrator."""

        def decide() -> Decision:
            group = self.get_group(class_id)
            if group.kind is not GroupKind.CLASS:
                raise RuleViolated("a wall belongs to a class", {"class_id": "a subgroup"})
            author = self._author(command)
            if author != group.homeroom_teacher_id:
                try:
                    self.check_administrator(command, self.get_school(group.school_id))
                except RuleViolated:
                    raise RuleViolated(
                        "only the class's homeroom teacher or a school administrator posts "
                        "on the class's wall", {"actor": "not the homeroom teacher"},
                    ) from None
            self.check_attachable(group.school_id, file_ids, group.id)
            post = Post.publish(group.school_id, Wall.CLASS, group.id, audience, author, text,
                                tuple(file_ids))
            return Decision(answer(post), [post])

        return self.execute(command, "publish_class_post", decide)

    def edit_post(
        self, command: Command, post_id: UUID, text: str, expected_version: int | None = None
    ) -> Outcome:
        def decide() -> Decision:
            post = self.get_post(post_id, expected_version)
            check_author(post, person_id(command.actor))
            post.edit(text)
            return Decision(answer(post), [post])

        return self.execute(command, "edit_post", decide)

    def remove_post(
        self, command: Command, post_id: UUID, reason: str = "",
        expected_version: int | None = None,
    ) -> Outcome:
        """By its author or a school administrator."""

        def decide() -> Decision:
            post = self.get_post(post_id, expected_version)
            if person_id(command.actor) != post.author_id:
                self.check_administrator(command, self.get_school(post.school_id))
            post.remove(reason)
            return Decision(answer(post), [post])

        return self.execute(command, "remove_post", decide)
