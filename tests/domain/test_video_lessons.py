"""Video lessons (the seed's error, the platform choice), lesson materials, Сферум profiles."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated
from domain.files import FileOwner, OwnerKind
from domain.integrations import (
    SFERUM_NOT_CONFIGURED,
    IntegrationNotConfigured,
    Platform,
    PlatformChoiceNeeded,
)
from domain.materials import LessonMaterials
from domain.sferum import SferumProfile
from domain.video_lessons import Conference, VideoLesson
from tests.domain.conftest import School

TUESDAY = date(2024, 9, 3)
SEED_ERROR = ("У вашей образовательной организации не настроена интеграция с платформой "
              "Сферум. Обратитесь к администратору.")


def _enable(school: School, *platforms: Platform) -> None:
    for platform in platforms:
        school.journal.configure_integration(school.admin, school.school_id, platform, "org")


def _plan(school: School, lesson_id: UUID, platform: Platform | None = None) -> VideoLesson:
    command = school.as_(school.teacher_id)
    request = school.journal.video_lesson_request(command, lesson_id, platform)
    school.journal.plan_video_lesson(command, request, Conference("https://x.example/c/1", "c1"))
    lesson = school.journal.get_lesson(lesson_id)
    return school.journal.get_video_lesson(lesson)


@pytest.mark.parametrize("requested", [None, Platform.SFERUM])
def test_a_school_without_the_integration_gets_exactly_the_seeds_error(
    school: School, requested: Platform | None
) -> None:
    lesson = school.lesson(TUESDAY)
    with pytest.raises(IntegrationNotConfigured) as refused:
        school.journal.video_lesson_request(school.as_(school.teacher_id), lesson, requested)
    assert refused.value.detail == SEED_ERROR == SFERUM_NOT_CONFIGURED
    assert refused.value.fields == {"platform": "not configured"}


def test_the_only_platform_is_chosen_and_another_one_named_is_refused(school: School) -> None:
    _enable(school, Platform.TEAMS)
    lesson = school.lesson(TUESDAY)
    request = school.journal.video_lesson_request(school.as_(school.teacher_id), lesson)
    assert request.platform is Platform.TEAMS and request.organisation_id == "org"
    with pytest.raises(IntegrationNotConfigured) as refused:
        school.journal.video_lesson_request(school.as_(school.teacher_id), lesson, Platform.SFERUM)
    assert refused.value.detail == SEED_ERROR


def test_with_two_platforms_the_teacher_must_choose(school: School) -> None:
    _enable(school, Platform.SFERUM, Platform.TEAMS)
    lesson = school.lesson(TUESDAY)
    with pytest.raises(PlatformChoiceNeeded) as refused:
        school.journal.video_lesson_request(school.as_(school.teacher_id), lesson)
    assert refused.value.fields == {"platform": "choose one of: sferum, teams"}
    assert _plan(school, lesson, Platform.SFERUM).platform is Platform.SFERUM


def test_the_link_is_on_the_lesson_until_deleted_and_a_new_one_may_follow(school: School) -> None:
    _enable(school, Platform.SFERUM)
    lesson = school.lesson(TUESDAY)
    video = _plan(school, lesson)
    assert (video.url, video.lesson_id, video.subject_id) == (
        "https://x.example/c/1", lesson, school.subject_id)
    with pytest.raises(RuleViolated):
        school.journal.video_lesson_request(school.as_(school.teacher_id), lesson)
    removed = school.journal.remove_video_lesson(school.as_(school.teacher_id), lesson)
    assert removed.answer["external_id"] == "c1"
    assert not school.journal.get_video_lesson(school.journal.get_lesson(lesson)).active
    assert _plan(school, lesson).active


def test_only_the_lessons_teacher_or_an_administrator_plans_and_not_on_a_cancelled_lesson(
    school: School,
) -> None:
    _enable(school, Platform.SFERUM)
    lesson = school.lesson(TUESDAY)
    with pytest.raises(RuleViolated):
        school.journal.video_lesson_request(school.as_(school.substitute_id), lesson)
    school.journal.video_lesson_request(school.admin, lesson)
    school.journal.cancel_lesson(school.admin, lesson, "карантин")
    with pytest.raises(RuleViolated):
        school.journal.video_lesson_request(school.as_(school.teacher_id), lesson)


def test_a_platform_switched_off_meanwhile_is_judged_again_when_recording(school: School) -> None:
    _enable(school, Platform.SFERUM)
    lesson = school.lesson(TUESDAY)
    command = school.as_(school.teacher_id)
    request = school.journal.video_lesson_request(command, lesson)
    school.journal.remove_integration(school.admin, school.school_id, Platform.SFERUM)
    with pytest.raises(IntegrationNotConfigured):
        school.journal.plan_video_lesson(command, request, Conference("https://x/1", "1"))


def test_a_platform_link_that_is_not_https_is_refused(school: School) -> None:
    _enable(school, Platform.SFERUM)
    lesson = school.lesson(TUESDAY)
    command = school.as_(school.teacher_id)
    request = school.journal.video_lesson_request(command, lesson)
    with pytest.raises(InvalidValue):
        school.journal.plan_video_lesson(command, request, Conference("javascript:x", "1"))


def test_materials_are_files_of_the_school_or_the_lessons_class_by_its_teacher(
    school: School,
) -> None:
    journal = school.journal
    lesson = school.lesson(TUESDAY)
    upload = journal.reserve_upload(school.admin, FileOwner(OwnerKind.CLASS, school.class_id),
                                    "Презентация.pptx", "application/vnd.openxmlformats-"
                                    "officedocument.presentationml.presentation", 10)
    journal.complete_upload(school.admin, upload, 10, "0" * 64)
    with pytest.raises(RuleViolated):
        journal.attach_lesson_materials(school.as_(school.substitute_id), lesson,
                                        [upload.file_id])
    journal.attach_lesson_materials(school.as_(school.teacher_id), lesson, [upload.file_id])
    journal.attach_lesson_materials(school.as_(school.teacher_id), lesson, [upload.file_id])
    materials = journal.get_materials(journal.get_lesson(lesson))
    assert isinstance(materials, LessonMaterials) and materials.file_ids == [upload.file_id]
    journal.detach_lesson_material(school.as_(school.teacher_id), lesson, upload.file_id)
    assert journal.get_materials(journal.get_lesson(lesson)).file_ids == []


def test_a_sferum_profile_is_linked_checked_and_unlinked(school: School) -> None:
    journal, student = school.journal, school.students[0]
    with pytest.raises(InvalidValue):
        journal.link_sferum_profile(school.as_(student), student, "../../x y")
    with pytest.raises(RuleViolated):
        journal.unlink_sferum_profile(school.as_(student), student)
    journal.link_sferum_profile(school.as_(student), student, "vk:123456")
    profile = journal.get_sferum_profile(student)
    assert isinstance(profile, SferumProfile) and profile.profile_id == "vk:123456"
    journal.unlink_sferum_profile(school.as_(student), student, "сменил аккаунт")
    assert journal.get_sferum_profile(student).profile_id is None
