"""Video lessons («Видеоуроки»): a link to a Сферум or Teams call on a lesson, for its class.

The link is made by the platform (through a `ConferencePlatform` adapter the API is given);
the journal records it on a small aggregate beside the lesson, keyed by the lesson's id.
Deleting the link removes it; a new one may be planned after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated
from domain.integrations import Platform

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/video-lesson")


class ConferenceRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What a platform adapter needs to create the call."""

    platform: Platform
    organisation_id: str | None
    school_id: UUID
    lesson_id: UUID
    group_id: UUID
    subject_id: UUID
    teacher_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime


class Conference(msgspec.Struct, frozen=True):
    url: str
    external_id: str


class ConferencePlatform(Protocol):
    """The port to the video platforms (a fake in tests, a real adapter in a deployment)."""

    def create(self, request: ConferenceRequest) -> Conference: ...

    def cancel(self, platform: Platform, external_id: str) -> None: ...


def validated_url(url: str) -> str:
    url = url.strip()
    if not url.startswith("https://") or len(url) > 2000 or any(c.isspace() for c in url):
        raise InvalidValue("url", "the platform gave no valid https link")
    return url


class VideoLesson(JournalAggregate):
    @staticmethod
    def create_id(lesson_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(lesson_id))

    @event("Opened")
    def __init__(
        self, lesson_id: UUID, school_id: UUID, class_id: UUID, group_id: UUID, subject_id: UUID
    ) -> None:
        self.lesson_id, self.school_id = lesson_id, school_id
        self.class_id, self.group_id, self.subject_id = class_id, group_id, subject_id
        self.platform: Platform | None = None
        self.url: str | None = None
        self.external_id: str | None = None

    @property
    def active(self) -> bool:
        return self.url is not None

    def plan(
        self, platform: Platform, conference: Conference, request: ConferenceRequest
    ) -> None:
        """Record the call the platform made for `request` (the lesson as it is now)."""
        if self.active:
            raise RuleViolated("the lesson already has a video lesson: delete its link first",
                               {"lesson_id": "already has a video lesson"})
        self._planned(
            platform=platform, url=validated_url(conference.url),
            external_id=conference.external_id, teacher_id=request.teacher_id,
            group_id=request.group_id, subject_id=request.subject_id,
            starts_at=request.starts_at, ends_at=request.ends_at,
        )

    @event("Planned")
    def _planned(
        self, platform: Platform, url: str, external_id: str, teacher_id: UUID, group_id: UUID,
        subject_id: UUID, starts_at: datetime, ends_at: datetime,
    ) -> None:
        self.platform, self.url, self.external_id = platform, url, external_id
        self.group_id, self.subject_id = group_id, subject_id

    def remove(self, reason: str) -> tuple[Platform, str]:
        if not self.active or self.platform is None or self.external_id is None:
            raise RuleViolated("the lesson has no video lesson", {"lesson_id": "no video lesson"})
        removed = (self.platform, self.external_id)
        self._removed(platform=self.platform, reason=reason.strip() or "ссылка удалена")
        return removed

    @event("Removed")
    def _removed(self, platform: Platform, reason: str) -> None:
        self.platform = self.url = self.external_id = None
