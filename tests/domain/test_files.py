"""Files: safe names, the type allow-list, who uploads where, the school's quota, deletion."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.commands.files import Upload
from domain.errors import InvalidValue, RuleViolated
from domain.file_quota import QuotaExceeded
from domain.files import (
    FileNotFound,
    FileOwner,
    FileTooLarge,
    OwnerKind,
    checked_content_type,
    sanitised_name,
)
from domain.journal import Command
from tests.domain.conftest import School, local

PDF = "application/pdf"


def _upload(school: School, size: int, actor: UUID | None = None, quota: int = 10_000,
            owner: FileOwner | None = None, command: Command | None = None) -> Upload:
    command = command or school.as_(actor or school.teacher_id)
    owner = owner or FileOwner(OwnerKind.SCHOOL, school.school_id)
    upload = school.journal.reserve_upload(command, owner, "Задание.pdf", PDF, size,
                                           quota_bytes=quota)
    school.journal.complete_upload(command, upload, size, "0" * 64, quota_bytes=quota)
    return upload


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\system.ini.txt", "system.ini.txt"),
    ("  Домашнее\tзадание\n№5.docx ", "Домашнее_задание_№5.docx"),
    ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
    ("..pdf", "pdf"),
])
def test_a_name_is_kept_only_as_its_last_segment_without_unsafe_characters(
    given: str, kept: str
) -> None:
    assert sanitised_name(given) == kept


@pytest.mark.parametrize("name", ["", "..", "/", "../", "  ", "___"])
def test_a_file_without_a_usable_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidValue):
        sanitised_name(name)


def test_a_long_name_is_cut_but_keeps_its_extension() -> None:
    name = sanitised_name("Очень длинное название " * 20 + ".pptx")
    assert len(name) <= 180 and name.endswith(".pptx")


@pytest.mark.parametrize(("content_type", "name"), [
    ("text/html", "page.html"),
    ("application/x-msdownload", "setup.exe"),
    ("image/svg+xml", "logo.svg"),
    ("image/png", "virus.exe"),
    ("application/pdf", "no-extension"),
])
def test_types_outside_the_allow_list_or_disagreeing_with_the_name_are_refused(
    content_type: str, name: str
) -> None:
    with pytest.raises(InvalidValue):
        checked_content_type(content_type, name)


def test_allowed_types_of_each_family_are_accepted() -> None:
    for content_type, name in [("text/plain; charset=utf-8", "a.TXT"), ("image/jpeg", "a.jpeg"),
                               ("video/mp4", "a.mp4"), ("audio/mpeg", "a.mp3"),
                               ("application/zip", "a.zip")]:
        assert checked_content_type(content_type, name) == content_type.split(";")[0]


def test_the_quota_refuses_a_file_that_would_pass_it_and_the_space_is_freed_on_delete(
    school: School,
) -> None:
    first = _upload(school, 6_000)
    with pytest.raises(QuotaExceeded) as refused:
        _upload(school, 5_000)
    assert refused.value.fields == {"size": "exceeds the school's free space of 4000 bytes"}
    school.journal.delete_file(school.as_(school.teacher_id), first.file_id)
    _upload(school, 5_000)
    assert school.journal.get_quota(school.school_id).used == 5_000


def test_a_file_over_the_per_file_limit_is_refused_before_anything_is_reserved(
    school: School,
) -> None:
    owner = FileOwner(OwnerKind.SCHOOL, school.school_id)
    with pytest.raises(FileTooLarge):
        school.journal.reserve_upload(school.as_(school.teacher_id), owner, "a.pdf", PDF, 101,
                                      max_file_bytes=100)
    assert school.journal.get_quota(school.school_id).reservations == {}


def test_an_abandoned_upload_gives_its_space_back(school: School) -> None:
    owner = FileOwner(OwnerKind.SCHOOL, school.school_id)
    command = school.as_(school.teacher_id)
    upload = school.journal.reserve_upload(command, owner, "a.pdf", PDF, 9_000, quota_bytes=10_000)
    with pytest.raises(QuotaExceeded):
        _upload(school, 2_000)
    school.journal.abandon_upload(command, upload, "connection lost")
    _upload(school, 2_000)


def test_a_reservation_left_by_a_crash_expires_and_can_be_released(school: School) -> None:
    owner = FileOwner(OwnerKind.SCHOOL, school.school_id)
    upload = school.journal.reserve_upload(school.as_(school.teacher_id), owner, "a.pdf", PDF,
                                           9_000, quota_bytes=10_000)
    later = school.as_(school.teacher_id, local(date(2024, 9, 2), 8) + timedelta(hours=3))
    _upload(school, 2_000, command=later)  # the stale reservation no longer counts
    released = school.journal.expire_reservations(later, school.school_id)
    assert released.answer["released"] == [str(upload.file_id)]


def test_only_staff_upload_to_the_school_and_students_only_to_their_own_class(
    school: School,
) -> None:
    parent = school.person("Родительская", "Ольга")
    student = school.students[0]
    with pytest.raises(RuleViolated):
        _upload(school, 10, actor=parent)
    with pytest.raises(RuleViolated):
        _upload(school, 10, actor=student)
    _upload(school, 10, actor=student, owner=FileOwner(OwnerKind.CLASS, school.class_id))


def test_a_file_is_deleted_by_its_uploader_or_an_administrator_only(school: School) -> None:
    upload = _upload(school, 10)
    with pytest.raises(RuleViolated):
        school.journal.delete_file(school.as_(school.substitute_id), upload.file_id)
    school.journal.delete_file(school.admin, upload.file_id)
    with pytest.raises(FileNotFound):
        school.journal.delete_file(school.admin, upload.file_id)


def test_only_present_files_of_the_school_or_the_class_are_attachable(school: School) -> None:
    journal = school.journal
    mine = _upload(school, 10).file_id
    of_class = _upload(school, 10, owner=FileOwner(OwnerKind.CLASS, school.class_id)).file_id
    assert len(journal.check_attachable(school.school_id, [mine, of_class], school.class_id)) == 2
    with pytest.raises(RuleViolated) as elsewhere:
        journal.check_attachable(school.school_id, [mine, of_class])
    assert elsewhere.value.fields == {"file_ids[1]": "belongs elsewhere"}
    journal.delete_file(school.admin, mine)
    with pytest.raises(FileNotFound):
        journal.check_attachable(school.school_id, [mine])
