"""Request and response bodies of distance learning: posts, files, video lessons, chats."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from domain.integrations import Platform
from domain.posts import Audience


class PublishSchoolPost(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: str
    file_ids: list[UUID] = []


class PublishClassPost(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: str
    audience: Audience = Audience.CLASS  # or class_parents: the class's parents only
    file_ids: list[UUID] = []


class EditPost(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: str


class PostView(msgspec.Struct, kw_only=True):
    id: UUID
    school_id: UUID
    wall: str
    wall_id: UUID
    audience: Audience
    author_id: UUID
    text: str
    file_ids: list[UUID]
    published_at: str
    edited_at: str | None
    position: int
    version: int


class WallPage(msgspec.Struct, kw_only=True):
    items: list[PostView]
    next_cursor: str | None = None


class FileUploaded(msgspec.Struct, kw_only=True):
    position: int
    id: UUID
    version: int
    name: str
    size: int
    content_type: str
    replayed: bool = False


class FileOwnerView(msgspec.Struct):
    kind: str
    id: UUID


class FileView(msgspec.Struct, kw_only=True):
    id: UUID
    school_id: UUID
    owner: FileOwnerView
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UUID | None
    uploaded_at: str
    lessons: list[UUID]


class FilePage(msgspec.Struct, kw_only=True):
    items: list[FileView]
    next_cursor: str | None = None
    used_bytes: int
    quota_bytes: int


class AttachMaterials(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    file_ids: list[UUID]


class ConfigureIntegration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organisation_id: str | None = None


class PlanVideoLesson(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Name the platform when the school has several; with one, it is chosen for you."""

    platform: Platform | None = None


class VideoLessonPlanned(msgspec.Struct, kw_only=True):
    position: int
    id: UUID
    version: int
    platform: Platform
    url: str
    replayed: bool = False


class VideoLink(msgspec.Struct, kw_only=True):
    platform: Platform
    url: str
    teacher_id: UUID
    subject_id: UUID
    starts_at: str
    ends_at: str
    planned_at: str
    external_id: str


class LessonOnline(msgspec.Struct, kw_only=True):
    """A lesson's distance-learning side: its video link (null: none) and its materials."""

    lesson_id: UUID
    school_id: UUID
    class_id: UUID
    group_id: UUID
    video: VideoLink | None
    materials: list[FileView]


class LinkSferumProfile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    profile_id: str


class ChatView(msgspec.Struct, kw_only=True):
    id: UUID
    key: str
    kind: str  # teachers, class, parents, subject
    school_id: UUID | None
    group_id: UUID | None
    subject_id: UUID | None
    title: str
    candidates: int = 0
    wanted: int = 0
    digest: str = ""
    in_chat: bool | None = None  # for a person's own chats: has a profile, so is in it
    admin: bool | None = None
    members: list[dict[str, Any]] | None = None


class ChatList(msgspec.Struct, kw_only=True):
    items: list[ChatView]
