"""Commands of distance learning: integrations, video lessons, lesson materials, Сферум profiles.

A video lesson is planned in two steps around the platform call the API makes:
`video_lesson_request` judges the lesson and picks the platform (the seed's error when the
school has none), the adapter creates the call, `plan_video_lesson` judges again and records
the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.commands.files import FileCommands
from domain.commands.support import answer
from domain.deadlines import zone
from domain.errors import RuleViolated
from domain.integrations import Platform, SchoolIntegrations
from domain.journal import Command, Decision, Outcome
from domain.lesson import Lesson
from domain.materials import LessonMaterials
from domain.sferum import SferumProfile
from domain.video_lessons import Conference, ConferenceRequest, VideoLesson


class DistanceCommands(FileCommands):
    # --- integrations (a school administrator's setting) --------------------------------

    def get_integrations(self, school_id: UUID) -> SchoolIntegrations:
        return self.load_or_open(
            SchoolIntegrations, SchoolIntegrations.create_id(school_id), "integrations",
            lambda: SchoolIntegrations(school_id=self.get_school(school_id).id),
        )

    def configure_integration(
        self, command: Command, school_id: UUID, platform: Platform,
        organisation_id: str | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            integrations = self.get_integrations(school_id)
            integrations.configure(platform, organisation_id)
            return Decision(answer(integrations), [integrations])

        return self.execute(command, "configure_integration", decide)

    def remove_integration(
        self, command: Command, school_id: UUID, platform: Platform, reason: str = ""
    ) -> Outcome:
        def decide() -> Decision:
            integrations = self.get_integrations(school_id)
            integrations.remove(platform, reason)
            return Decision(answer(integrations), [integrations])

        return self.execute(command, "remove_integration", decide)

    # --- video lessons -------------------------------------------------------------------

    def get_video_lesson(self, lesson: Lesson) -> VideoLesson:
        return self.load_or_open(
            VideoLesson, VideoLesson.create_id(lesson.id), "video lesson",
            lambda: VideoLesson(lesson_id=lesson.id, school_id=lesson.school_id,
                                class_id=lesson.class_id, group_id=lesson.group_id,
                                subject_id=lesson.subject_id),
        )

    def video_lesson_request(
        self, command: Command, lesson_id: UUID, platform: Platform | None = None
    ) -> ConferenceRequest:
        """Who may plan it, on which platform, for which call: judged before the call exists."""
        lesson = self.get_lesson(lesson_id)
        school = self.check_journal_keeper(command, lesson)
        if lesson.cancelled:
            raise RuleViolated("the lesson is cancelled: no video lesson",
                               {"lesson_id": "cancelled"})
        if self.get_video_lesson(lesson).active:
            raise RuleViolated("the lesson already has a video lesson: delete its link first",
                               {"lesson_id": "already has a video lesson"})
        integration = self.get_integrations(school.id).choose(platform)
        tz = zone(school.time_zone)
        subject = self.get_subjects(school.id).subjects.get(lesson.subject_id)
        group = self.get_group(lesson.group_id)
        return ConferenceRequest(
            platform=integration.platform, organisation_id=integration.organisation_id,
            school_id=school.id, lesson_id=lesson.id, group_id=lesson.group_id,
            subject_id=lesson.subject_id, teacher_id=lesson.substitute_id or lesson.teacher_id,
            title=f"{group.name} · {subject.name if subject else 'урок'} · {lesson.number} урок",
            starts_at=datetime.combine(lesson.day, lesson.start, tzinfo=tz),
            ends_at=datetime.combine(lesson.day, lesson.end, tzinfo=tz),
        )

    def plan_video_lesson(
        self, command: Command, request: ConferenceRequest, conference: Conference
    ) -> Outcome:
        """Record the link the platform made; the lesson and the platform judged again."""

        def decide() -> Decision:
            lesson = self.get_lesson(request.lesson_id)
            school = self.check_journal_keeper(command, lesson)
            if lesson.cancelled:
                raise RuleViolated("the lesson is cancelled: no video lesson",
                                   {"lesson_id": "cancelled"})
            self.get_integrations(school.id).choose(request.platform)
            video = self.get_video_lesson(lesson)
            video.plan(request.platform, conference, request)
            extra = {"platform": request.platform.value, "url": video.url}
            return Decision(answer(video, **extra), [video])

        return self.execute(command, "plan_video_lesson", decide)

    def remove_video_lesson(self, command: Command, lesson_id: UUID, reason: str = "") -> Outcome:
        """Delete the link; the answer names the call so the API can cancel it."""

        def decide() -> Decision:
            lesson = self.get_lesson(lesson_id)
            self.check_journal_keeper(command, lesson)
            video = self.get_video_lesson(lesson)
            platform, external_id = video.remove(reason)
            extra = {"platform": platform.value, "external_id": external_id}
            return Decision(answer(video, **extra), [video])

        return self.execute(command, "remove_video_lesson", decide)

    # --- lesson materials ----------------------------------------------------------------

    def get_materials(self, lesson: Lesson) -> LessonMaterials:
        return self.load_or_open(
            LessonMaterials, LessonMaterials.create_id(lesson.id), "lesson materials",
            lambda: LessonMaterials(lesson_id=lesson.id, school_id=lesson.school_id,
                                    class_id=lesson.class_id, group_id=lesson.group_id),
        )

    def attach_lesson_materials(
        self, command: Command, lesson_id: UUID, file_ids: Sequence[UUID]
    ) -> Outcome:
        """Files of the school or of the lesson's class, by the lesson's teacher or an admin."""

        def decide() -> Decision:
            lesson = self.get_lesson(lesson_id)
            self.check_journal_keeper(command, lesson)
            self.check_attachable(lesson.school_id, file_ids, lesson.class_id)
            materials = self.get_materials(lesson)
            materials.attach(file_ids)
            return Decision(answer(materials), [materials])

        return self.execute(command, "attach_lesson_materials", decide)

    def detach_lesson_material(self, command: Command, lesson_id: UUID, file_id: UUID) -> Outcome:
        def decide() -> Decision:
            lesson = self.get_lesson(lesson_id)
            self.check_journal_keeper(command, lesson)
            materials = self.get_materials(lesson)
            materials.detach(file_id)
            return Decision(answer(materials), [materials])

        return self.execute(command, "detach_lesson_material", decide)

    # --- Сферум profiles ------------------------------------------------------------------

    def get_sferum_profile(self, person_id: UUID) -> SferumProfile:
        return self.load_or_open(
            SferumProfile, SferumProfile.create_id(person_id), "Сферум profile",
            lambda: SferumProfile(person_id=self.get_person(person_id).id),
        )

    def link_sferum_profile(self, command: Command, person_id: UUID, profile_id: str) -> Outcome:
        """The person's study profile: from now on they are added to their Сферум chats."""

        def decide() -> Decision:
            profile = self.get_sferum_profile(person_id)
            profile.link(profile_id)
            return Decision(answer(profile, profile_id=profile.profile_id), [profile])

        return self.execute(command, "link_sferum_profile", decide)

    def unlink_sferum_profile(self, command: Command, person_id: UUID, reason: str = "") -> Outcome:
        def decide() -> Decision:
            profile = self.get_sferum_profile(person_id)
            profile.unlink(reason)
            return Decision(answer(profile), [profile])

        return self.execute(command, "unlink_sferum_profile", decide)
