"""Posts on walls: who writes on the school's and a class's wall, audiences, edits, removal."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated
from domain.files import FileOwner, OwnerKind
from domain.posts import Audience, Post, PostNotFound, Wall
from domain.school import StaffPosition
from tests.domain.conftest import School


def _post(school: School, post_id: str) -> Post:
    post = school.journal.get_post(UUID(post_id))
    assert isinstance(post, Post)
    return post


def test_any_member_of_the_staff_posts_on_the_school_wall_for_the_whole_school(
    school: School,
) -> None:
    outcome = school.journal.publish_school_post(school.as_(school.substitute_id),
                                                 school.school_id, "  Карантин до 15 марта ")
    post = _post(school, outcome.answer["id"])
    assert (post.wall, post.audience, post.text) == (Wall.SCHOOL, Audience.SCHOOL,
                                                     "Карантин до 15 марта")
    assert post.author_id == school.substitute_id


def test_students_parents_and_services_do_not_post_on_the_school_wall(school: School) -> None:
    for actor in (school.students[0], school.person("Родитель", "Один"), "importer"):
        with pytest.raises(RuleViolated):
            school.journal.publish_school_post(school.as_(actor), school.school_id, "Привет")


def test_a_class_wall_takes_posts_from_its_homeroom_teacher_and_administrators_only(
    school: School,
) -> None:
    journal = school.journal
    with pytest.raises(RuleViolated) as refused:
        journal.publish_class_post(school.as_(school.teacher_id), school.class_id, "Собрание")
    assert refused.value.fields == {"actor": "not the homeroom teacher"}
    journal.assign_homeroom_teacher(school.admin, school.class_id, school.teacher_id)
    by_teacher = journal.publish_class_post(school.as_(school.teacher_id), school.class_id,
                                            "Собрание в четверг", Audience.CLASS_PARENTS)
    by_admin = journal.publish_class_post(school.admin, school.class_id, "Расписание")
    assert _post(school, by_teacher.answer["id"]).audience is Audience.CLASS_PARENTS
    assert _post(school, by_admin.answer["id"]).audience is Audience.CLASS


def test_a_class_post_is_not_for_the_whole_school_and_a_text_is_required(school: School) -> None:
    with pytest.raises(InvalidValue) as audience:
        school.journal.publish_class_post(school.admin, school.class_id, "x", Audience.SCHOOL)
    assert "audience" in audience.value.fields
    with pytest.raises(InvalidValue) as empty:
        school.journal.publish_school_post(school.admin, school.school_id, "   ")
    assert empty.value.fields == {"text": "a post needs a text"}


def test_a_post_links_files_of_its_school_or_class_only(school: School) -> None:
    journal = school.journal
    other = UUID(journal.open_class(school.admin, school.school_id, 2024, "6А").answer["id"])
    owner = FileOwner(OwnerKind.CLASS, other)
    upload = journal.reserve_upload(school.admin, owner, "План.pdf", "application/pdf", 10)
    journal.complete_upload(school.admin, upload, 10, "0" * 64)
    with pytest.raises(RuleViolated):
        journal.publish_class_post(school.admin, school.class_id, "См. файл", Audience.CLASS,
                                   [upload.file_id])
    outcome = journal.publish_class_post(school.admin, other, "См. файл", Audience.CLASS,
                                         [upload.file_id])
    assert _post(school, outcome.answer["id"]).file_ids == (upload.file_id,)


def test_only_the_author_edits_and_the_author_or_an_administrator_removes(school: School) -> None:
    journal = school.journal
    post_id = UUID(journal.publish_school_post(school.as_(school.teacher_id), school.school_id,
                                               "Черновик").answer["id"])
    with pytest.raises(RuleViolated):
        journal.edit_post(school.as_(school.substitute_id), post_id, "Чужая правка")
    journal.edit_post(school.as_(school.teacher_id), post_id, "Итог", expected_version=1)
    with pytest.raises(RuleViolated):
        journal.remove_post(school.as_(school.substitute_id), post_id)
    journal.appoint_staff(school.admin, school.school_id, school.substitute_id,
                          StaffPosition.DEPUTY_DIRECTOR)
    journal.remove_post(school.as_(school.substitute_id), post_id, "устарело")
    with pytest.raises(PostNotFound):
        journal.edit_post(school.as_(school.teacher_id), post_id, "Ещё")
