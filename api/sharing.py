"""What the distance-learning routes need: their views, the ports to storage and platforms,
and the role model of who may read a school's or a class's walls, files and lessons.

The ports are found on the composition root by name (`file_storage`, `conferences`), like
the rest of `Services`; a deployment that has not wired one answers 503, not 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from api.auth import Principal, Role
from api.deps import Services
from api.policy import Action, refuse
from api.problems import ProblemError
from domain.file_quota import SCHOOL_QUOTA_BYTES
from domain.files import DEFAULT_MAX_FILE_BYTES
from domain.video_lessons import ConferencePlatform
from projections.chats import ChatQueries
from projections.distance import DistanceQueries
from projections.roster_state import RosterView
from projections.store import ViewStore
from projections.walls import WallQueries

EVERYONE = frozenset({"school", "class", "class_parents"})
NOBODY: frozenset[str] = frozenset()


class StorageWriter(Protocol):
    def write(self, chunk: bytes) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class ContentStore(Protocol):
    """The file storage port (infra/storage.py implements it)."""

    def writer(self, key: str) -> StorageWriter: ...

    def read(self, key: str, chunk_size: int = ...) -> Iterator[bytes]: ...

    def size(self, key: str) -> int | None: ...

    def delete(self, key: str) -> None: ...


def _port(container: Services, name: str, what: str) -> Any:
    port = getattr(container, name, None)
    if port is None:
        raise ProblemError(503, "Not configured", f"this deployment has no {what} connected",
                           "NotConfigured", headers={"Retry-After": "60"})
    return port


def views(container: Services) -> ViewStore:
    store: ViewStore = _port(container, "views", "view database")
    return store


def walls(container: Services) -> WallQueries:
    return WallQueries(views(container))


def distance(container: Services) -> DistanceQueries:
    return DistanceQueries(views(container))


def chats(container: Services) -> ChatQueries:
    return ChatQueries(views(container))


def file_storage(container: Services) -> ContentStore:
    store: ContentStore = _port(container, "file_storage", "file storage")
    return store


def conferences(container: Services) -> ConferencePlatform:
    platform: ConferencePlatform = _port(container, "conferences", "video-conference adapter")
    return platform


def file_limits(container: Services) -> tuple[int, int]:
    """(largest file, a school's total) from the deployment's settings."""
    settings = getattr(container, "settings", None)
    return (int(getattr(settings, "file_max_bytes", DEFAULT_MAX_FILE_BYTES)),
            int(getattr(settings, "files_quota_bytes", SCHOOL_QUOTA_BYTES)))


def audiences(
    caller: Principal, roster: RosterView, school_id: str, class_id: str | None = None
) -> frozenset[str]:
    """The audiences of a school's (or a class's) posts, files and lessons the caller reads.

    Staff, the school's administrators and auditors: all; a class's students: its posts for
    the class; its parents: those and the ones for parents; anyone of the school (a student
    or a parent of one): the school's wall.
    """
    role, person = caller.role, caller.subject
    if role is Role.ADMIN:
        return EVERYONE
    if role in (Role.AUDITOR, Role.SCHOOL_ADMIN):
        allowed = caller.school_id == school_id or (
            role is Role.AUDITOR and caller.school_id is None)
        return EVERYONE if allowed else NOBODY
    if role is Role.TEACHER:
        return EVERYONE if roster.positions(school_id, person) else NOBODY
    if role is Role.STUDENT:
        classes = _classes_of(roster, [person], school_id)
        wanted = {"class"} if class_id else {"school"}
        return frozenset(wanted) if (class_id in classes if class_id else classes) else NOBODY
    if role is Role.PARENT:
        classes = _classes_of(roster, roster.children(person), school_id)
        wanted = {"class", "class_parents"} if class_id else {"school"}
        return frozenset(wanted) if (class_id in classes if class_id else classes) else NOBODY
    return NOBODY


def _classes_of(roster: RosterView, students: list[str], school_id: str) -> set[str]:
    found = set()
    for student in students:
        for group_id in roster.groups_of(student):
            group = roster.group(group_id)
            if group and group["school_id"] == school_id and group["kind"] == "class":
                found.add(group_id)
    return found


def check_reader(
    caller: Principal, roster: RosterView, school_id: str, class_id: str | None = None,
    audience: str | None = None,
) -> frozenset[str]:
    """403 unless the caller reads something there (or that audience, when given)."""
    allowed = audiences(caller, roster, school_id, class_id)
    if not allowed or (audience is not None and audience not in allowed):
        refuse(caller, Action.READ_SHARED, school_id,
               "only the school's or the class's people read this")
    return allowed
