"""The lesson journal over HTTP: a whole class's marks in one request, refusals that write
nothing, idempotent retries, two teachers saving at once, attendance overrides."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import pytest

from api.auth import Role
from domain.marks import Attendance
from domain.work_types import BuiltIn
from tests.conftest import Api
from tests.e2e.journal_setup import JournalSchool, fields, ok, refused, set_up_school


@pytest.fixture
def s(api: Api) -> JournalSchool:
    return set_up_school(api)


def test_a_teacher_places_a_whole_class_marks_in_one_request_each_flagged_late_or_not(
    s: JournalSchool,
) -> None:
    lesson = s.lessons[0]
    before = s.api.container.log_position()
    response = s.teacher.post(f"/v1/lessons/{lesson}/marks", {"marks": [
        s.mark(0, "5"), s.mark(1, "4"), s.mark(2, "3", BuiltIn.TEST_PAPER)]})
    placed = ok(response)

    assert placed["position"] == s.api.container.log_position() > before
    assert response.headers["etag"] == f'"{placed["version"]}"'
    assert placed["id"] == lesson and placed["version"] == s.version(lesson)
    # «Ответ на уроке» is due by 21:00 of the lesson day (in 2024): late; a test paper is not.
    assert [(m["student_id"], m["late"]) for m in placed["marks"]] == [
        (s.students[0], True), (s.students[1], True), (s.students[2], False)]
    marks = s.api.container.journal.get_lesson(UUID(lesson)).marks
    assert {str(mark_id) for mark_id in marks} == {m["id"] for m in placed["marks"]}
    assert sorted(mark.value for mark in marks.values()) == ["3", "4", "5"]


def test_an_invalid_mark_value_is_422_naming_the_item_and_nothing_is_written(
    s: JournalSchool,
) -> None:
    before = s.api.container.log_position()
    problem = refused(s.teacher.post(f"/v1/lessons/{s.lessons[0]}/marks", {"marks": [
        s.mark(0, "5"), s.mark(1, "6"), s.mark(2, "4")]}), 422)
    assert fields(problem) == ["marks[1].value"]
    assert s.api.container.log_position() == before
    assert s.api.container.journal.get_lesson(UUID(s.lessons[0])).marks == {}


def test_a_misspelt_field_of_a_mark_is_refused_not_ignored(s: JournalSchool) -> None:
    entry = s.mark(0, "5") | {"wieght": "2"}
    problem = refused(s.teacher.post(f"/v1/lessons/{s.lessons[0]}/marks",
                                     {"marks": [entry]}), 422)
    assert "wieght" in problem["detail"]


def test_a_teacher_who_does_not_teach_the_lesson_is_refused_and_nothing_is_written(
    s: JournalSchool,
) -> None:
    before = s.api.container.log_position()
    body = {"marks": [s.mark(0, "5")]}
    problem = refused(s.stranger.post(f"/v1/lessons/{s.lessons[0]}/marks", body), 422)
    assert fields(problem) == ["actor"]
    student = refused(s.student(0).post(f"/v1/lessons/{s.lessons[0]}/marks", body), 403)
    assert student["code"] == "Forbidden"
    assert s.api.container.log_position() == before


def test_a_substitute_keeps_the_journal_of_the_lesson_they_take(s: JournalSchool) -> None:
    lesson = s.lessons[1]
    substituted = s.director.post(
        f"/v1/lessons/{lesson}/changes/substitution",
        {"substitute_id": s.substitute_id, "reason": "больничный"},
        headers={"If-Match": f'"{s.version(lesson)}"'})
    assert substituted.headers["etag"] == f'"{ok(substituted)["version"]}"'

    placed = ok(s.substitute.post(f"/v1/lessons/{lesson}/marks", {"marks": [s.mark(0, "4")]}))

    assert len(placed["marks"]) == 1
    assert s.api.container.journal.get_lesson(UUID(lesson)).substitute_id == UUID(
        s.substitute_id)


def test_a_retried_place_marks_with_the_same_key_writes_nothing_new(s: JournalSchool) -> None:
    url, body = f"/v1/lessons/{s.lessons[0]}/marks", {"marks": [s.mark(0, "5"), s.mark(1, "4")]}
    key = {"Idempotency-Key": "marks-5a-monday-1"}
    first = s.teacher.post(url, body, headers=key)
    after_first = s.api.container.log_position()

    retry = s.teacher.post(url, body, headers=key)

    assert ok(retry) == ok(first) | {"replayed": True}
    assert retry.headers["idempotent-replayed"] == "true"
    assert s.api.container.log_position() == after_first
    assert len(s.api.container.journal.get_lesson(UUID(s.lessons[0])).marks) == 2
    other = refused(s.teacher.post(url, {"marks": [s.mark(2, "3")]}, headers=key), 409)
    assert other["code"] == "IdempotencyKeyReused"


def test_two_teachers_saving_with_the_same_if_match_one_wins_the_other_gets_412(
    s: JournalSchool,
) -> None:
    lesson = s.lessons[1]
    ok(s.director.post(f"/v1/lessons/{lesson}/changes/substitution",
                       {"substitute_id": s.substitute_id, "reason": "совмещение"}))
    read = {"If-Match": f'"{s.version(lesson)}"'}
    url = f"/v1/lessons/{lesson}/marks"

    first = ok(s.teacher.post(url, {"marks": [s.mark(0, "5")]}, headers=read))
    stale = refused(s.substitute.post(url, {"marks": [s.mark(1, "4")]}, headers=read), 412)
    assert fields(stale) == ["If-Match"]
    # The loser reloads and saves again: the winner's mark is kept, nothing is lost.
    again = ok(s.substitute.post(url, {"marks": [s.mark(1, "4")]},
                                 headers={"If-Match": f'"{first["version"]}"'}))

    marks = s.api.container.journal.get_lesson(UUID(lesson)).marks.values()
    assert sorted((str(m.student_id), m.value) for m in marks) == sorted(
        [(s.students[0], "5"), (s.students[1], "4")])
    assert again["version"] == first["version"] + 1


def test_two_teachers_racing_on_the_same_lesson_one_wins_the_other_gets_409(
    s: JournalSchool, monkeypatch: pytest.MonkeyPatch
) -> None:
    lesson = s.lessons[0]
    ok(s.director.post(f"/v1/lessons/{lesson}/changes/substitution",
                       {"substitute_id": s.substitute_id, "reason": "совмещение"}))
    journal = s.api.container.journal
    both_decided = threading.Barrier(2, timeout=10)
    original = journal.roster_of

    def roster_then_wait(loaded: Any) -> set[UUID]:
        roster = original(loaded)
        both_decided.wait()  # both commands have loaded the same version of the lesson
        return roster

    monkeypatch.setattr(journal, "roster_of", roster_then_wait)
    bodies = {"teacher": {"marks": [s.mark(0, "5"), s.mark(1, "5")]},
              "substitute": {"marks": [s.mark(2, "3")]}}
    callers = {"teacher": s.teacher, "substitute": s.substitute}
    answers: dict[str, Any] = {}

    def save(who: str) -> None:
        answers[who] = callers[who].post(f"/v1/lessons/{lesson}/marks", bodies[who])

    threads = [threading.Thread(target=save, args=(who,)) for who in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()

    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [200, 409], [answer.text for answer in answers.values()]
    loser = next(who for who, answer in answers.items() if answer.status_code == 409)
    assert answers[loser].json()["code"] == "Conflict"
    ok(callers[loser].post(f"/v1/lessons/{lesson}/marks", bodies[loser]))  # reload and retry
    marks = journal.get_lesson(UUID(lesson)).marks.values()
    assert sorted(str(m.student_id) for m in marks) == sorted(s.students)


def test_a_mark_is_changed_and_removed_with_a_reason_and_the_if_match_guards_both(
    s: JournalSchool,
) -> None:
    url = f"/v1/lessons/{s.lessons[0]}/marks"
    placed = ok(s.teacher.post(url, {"marks": [s.mark(0, "3")]}))
    mark_id = placed["marks"][0]["id"]

    changed = ok(s.teacher.patch(f"{url}/{mark_id}", {"value": "4", "reason": "пересдал"},
                                 headers={"If-Match": f'"{placed["version"]}"'}))
    refused(s.teacher.post(f"{url}/{mark_id}/removal", {"reason": "ошибка"},
                           headers={"If-Match": f'"{placed["version"]}"'}), 412)
    assert s.api.container.journal.get_lesson(UUID(s.lessons[0])).marks[UUID(mark_id)].value \
        == "4"
    ok(s.teacher.post(f"{url}/{mark_id}/removal", {"reason": "ошибка"},
                      headers={"If-Match": f'"{changed["version"]}"'}))
    assert s.api.container.journal.get_lesson(UUID(s.lessons[0])).marks == {}
    gone = refused(s.teacher.patch(f"{url}/{mark_id}", {"value": "5", "reason": "x"}), 404)
    assert fields(gone) == ["mark_id"]


def test_an_administrators_attendance_override_wins_over_the_teachers_entry(
    s: JournalSchool,
) -> None:
    lesson, pupil = s.lessons[0], s.students[0]
    ok(s.teacher.post(f"/v1/lessons/{lesson}/attendance",
                      {"attendance": {pupil: "absent", s.students[1]: "late"}}))
    override = {"status": "excused", "reason": "справка из поликлиники"}
    teacher_try = refused(s.teacher.put(
        f"/v1/lessons/{lesson}/attendance/{pupil}/override", override), 422)
    assert fields(teacher_try) == ["actor"]

    ok(s.director.put(f"/v1/lessons/{lesson}/attendance/{pupil}/override", override))
    ok(s.teacher.post(f"/v1/lessons/{lesson}/attendance", {"attendance": {pupil: "ill"}}))

    kept = s.api.container.journal.get_lesson(UUID(lesson))
    assert kept.attendance_of(UUID(pupil)) is Attendance.EXCUSED
    assert kept.attendance[UUID(pupil)].teacher is Attendance.ILL
    ok(s.director.post(f"/v1/lessons/{lesson}/attendance/{pupil}/override/withdrawal",
                       {"reason": "справка не подтвердилась"}))
    kept = s.api.container.journal.get_lesson(UUID(lesson))
    assert kept.attendance_of(UUID(pupil)) is Attendance.ILL
    assert kept.attendance_of(UUID(s.students[1])) is Attendance.LATE


def test_attendance_for_a_stranger_names_the_student_and_writes_nothing(
    s: JournalSchool,
) -> None:
    outsider = ok(s.api.post("/v1/people", {"name": {"last": "Чужой", "first": "Пётр"}}), 201)
    before = s.api.container.log_position()
    problem = refused(s.teacher.post(f"/v1/lessons/{s.lessons[0]}/attendance", {"attendance": {
        s.students[0]: "absent", outsider["id"]: "absent"}}), 422)
    assert fields(problem) == [f"attendance[{outsider['id']}].student_id"]
    assert s.api.container.log_position() == before


def test_an_administrator_of_another_school_cannot_write_this_journal(
    s: JournalSchool,
) -> None:
    elsewhere = s.api.as_(Role.SCHOOL_ADMIN, subject=s.director_id, school_id="another")
    problem = refused(elsewhere.post(f"/v1/lessons/{s.lessons[0]}/marks",
                                     {"marks": [s.mark(0, "5")]}), 403)
    assert problem["code"] == "Forbidden"


def _week_two(s: JournalSchool, subject_id: str, **slot: str) -> dict[str, Any]:
    return {"start": "2024-09-09", "end": "2024-09-15",
            "slots": [{"weekday": 2, "number": 3, "subject_id": subject_id} | slot]}


def test_a_teacher_schedules_the_lessons_of_their_own_assignment(s: JournalSchool) -> None:
    generated = ok(s.teacher.post(f"/v1/classes/{s.class_id}/lessons",
                                  _week_two(s, s.subject_id, room="214")), 201)
    (lesson_id,) = generated["lesson_ids"]
    lesson = s.api.container.journal.get_lesson(UUID(lesson_id))
    assert (str(lesson.teacher_id), lesson.room, lesson.number) == (s.teacher_id, "214", 3)
    one = ok(s.teacher.post("/v1/lessons", {
        "group_id": s.class_id, "subject_id": s.subject_id, "teacher_id": s.teacher_id,
        "day": "2024-09-12", "number": 2}), 201)
    ok(s.teacher.put(f"/v1/lessons/{one['id']}/topic", {"topic": "Дроби"}))
    # Reorganising the timetable stays with the administration.
    for change, body in (("substitution", {"substitute_id": s.substitute_id, "reason": "болезнь"}),
                         ("move", {"day": "2024-09-13", "reason": "перенос"}),
                         ("time", {"number": 3, "reason": "сдвиг"}),
                         ("cancellation", {"reason": "экскурсия"})):
        assert refused(s.teacher.post(f"/v1/lessons/{lesson_id}/changes/{change}", body),
                       403)["code"] == "Forbidden"
    ok(s.director.post(f"/v1/lessons/{lesson_id}/changes/cancellation", {"reason": "экскурсия"}))


def test_a_teacher_of_another_subject_is_refused_naming_the_field(s: JournalSchool) -> None:
    history = ok(s.director.post(f"/v1/schools/{s.school_id}/subjects", {"name": "История"}),
                 201)["subject_id"]
    ok(s.director.post(f"/v1/classes/{s.class_id}/teaching-assignments", {
        "subject_id": history, "teacher_id": s.stranger_id, "on": "2024-09-01"}))
    before = s.api.container.log_position()
    url = f"/v1/classes/{s.class_id}/lessons"
    assigned_to_another = refused(s.stranger.post(url, _week_two(s, s.subject_id)), 422)
    assert fields(assigned_to_another) == ["slots[0].teacher_id"]
    naming_themselves = refused(s.stranger.post(url, _week_two(
        s, s.subject_id, teacher_id=s.stranger_id)), 422)
    assert naming_themselves["errors"] == [{
        "field": "slots[0].subject_id",
        "message": "the teacher is not assigned to this subject in the group on 10.09.2024"}]
    single = refused(s.stranger.post("/v1/lessons", {
        "group_id": s.class_id, "subject_id": s.subject_id, "teacher_id": s.stranger_id,
        "day": "2024-09-10", "number": 3}), 422)
    assert fields(single) == ["subject_id"]
    assert s.api.container.log_position() == before
    ok(s.stranger.post(url, _week_two(s, history)), 201)
    # The administrator still schedules anyone's lessons, assigned or not.
    ok(s.director.post("/v1/lessons", {
        "group_id": s.class_id, "subject_id": s.subject_id, "teacher_id": s.stranger_id,
        "day": "2024-09-11", "number": 3}), 201)
