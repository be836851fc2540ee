"""Every event of distance learning round-trips through the msgspec mapper: replaying the log
gives back the same posts, files, quota, materials, video lessons, integrations, profiles."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import Aggregate

from domain.file_quota import FileQuota
from domain.files import FileOwner, OwnerKind, StoredFile
from domain.integrations import Platform, SchoolIntegrations
from domain.materials import LessonMaterials
from domain.posts import Audience, Post
from domain.sferum import SferumProfile
from domain.video_lessons import Conference, VideoLesson
from tests.domain.conftest import RecordingJournal, School

AGGREGATES: tuple[type[Aggregate], ...] = (
    Post, StoredFile, FileQuota, LessonMaterials, VideoLesson, SchoolIntegrations, SferumProfile,
)


def _event_classes() -> set[type]:
    return {value for aggregate in AGGREGATES for name, value in vars(aggregate).items()
            if isinstance(value, type) and issubclass(value, aggregate.Event)
            and name not in ("Event", "Created")}


def _state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _every_event(school: School) -> None:
    journal, admin, teacher = school.journal, school.admin, school.as_(school.teacher_id)
    sid, student = school.school_id, school.students[0]
    journal.assign_homeroom_teacher(admin, school.class_id, school.teacher_id)
    post = UUID(journal.publish_class_post(teacher, school.class_id, "Собрание",
                                           Audience.CLASS_PARENTS).answer["id"])
    journal.edit_post(teacher, post, "Собрание в 18:00")
    journal.remove_post(admin, post, "перенесено")
    owner = FileOwner(OwnerKind.SCHOOL, sid)
    kept = journal.reserve_upload(teacher, owner, "План.pdf", "application/pdf", 100)
    journal.complete_upload(teacher, kept, 90, "a" * 64)
    dropped = journal.reserve_upload(teacher, owner, "Лишний.pdf", "application/pdf", 100)
    journal.abandon_upload(teacher, dropped, "client gone")
    gone = journal.reserve_upload(teacher, owner, "Старый.pdf", "application/pdf", 10)
    journal.complete_upload(teacher, gone, 10, "b" * 64)
    journal.delete_file(teacher, gone.file_id, "устарел")
    lesson = school.lesson(date(2024, 9, 3))
    journal.attach_lesson_materials(teacher, lesson, [kept.file_id])
    journal.detach_lesson_material(teacher, lesson, kept.file_id)
    journal.configure_integration(admin, sid, Platform.SFERUM, "org")
    journal.configure_integration(admin, sid, Platform.TEAMS, None)
    journal.remove_integration(admin, sid, Platform.TEAMS, "не используется")
    request = journal.video_lesson_request(teacher, lesson)
    journal.plan_video_lesson(teacher, request, Conference("https://sferum.example/1", "1"))
    journal.remove_video_lesson(teacher, lesson, "отмена")
    journal.link_sferum_profile(school.as_(student), student, "vk1")
    journal.unlink_sferum_profile(school.as_(student), student)


def test_every_distance_learning_event_replays_to_the_same_aggregates(
    journal: RecordingJournal, school: School,
) -> None:
    _every_event(school)
    produced = {type(event) for event in journal.produced}
    assert _event_classes() <= produced, _event_classes() - produced
    fresh: Repository[UUID] = Repository(event_store=journal.events)
    checked = 0
    for aggregate_id, live in journal.live.items():
        if isinstance(live, AGGREGATES):
            replayed: Aggregate = fresh.get(aggregate_id)
            assert _state(replayed) == _state(live), type(live).__name__
            checked += 1
    assert checked >= 7
