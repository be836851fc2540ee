"""The school year over HTTP: calendar, catalogues, the timetable, lesson changes and a
quarantine's bulk cancellation."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

import pytest

from domain.lesson import Lesson
from domain.marks import Mark
from domain.work_types import BuiltIn
from tests.conftest import Api
from tests.e2e.journal_setup import YEAR, JournalSchool, fields, ok, refused, set_up_school


@pytest.fixture
def s(api: Api) -> JournalSchool:
    return set_up_school(api)


def _lesson(s: JournalSchool, lesson_id: str) -> Lesson:
    return s.api.container.journal.get_lesson(UUID(lesson_id))


def test_a_week_of_lessons_comes_from_the_timetable_with_the_bells_and_assigned_teacher(
    s: JournalSchool,
) -> None:
    lessons = [s.api.container.journal.get_lesson(UUID(x)) for x in s.lessons]
    assert [(x.day, x.number, x.start) for x in lessons] == [
        (date(2024, 9, 2), 1, time(8, 30)), (date(2024, 9, 4), 2, time(9, 25)),
        (date(2024, 9, 6), 1, time(8, 30))]
    assert {x.teacher_id for x in lessons} == {UUID(s.teacher_id)}

    around_holidays = s.generate("2024-10-21", "2024-11-08")  # 28.10-04.11 are holidays
    days = [s.api.container.journal.get_lesson(UUID(x)).day
            for x in around_holidays["lesson_ids"]]
    assert around_holidays["count"] == 5
    assert days == [date(2024, 10, 21), date(2024, 10, 23), date(2024, 10, 25),
                    date(2024, 11, 6), date(2024, 11, 8)]


def test_a_retried_generation_with_the_same_key_answers_the_same_lessons(
    s: JournalSchool,
) -> None:
    url = f"/v1/classes/{s.class_id}/lessons"
    body = {"start": "2024-09-09", "end": "2024-09-15", "slots": [
        {"weekday": 2, "number": 3, "subject_id": s.subject_id, "room": "214"}]}
    key = {"Idempotency-Key": "timetable-week-2"}
    first = ok(s.director.post(url, body, headers=key), 201)
    position = s.api.container.log_position()
    again = s.director.post(url, body, headers=key)
    assert ok(again, 201)["lesson_ids"] == first["lesson_ids"]
    assert again.headers["idempotent-replayed"] == "true"
    assert s.api.container.log_position() == position


def test_a_timetable_slot_without_a_bell_is_refused_naming_it(s: JournalSchool) -> None:
    before = s.api.container.log_position()
    problem = refused(s.director.post(f"/v1/classes/{s.class_id}/lessons", {
        "start": "2024-09-09", "end": "2024-09-15", "slots": [
            {"weekday": 1, "number": 1, "subject_id": s.subject_id},
            {"weekday": 2, "number": 7, "subject_id": s.subject_id}]}), 422)
    assert fields(problem) == ["slots[1].number"]
    assert s.api.container.log_position() == before


def test_year_parts_change_under_if_match_and_a_stale_one_is_412(s: JournalSchool) -> None:
    base = f"/v1/schools/{s.school_id}/years/{YEAR}"
    version = s.api.container.journal.get_academic_year(UUID(s.school_id), YEAR).version
    holidays = {"holidays": [{"name": "Осенние", "start": "2024-10-26", "end": "2024-11-03"}]}
    changed = s.director.put(f"{base}/holidays", holidays, headers={"If-Match": f'"{version}"'})
    assert changed.headers["etag"] == f'"{version + 1}"'
    stale = refused(s.director.put(f"{base}/period-marks-lead", {"days": 3},
                                   headers={"If-Match": f'"{version}"'}), 412)
    assert fields(stale) == ["If-Match"]
    ok(s.director.put(f"{base}/bells/2", {"bells": [
        {"number": 1, "start": "14:00:00", "end": "14:45:00"}]}))
    ok(s.director.put(f"{base}/study-periods", {"periods": [
        {"name": "Учебный год", "start": "2024-09-02", "end": "2025-05-26"}]}))
    wrong = refused(s.director.put(f"{base}/attestation-periods", {
        "kind": "half_years", "periods": [
            {"name": "1 полугодие", "start": "2024-09-02", "end": "2024-12-29"}]}), 422)
    assert fields(wrong) == ["periods"]
    year = s.api.container.journal.get_academic_year(UUID(s.school_id), YEAR)
    assert year.is_holiday(date(2024, 10, 26)) and year.bell(2, 1) is not None
    again = refused(s.director.post(f"/v1/schools/{s.school_id}/years", {"year": YEAR}), 422)
    assert fields(again) == ["year"]


def test_a_teacher_may_not_set_up_the_year_nor_change_the_timetable(s: JournalSchool) -> None:
    before = s.api.container.log_position()
    for response in (
        s.teacher.post(f"/v1/schools/{s.school_id}/subjects", {"name": "Черчение"}),
        s.teacher.put(f"/v1/schools/{s.school_id}/plus-minus-marks", {"allowed": True}),
        s.teacher.post(f"/v1/lessons/{s.lessons[0]}/changes/room",
                       {"room": "101", "reason": "ремонт"}),
        s.teacher.post(f"/v1/classes/{s.class_id}/lessons/cancellations",
                       {"start": "2024-09-02", "end": "2024-09-08", "reason": "карантин"}),
    ):
        assert refused(response, 403)["code"] == "Forbidden"
    assert s.api.container.log_position() == before


def test_subjects_and_work_types_with_the_plus_minus_option(s: JournalSchool) -> None:
    subjects = f"/v1/schools/{s.school_id}/subjects"
    dup = refused(s.director.post(subjects, {"name": "математика"}), 422)
    assert fields(dup) == ["name"]
    physics = ok(s.director.post(subjects, {"name": "Физика"}), 201)
    renamed = ok(s.director.put(f"{subjects}/{physics['subject_id']}", {"name": "Физика 7-9"},
                                headers={"If-Match": f'"{physics["version"]}"'}))
    ok(s.director.post(f"{subjects}/{physics['subject_id']}/retirement",
                       {"reason": "нет в учебном плане"}))
    retired = refused(s.director.post("/v1/lessons", {
        "group_id": s.class_id, "subject_id": physics["subject_id"], "teacher_id": s.teacher_id,
        "day": "2024-09-03", "number": 1}), 422)
    assert fields(retired) == ["subject_id"] and renamed["version"] == physics["version"] + 1

    work_types = f"/v1/schools/{s.school_id}/work-types"
    project = ok(s.director.post(work_types, {"name": "Проект", "weight": "2.5",
                                              "scale": "pass_fail"}), 201)
    ok(s.director.patch(f"{work_types}/{project['work_type_id']}", {"weight": 3}))
    ok(s.director.put(f"/v1/schools/{s.school_id}/plus-minus-marks", {"allowed": True}))
    placed = ok(s.teacher.post(f"/v1/lessons/{s.lessons[0]}/marks", {"marks": [
        {"student_id": s.students[0], "work_type_id": project["work_type_id"],
         "value": "зачёт"}, s.mark(1, "5-")]}))
    values = {m.value: m.weight for m in _marks(s, s.lessons[0])}
    assert values == {"зачёт": 3, "5-": 1} and len(placed["marks"]) == 2
    ok(s.director.post(f"{work_types}/{s.work_type(BuiltIn.DICTATION)}/retirement",
                       {"reason": "не используется"}))
    gone = refused(s.teacher.post(f"/v1/lessons/{s.lessons[1]}/marks", {"marks": [
        s.mark(0, "4", BuiltIn.DICTATION)]}), 422)
    assert fields(gone) == ["marks[0].work_type_id"]


def _marks(s: JournalSchool, lesson_id: str) -> list[Mark]:
    return list(_lesson(s, lesson_id).marks.values())


def test_each_lesson_change_moves_the_etag_and_a_stale_if_match_is_412(
    s: JournalSchool,
) -> None:
    lesson, url = s.lessons[0], f"/v1/lessons/{s.lessons[0]}"
    history = f"/v1/schools/{s.school_id}/subjects"
    history_id = ok(s.director.post(history, {"name": "История"}), 201)["subject_id"]
    version = s.version(lesson)
    steps = [
        ("changes/room", {"room": "214", "reason": "ремонт кабинета"}),
        ("changes/time", {"number": 3, "reason": "перенос"}),
        ("changes/subject", {"subject_id": history_id, "reason": "замена предмета"}),
        ("changes/move", {"day": "2024-09-03", "number": 2, "reason": "перенос на вторник"}),
    ]
    for path, body in steps:
        response = s.director.post(f"{url}/{path}", body, headers={"If-Match": f'"{version}"'})
        version = ok(response)["version"]
        assert response.headers["etag"] == f'"{version}"'
    topic = s.teacher.put(f"{url}/topic", {"topic": "Дроби"},
                          headers={"If-Match": f'"{version}"'})
    refused(s.director.post(f"{url}/changes/room", {"room": "1", "reason": "x"},
                            headers={"If-Match": f'"{version}"'}), 412)

    kept = s.api.container.journal.get_lesson(UUID(lesson))
    assert (kept.room, kept.subject_id, kept.day, kept.number, kept.start, kept.topic) == (
        "214", UUID(history_id), date(2024, 9, 3), 2, time(9, 25), "Дроби")
    assert ok(topic)["version"] == kept.version
    stranger = refused(s.stranger.put(f"{url}/topic", {"topic": "Чужая тема"}), 422)
    assert fields(stranger) == ["actor"]


def test_one_lesson_is_created_with_the_bell_times_and_its_place_is_guarded(
    s: JournalSchool,
) -> None:
    body = {"group_id": s.class_id, "subject_id": s.subject_id, "teacher_id": s.teacher_id,
            "day": "2024-09-03", "number": 3, "room": "101"}
    created = s.director.post("/v1/lessons", body)
    lesson = ok(created, 201)
    assert created.headers["etag"] == '"1"'
    assert _lesson(s, lesson["id"]).start == time(10, 30)
    taken = refused(s.director.post("/v1/lessons", body), 422)
    assert fields(taken) == ["number"]
    own_time = ok(s.director.post("/v1/lessons", body | {
        "number": 4, "start": "11:30:00", "end": "12:15:00"}), 201)
    assert _lesson(s, own_time["id"]).end == time(12, 15)


def test_a_quarantine_week_cancels_every_lesson_of_the_class_at_once(s: JournalSchool) -> None:
    week_two = s.generate("2024-09-09", "2024-09-15")["lesson_ids"]
    cancelled = ok(s.director.post(f"/v1/classes/{s.class_id}/lessons/cancellations", {
        "start": "2024-09-09", "end": "2024-09-15", "reason": "карантин по гриппу"}))

    assert cancelled["count"] == 3 and sorted(cancelled["lesson_ids"]) == sorted(week_two)
    journal = s.api.container.journal
    assert all(journal.get_lesson(UUID(x)).cancelled for x in week_two)
    assert not any(journal.get_lesson(UUID(x)).cancelled for x in s.lessons)
    no_marks = refused(s.teacher.post(f"/v1/lessons/{week_two[0]}/marks",
                                      {"marks": [s.mark(0, "5")]}), 422)
    assert [field.rsplit(".", 1)[-1] for field in fields(no_marks)] == ["lesson_id"]
    ok(s.director.post(f"/v1/lessons/{week_two[0]}/changes/reinstatement",
                       {"reason": "карантин отменён для 5А"}))
    ok(s.teacher.post(f"/v1/lessons/{week_two[0]}/marks", {"marks": [s.mark(0, "5")]}))


def test_a_bulk_cancellation_over_a_marked_lesson_is_refused_whole(s: JournalSchool) -> None:
    ok(s.teacher.post(f"/v1/lessons/{s.lessons[1]}/marks", {"marks": [s.mark(0, "5")]}))
    before = s.api.container.log_position()
    problem = refused(s.director.post(f"/v1/classes/{s.class_id}/lessons/cancellations", {
        "start": "2024-09-02", "end": "2024-09-08", "reason": "карантин"}), 422)
    assert fields(problem) == [f"lessons[{s.lessons[1]}].lesson_id"]
    assert s.api.container.log_position() == before
    assert not s.api.container.journal.get_lesson(UUID(s.lessons[0])).cancelled
