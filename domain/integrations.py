"""A school's video-conference integrations (Сферум, Microsoft Teams), set up by its admin.

Planning a distance lesson picks the platform here: the one the teacher names, or the only
one configured; with several and none named the teacher must choose; with none, the error
the seed quotes word for word.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/school-integrations")


class Platform(StrEnum):
    SFERUM = "sferum"
    TEAMS = "teams"


PLATFORM_NAMES = {Platform.SFERUM: "Сферум", Platform.TEAMS: "Microsoft Teams"}

SFERUM_NOT_CONFIGURED = (
    "У вашей образовательной организации не настроена интеграция с платформой Сферум. "
    "Обратитесь к администратору."
)


def not_configured_message(platform: Platform) -> str:
    return SFERUM_NOT_CONFIGURED.replace("Сферум", PLATFORM_NAMES[platform])


class IntegrationNotConfigured(RuleViolated):
    title = "The video-conference integration is not configured"


class PlatformChoiceNeeded(RuleViolated):
    title = "Choose a video-conference platform"


class Integration(msgspec.Struct, frozen=True):
    """How the school is known to the platform (e.g. its organisation id in Сферум)."""

    platform: Platform
    organisation_id: str | None = None


class SchoolIntegrations(JournalAggregate):
    @staticmethod
    def create_id(school_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(school_id))

    @event("Opened")
    def __init__(self, school_id: UUID) -> None:
        self.school_id = school_id
        self.platforms: dict[Platform, Integration] = {}

    def configure(self, platform: Platform, organisation_id: str | None) -> None:
        organisation_id = (organisation_id or "").strip() or None
        if organisation_id is not None and len(organisation_id) > 200:
            raise InvalidValue("organisation_id", "at most 200 characters")
        integration = Integration(platform, organisation_id)
        if self.platforms.get(platform) != integration:
            self._configured(integration=integration)

    @event("Configured")
    def _configured(self, integration: Integration) -> None:
        self.platforms[integration.platform] = integration

    def remove(self, platform: Platform, reason: str) -> None:
        if platform not in self.platforms:
            raise IntegrationNotConfigured(not_configured_message(platform),
                                           {"platform": "not configured"})
        self._removed(platform=platform, reason=reason.strip() or "отключена")

    @event("Removed")
    def _removed(self, platform: Platform, reason: str) -> None:
        self.platforms.pop(platform, None)

    def choose(self, requested: Platform | None) -> Integration:
        """The platform for a distance lesson (the seed's error when none is configured)."""
        if requested is not None:
            found = self.platforms.get(requested)
            if found is None:
                raise IntegrationNotConfigured(not_configured_message(requested),
                                               {"platform": "not configured"})
            return found
        if not self.platforms:
            raise IntegrationNotConfigured(SFERUM_NOT_CONFIGURED, {"platform": "not configured"})
        if len(self.platforms) > 1:
            names = ", ".join(sorted(p.value for p in self.platforms))
            raise PlatformChoiceNeeded(
                f"several video-conference services are configured ({names}): choose one",
                {"platform": f"choose one of: {names}"},
            )
        return next(iter(self.platforms.values()))

