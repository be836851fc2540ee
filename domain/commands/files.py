"""Commands on files: reserve space, complete or abandon an upload, delete, check attachments.

An upload is three steps around the bytes the API streams to storage: `reserve_upload`
(the quota is held first: concurrent uploads cannot together pass it), then
`complete_upload` (the file and the used space, saved together) or `abandon_upload` (the
space given back). The quota aggregate serialises them all; a command that loses the race
to it reloads and is judged again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from uuid import UUID, uuid4

from domain.command_record import command_id_for
from domain.commands.lessons import LessonCommands
from domain.commands.support import answer, person_id, pinned_clock
from domain.edugroup import GroupKind
from domain.errors import Conflict, IdempotencyKeyReused, RuleViolated
from domain.file_quota import SCHOOL_QUOTA_BYTES, FileQuota
from domain.files import (
    DEFAULT_MAX_FILE_BYTES,
    FileNotFound,
    FileOwner,
    OwnerKind,
    StoredFile,
    checked_content_type,
    checked_size,
    sanitised_name,
)
from domain.journal import Command, Decision, Outcome

RACE_ATTEMPTS = 40


@dataclass(frozen=True)
class Upload:
    """Space reserved for one upload: where its bytes go and how many may come."""

    file_id: UUID
    school_id: UUID
    owner: FileOwner
    name: str
    content_type: str
    reserved: int


def retried(run: Callable[[], Outcome], attempts: int = RACE_ATTEMPTS) -> Outcome:
    """Run a command again when a concurrent one saved the same aggregate first."""
    for attempt in range(attempts):
        try:
            return run()
        except IdempotencyKeyReused:
            raise
        except Conflict:
            if attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
    raise AssertionError("unreachable")


class FileCommands(LessonCommands):
    def get_file(self, file_id: UUID) -> StoredFile:
        return self.load(StoredFile, file_id, FileNotFound, "file")

    def get_quota(self, school_id: UUID) -> FileQuota:
        return self.load_or_open(FileQuota, FileQuota.create_id(school_id), "file quota",
                                 lambda: FileQuota(school_id=school_id))

    def school_of_owner(self, owner: FileOwner) -> UUID:
        if owner.kind is OwnerKind.SCHOOL:
            return self.get_school(owner.id).id
        group = self.get_group(owner.id)
        if group.kind is not GroupKind.CLASS:
            raise RuleViolated("files belong to a school or a class", {"owner": "a subgroup"})
        return group.school_id

    def check_uploader(self, command: Command, owner: FileOwner, school_id: UUID) -> None:
        """Staff of the school; for a class's files also its students (their submissions)."""
        actor = person_id(command.actor)
        if actor is not None and self.get_school(school_id).employs(actor):
            return
        if (owner.kind is OwnerKind.CLASS and actor is not None
                and self.get_group(owner.id).current_stint(actor) is not None):
            return
        raise RuleViolated("only the school's staff, or a class's students on its page, "
                           "upload files here", {"actor": "may not upload here"})

    def replayed(self, command: Command, name: str) -> Outcome | None:
        """A retried command's first answer, found before any side effect is repeated (the
        bytes of an upload, the call a platform makes for a video lesson)."""
        if not command.idempotency_key:
            return None
        command_id = command_id_for(command.actor, command.idempotency_key)
        return self._replay(command_id, name, command.fingerprint)

    def reserve_upload(
        self, command: Command, owner: FileOwner, name: str, content_type: str,
        size: int | None, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        quota_bytes: int = SCHOOL_QUOTA_BYTES,
    ) -> Upload:
        """Hold space for an upload of `size` bytes (unknown: the per-file limit)."""
        file_id = uuid4()
        plain = replace(command, idempotency_key=None)

        def decide() -> Decision:
            school_id = self.school_of_owner(owner)
            self.check_uploader(command, owner, school_id)
            clean = sanitised_name(name)
            media_type = checked_content_type(content_type, clean)
            reserved = checked_size(max_file_bytes if size is None else size, max_file_bytes)
            quota = self.get_quota(school_id)
            with pinned_clock() as now:
                quota.reserve(file_id, reserved, now, quota_bytes)
            return Decision({"file_id": str(file_id), "school_id": str(school_id),
                             "name": clean, "content_type": media_type,
                             "reserved": reserved}, [quota])

        found = retried(lambda: self.execute(plain, "reserve_upload", decide)).answer
        return Upload(file_id, UUID(found["school_id"]), owner, found["name"],
                      found["content_type"], found["reserved"])

    def complete_upload(
        self, command: Command, upload: Upload, size: int, sha256: str,
        quota_bytes: int = SCHOOL_QUOTA_BYTES,
    ) -> Outcome:
        """The bytes are stored: the file and its used space are saved together."""

        def decide() -> Decision:
            checked_size(size, upload.reserved)
            quota = self.get_quota(upload.school_id)
            with pinned_clock() as now:
                quota.commit(upload.file_id, size, now, quota_bytes)
                stored = StoredFile(  # type: ignore[call-arg]
                    id=upload.file_id, school_id=upload.school_id, owner=upload.owner,
                    name=upload.name, content_type=upload.content_type, size=size,
                    sha256=sha256, uploaded_by=person_id(command.actor),
                )
            extra = {"name": stored.name, "size": size, "content_type": stored.content_type}
            return Decision(answer(stored, **extra), [quota, stored])

        return retried(lambda: self.execute(command, "complete_upload", decide))

    def abandon_upload(self, command: Command, upload: Upload, reason: str) -> Outcome:
        """The upload failed or was refused: its reserved space is given back."""
        plain = replace(command, idempotency_key=None)

        def decide() -> Decision:
            quota = self.get_quota(upload.school_id)
            released = quota.release(upload.file_id, reason)
            return Decision({"released": released}, [quota])

        return retried(lambda: self.execute(plain, "abandon_upload", decide))

    def expire_reservations(self, command: Command, school_id: UUID) -> Outcome:
        """Release reservations left behind by uploads that never finished."""

        def decide() -> Decision:
            quota = self.get_quota(school_id)
            with pinned_clock() as now:
                expired = quota.expired(now)
            for file_id in expired:
                quota.release(file_id, "reservation expired")
            return Decision({"released": [str(f) for f in expired]}, [quota])

        return retried(lambda: self.execute(command, "expire_reservations", decide))

    def delete_file(self, command: Command, file_id: UUID, reason: str = "") -> Outcome:
        """By its uploader or a school administrator; its space is given back."""

        def decide() -> Decision:
            stored = self.get_file(file_id)
            stored.check_present()
            if person_id(command.actor) != stored.uploaded_by:
                self.check_administrator(command, self.get_school(stored.school_id))
            stored.delete(reason)
            quota = self.get_quota(stored.school_id)
            quota.free(stored.id)
            return Decision(answer(stored), [stored, quota])

        return retried(lambda: self.execute(command, "delete_file", decide))

    def check_attachable(
        self, school_id: UUID, file_ids: Sequence[UUID], class_id: UUID | None = None,
        field: str = "file_ids",
    ) -> list[StoredFile]:
        """Present files of this school, on its profile or (with `class_id`) that class's page."""
        owners = {FileOwner(OwnerKind.SCHOOL, school_id)}
        if class_id is not None:
            owners.add(FileOwner(OwnerKind.CLASS, class_id))
        found = []
        for index, file_id in enumerate(file_ids):
            where = f"{field}[{index}]"
            try:
                stored = self.get_file(file_id)
                stored.check_present()
            except FileNotFound:
                raise FileNotFound(f"no file with id {file_id}", {where: "unknown file"}) from None
            if stored.school_id != school_id or stored.owner not in owners:
                raise RuleViolated("a file attached here must be the school's or the class's",
                                   {where: "belongs elsewhere"})
            found.append(stored)
        return found
