"""Homework and gradebooks over HTTP: a student works on their own homework with their own
token; period, annual and final marks follow the calendar's rules."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID, uuid4

import pytest

from domain.gradebook import GradeKind, gradebook_id
from domain.homework import Homework, WorkStatus
from tests.conftest import Api
from tests.e2e.journal_setup import YEAR, JournalSchool, fields, ok, refused, set_up_school


@pytest.fixture
def s(api: Api) -> JournalSchool:
    return set_up_school(api)


def _homework(s: JournalSchool, homework_id: str) -> Homework:
    return s.api.container.journal.get_homework(UUID(homework_id))


def _upload(caller: Api, url: str, name: str = "Решение.pdf") -> str:
    """A file uploaded by the caller to a school's or class's «Файлы»; its id."""
    stored = caller.request("POST", url, content=b"%PDF-1.4", headers={
        "Content-Type": "application/pdf", "X-File-Name": quote(name)})
    return str(ok(stored, 201)["id"])


def _class_file(s: JournalSchool, caller: Api) -> str:
    return _upload(caller, f"/v1/classes/{s.class_id}/files")


def _assign(s: JournalSchool, **spec: object) -> str:
    """Homework of the first lesson due at the second; its id."""
    body = {"text": "№ 125, 127", "due_lesson_id": s.lessons[1]} | spec
    return str(ok(s.teacher.post(f"/v1/lessons/{s.lessons[0]}/homework", body), 201)["id"])


def test_the_homework_workflow_with_each_student_on_their_own_work(s: JournalSchool) -> None:
    task = _upload(s.teacher, f"/v1/schools/{s.school_id}/files", "Задание.pdf")
    assigned = s.teacher.post(f"/v1/lessons/{s.lessons[0]}/homework", {
        "text": "Решить № 125, 127", "due_lesson_id": s.lessons[1], "needs_checking": True,
        "file_ids": [task]})
    homework = ok(assigned, 201)
    hw, pupil = homework["id"], s.students[0]
    assert assigned.headers["etag"] == '"1"'
    assert homework["timeliness"] == "late"  # published now for a lesson of 2024
    assert _homework(s, hw).file_ids == (UUID(task),)
    work = f"/v1/homework/{hw}/students/{pupil}"
    files = [_class_file(s, s.student(0)), _class_file(s, s.student(0))]

    ok(s.student(0).post(f"{work}/start", {}))
    ok(s.student(0).post(f"{work}/submission", {"file_ids": files}))
    ok(s.teacher.post(f"{work}/return", {"comment": "Перепроверь № 127"}))
    ok(s.student(0).post(f"{work}/comments", {"text": "Исправила"}))
    ok(s.student(0).post(f"{work}/start", {}))
    ok(s.student(0).post(f"{work}/submission", {"file_ids": files[:1]}))
    checked = ok(s.teacher.post(f"{work}/check", {}))

    kept = _homework(s, hw)
    assert kept.version == checked["version"]
    assert kept.works[UUID(pupil)].status is WorkStatus.CHECKED
    assert kept.works[UUID(pupil)].file_ids == (UUID(files[0]),)
    assert [(str(c.author_id), c.text) for c in kept.works[UUID(pupil)].comments] == [
        (s.teacher_id, "Перепроверь № 127"), (pupil, "Исправила")]
    assert kept.works[UUID(s.students[1])].status is WorkStatus.ASSIGNED


def test_a_student_may_not_work_on_another_students_homework(s: JournalSchool) -> None:
    hw = _assign(s)
    before = s.api.container.log_position()
    other = f"/v1/homework/{hw}/students/{s.students[0]}"
    for response in (s.student(1).post(f"{other}/start", {}),
                     s.student(1).post(f"{other}/submission", {"file_ids": []}),
                     s.student(1).post(f"{other}/comments", {"text": "списать?"}),
                     s.student(1).post(f"{other}/check", {})):
        assert refused(response, 403)["code"] == "Forbidden"
    assert s.api.container.log_position() == before
    assert refused(s.teacher.post(f"{other}/start", {}), 403)["code"] == "Forbidden"


def test_individual_homework_is_only_for_the_chosen_students(s: JournalSchool) -> None:
    chosen = s.students[1]
    hw = _assign(s, student_ids=[chosen], result_file_required=True)
    assert set(_homework(s, hw).works) == {UUID(chosen)}

    not_mine = refused(s.student(0).post(
        f"/v1/homework/{hw}/students/{s.students[0]}/start", {}), 422)
    assert fields(not_mine) == ["student_id"]
    ok(s.student(1).post(f"/v1/homework/{hw}/students/{chosen}/start", {}))
    no_file = refused(s.student(1).post(
        f"/v1/homework/{hw}/students/{chosen}/submission", {}), 422)
    assert fields(no_file) == ["file_ids"]

    outsider = str(uuid4())
    problem = refused(s.teacher.post(f"/v1/lessons/{s.lessons[0]}/homework", {
        "text": "Доклад", "due_date": "2024-09-09", "student_ids": [outsider]}), 422)
    assert fields(problem) == ["student_ids[0]"]


def test_only_the_lessons_teacher_checks_homework_and_a_retry_writes_nothing(
    s: JournalSchool,
) -> None:
    hw = _assign(s)
    work = f"/v1/homework/{hw}/students/{s.students[0]}"
    ok(s.student(0).post(f"{work}/start", {}))
    ok(s.student(0).post(f"{work}/submission", {"file_ids": []}))
    stranger = refused(s.stranger.post(f"{work}/check", {}), 422)
    assert fields(stranger) == ["actor"]

    key = {"Idempotency-Key": "check-1"}
    first = ok(s.teacher.post(f"{work}/check", {}, headers=key))
    position = s.api.container.log_position()
    retry = s.teacher.post(f"{work}/check", {}, headers=key)
    assert ok(retry) == first | {"replayed": True}
    assert s.api.container.log_position() == position
    unknown = refused(s.teacher.post(f"{work}/check", {"mark": "5"}), 422)
    assert "mark" in unknown["detail"]


def test_a_homework_body_with_an_unknown_field_or_no_due_date_is_refused(
    s: JournalSchool,
) -> None:
    before = s.api.container.log_position()
    url = f"/v1/lessons/{s.lessons[0]}/homework"
    assert "dew_date" in refused(s.teacher.post(url, {"text": "x", "dew_date": "2024-09-04"}),
                                 422)["detail"]
    assert fields(refused(s.teacher.post(url, {"text": "Прочитать"}), 422)) == ["due_date"]
    assert s.api.container.log_position() == before


def _gradebook(s: JournalSchool) -> str:
    return f"/v1/classes/{s.class_id}/gradebooks/{s.subject_id}"


def _grades(s: JournalSchool) -> dict[tuple[GradeKind, str | None], dict[UUID, str]]:
    book_id = gradebook_id(UUID(s.class_id), UUID(s.subject_id), YEAR)
    return s.api.container.journal.repository.get(book_id).grades  # type: ignore[no-any-return]


def test_period_annual_and_final_marks_and_their_removal(s: JournalSchool) -> None:
    url = _gradebook(s)
    first, second = s.students[0], s.students[1]
    put = ok(s.teacher.post(f"{url}/period-marks", {
        "period": "1 четверть", "marks": {first: "5", second: "4"}}))
    no_reason = refused(s.teacher.post(f"{url}/period-marks", {
        "period": "1 четверть", "marks": {second: "5"}}), 422)
    assert fields(no_reason) == [f"marks[{second}].reason"]
    stale = refused(s.teacher.post(f"{url}/period-marks", {
        "period": "1 четверть", "marks": {second: "5"}, "reason": "исправлена"},
        headers={"If-Match": f'"{put["version"] - 1}"'}), 412)
    assert fields(stale) == ["If-Match"]
    ok(s.teacher.post(f"{url}/period-marks", {
        "period": "1 четверть", "marks": {second: "5"}, "reason": "исправлена"},
        headers={"If-Match": f'"{put["version"]}"'}))
    bad = refused(s.teacher.post(f"{url}/annual-marks", {"marks": {first: "отл"}}), 422)
    assert fields(bad) == [f"marks[{first}].value"]
    ok(s.teacher.post(f"{url}/annual-marks", {"marks": {first: "5", second: "зачёт"}}))
    ok(s.teacher.post(f"{url}/final-marks", {"marks": {first: "5"}}))
    ok(s.teacher.post(f"{url}/removals", {"kind": "final", "student_id": first,
                                          "reason": "ошибка ввода"}))
    nothing = refused(s.teacher.post(f"{url}/removals", {
        "kind": "final", "student_id": first, "reason": "ещё раз"}), 422)
    assert fields(nothing) == ["student_id"]

    grades = _grades(s)
    assert grades[(GradeKind.PERIOD, "1 четверть")] == {UUID(first): "5", UUID(second): "5"}
    assert grades[(GradeKind.ANNUAL, None)] == {UUID(first): "5", UUID(second): "зачёт"}
    assert grades[(GradeKind.FINAL, None)] == {}
    unknown = refused(s.teacher.post(f"{url}/period-marks", {
        "period": "5 четверть", "marks": {first: "5"}}), 422)
    assert fields(unknown) == ["period"]
    assert refused(s.student(0).post(f"{url}/final-marks", {"marks": {first: "5"}}),
                   403)["code"] == "Forbidden"


def test_homework_with_an_unknown_file_is_refused_naming_it_and_nothing_is_stored(
    s: JournalSchool,
) -> None:
    task = _upload(s.teacher, f"/v1/schools/{s.school_id}/files", "Задание.pdf")
    before = s.api.container.log_position()
    url = f"/v1/lessons/{s.lessons[0]}/homework"
    body = {"text": "№ 125", "due_lesson_id": s.lessons[1]}
    unknown = refused(s.teacher.post(url, body | {"file_ids": [task, str(uuid4())]}), 404)
    assert unknown["errors"] == [{"field": "file_ids[1]", "message": "unknown file"}]
    other = set_up_school(s.api)
    foreign = _upload(other.teacher, f"/v1/schools/{other.school_id}/files")
    position = s.api.container.log_position()
    elsewhere = refused(s.teacher.post(url, body | {"file_ids": [foreign]}), 422)
    assert elsewhere["errors"] == [{"field": "file_ids[0]", "message": "belongs elsewhere"}]
    assert s.api.container.log_position() == position
    assert before < position  # only the other school was written meanwhile
    ok(s.teacher.post(url, body | {"file_ids": [task]}), 201)


def test_a_student_submits_a_file_of_their_own_never_a_classmates(s: JournalSchool) -> None:
    hw = _assign(s, result_file_required=True)
    work = f"/v1/homework/{hw}/students/{s.students[0]}"
    ok(s.student(0).post(f"{work}/start", {}))
    mine, theirs = _class_file(s, s.student(0)), _class_file(s, s.student(1))
    before = s.api.container.log_position()
    copied = refused(s.student(0).post(f"{work}/submission", {"file_ids": [mine, theirs]}),
                     422)
    assert copied["errors"] == [{"field": "file_ids[1]", "message": "uploaded by someone else"}]
    unknown = refused(s.student(0).post(f"{work}/submission", {"file_ids": [str(uuid4())]}),
                      404)
    assert [e["field"] for e in unknown["errors"]] == ["file_ids[0]"]
    assert s.api.container.log_position() == before
    ok(s.student(0).post(f"{work}/submission", {"file_ids": [mine]}))
    assert _homework(s, hw).works[UUID(s.students[0])].file_ids == (UUID(mine),)
