"""A person's Сферум study profile («учебный профиль»), linked through VK ID.

Only people with a linked profile are added to the Сферум chats; linking one is what adds
them. Kept beside the person, keyed by the person's id.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/sferum-profile")
_PROFILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def validated_profile_id(profile_id: str) -> str:
    profile_id = profile_id.strip()
    if not _PROFILE_ID.match(profile_id):
        raise InvalidValue("profile_id", "a Сферум profile id: letters, digits, _ . : -")
    return profile_id


class SferumProfile(JournalAggregate):
    @staticmethod
    def create_id(person_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(person_id))

    @event("Opened")
    def __init__(self, person_id: UUID) -> None:
        self.person_id = person_id
        self.profile_id: str | None = None

    def link(self, profile_id: str) -> None:
        profile_id = validated_profile_id(profile_id)
        if profile_id != self.profile_id:
            self._linked(profile_id=profile_id, previous_id=self.profile_id)

    @event("Linked")
    def _linked(self, profile_id: str, previous_id: str | None) -> None:
        self.profile_id = profile_id

    def unlink(self, reason: str) -> None:
        if self.profile_id is None:
            raise RuleViolated("no Сферум profile is linked", {"profile_id": "not linked"})
        self._unlinked(profile_id=self.profile_id, reason=reason.strip() or "отвязан")

    @event("Unlinked")
    def _unlinked(self, profile_id: str, reason: str) -> None:
        self.profile_id = None
