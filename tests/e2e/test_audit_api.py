"""Audit over HTTP: an entity's history with old -> new values, a person's activity in a
range, a diary and a class journal exactly as they stood at a past position or moment."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from api.auth import Role
from tests.conftest import Api
from tests.e2e.journal_setup import JournalSchool, ok, refused, set_up_school


def _marked(api: Api) -> tuple[JournalSchool, str, str, dict[str, Any], dict[str, Any]]:
    """A mark of 4 for student 0 on the first lesson, then changed to 5; `placed` also
    says the log position before the mark (`before`)."""
    s = set_up_school(api, students=2)
    lesson = s.lessons[0]
    before = api.container.log_position()
    placed = ok(s.teacher.post(f"/v1/lessons/{lesson}/marks", {"marks": [s.mark(0, "4")]}))
    mark = str(placed["marks"][0]["id"])
    placed["before"] = before
    changed = ok(s.teacher.patch(f"/v1/lessons/{lesson}/marks/{mark}",
                                 {"value": "5", "reason": "пересдача"}))
    return s, lesson, mark, placed, changed


def _audit(api: Api) -> Api:
    return api.as_(Role.AUDITOR)


def _caught_up(api: Api) -> None:
    head = api.container.log_position()
    assert all(api.container.wait_for(n, head, 10) for n in api.container.projection_names())


def test_a_marks_history_names_who_when_and_old_and_new_values(api: Api) -> None:
    s, lesson, mark, _placed, changed = _marked(api)
    _caught_up(api)
    history = ok(_audit(api).get(f"/v1/audit/entities/{mark}"))
    assert history["aggregate_id"] == lesson and history["aggregate"] == "Lesson"
    placing, change = history["items"]
    assert placing["event_type"] == "Lesson.MarkPlaced" and placing["actor"] == s.teacher_id
    assert {"field": f"marks.{mark}.value", "old": None, "new": "4"} in placing["changes"]
    assert change["changes"] == [{"field": f"marks.{mark}.value", "old": "4", "new": "5"}]
    assert change["reason"] == "пересдача" and change["position"] == changed["position"]
    lesson_history = ok(_audit(api).get(f"/v1/audit/entities/{lesson}"))["items"]
    assert lesson_history[0]["event_type"] == "Lesson.Scheduled"
    assert lesson_history[-1]["changes"] == change["changes"]
    assert refused(s.teacher.get(f"/v1/audit/entities/{mark}"), 403)
    assert refused(api.as_(Role.EXPORTER).get(f"/v1/audit/entities/{mark}"), 403)


def test_a_persons_and_a_classs_history_with_documents_masked_for_the_auditor(api: Api) -> None:
    s = set_up_school(api, students=1)
    student = s.students[0]
    ok(api.patch(f"/v1/people/{student}", {"documents": {"snils": "112-233-445 95"}}))
    items = ok(_audit(api).get(f"/v1/audit/entities/{student}"))["items"]
    documents = [c for i in items for c in i["changes"] if c["field"].startswith("documents")]
    assert {"field": "documents.snils", "old": None, "new": "***-***-*** 95"} in documents
    assert not any(c["new"] == "123456" for c in documents)
    whole = ok(api.get(f"/v1/audit/entities/{student}"))["items"]  # the administrator
    assert any(c["new"] == "11223344595" for i in whole for c in i["changes"])
    klass = ok(_audit(api).get(f"/v1/audit/entities/{s.class_id}"))["items"]
    assert any(i["event_type"] == "EduGroup.StudentEnrolled" for i in klass)
    assert _audit(api).get("/v1/audit/entities/00000000-0000-4000-8000-000000000000"
                           ).status_code == 404


def test_everything_a_person_did_in_a_range_of_time(api: Api) -> None:
    start = datetime.now(UTC)
    s, lesson, mark, _placed, _changed = _marked(api)
    _caught_up(api)
    params = {"actor": s.teacher_id, "start": start.isoformat(),
              "end": datetime.now(UTC).isoformat()}
    page = ok(_audit(api).get("/v1/audit/activity", params=params))
    lessons = [i for i in page["items"] if i["aggregate"] == "Lesson"]
    assert [i["event_type"] for i in lessons] == ["Lesson.MarkPlaced", "Lesson.MarkChanged"]
    assert lessons[1]["part_id"] == mark and lessons[1]["entity_id"] == lesson
    assert {i["actor"] for i in page["items"]} == {s.teacher_id}
    first = ok(_audit(api).get("/v1/audit/activity", params={**params, "limit": 1}))
    rest = ok(_audit(api).get("/v1/audit/activity",
                              params={**params, "cursor": first["next_cursor"]}))
    assert [i["position"] for i in first["items"] + rest["items"]] == \
        [i["position"] for i in page["items"]]
    before = ok(_audit(api).get("/v1/audit/activity", params={
        **params, "start": "2020-01-01T00:00:00Z", "end": start.isoformat()}))
    assert before["items"] == []
    assert refused(s.director.get("/v1/audit/activity", params=params), 403)


def test_a_diary_and_a_journal_as_they_stood_at_a_past_position(api: Api) -> None:
    s, _lesson, _mark, placed, changed = _marked(api)
    _caught_up(api)
    student, auditor = s.students[0], _audit(api)

    def diary_mark(**params: Any) -> Any:
        answer = auditor.get(f"/v1/audit/students/{student}/diary/2024-W36", params=params)
        week = ok(answer)
        marks = [m["value"] for d in week["days"] for x in d["lessons"] for m in x["marks"]]
        return answer.headers["X-As-Of-Position"], marks

    assert diary_mark(position=placed["position"]) == (str(placed["position"]), ["4"])
    assert diary_mark(position=changed["position"])[1] == ["5"]
    assert diary_mark(position=placed["before"])[1] == []
    time.sleep(0.01)
    assert diary_mark(at=datetime.now(UTC).isoformat())[1] == ["5"]
    assert diary_mark(at="2020-01-01T00:00:00Z")[1] == []
    grid_url = f"/v1/audit/classes/{s.class_id}/journal"
    query = {"subject_id": s.subject_id, "period": "1 четверть"}
    then = ok(auditor.get(grid_url, params={**query, "position": placed["position"]}))
    row = next(r for r in then["rows"] if r["student_id"] == student)
    assert [m["value"] for c in row["cells"] for m in c["marks"]] == ["4"]
    assert auditor.get(f"/v1/audit/students/{student}/diary/2024-W36").status_code == 422
    assert refused(s.teacher.get(grid_url, params={**query, "position": 1}), 403)


def test_the_chain_head_is_the_latest_checkpoint(api: Api) -> None:
    set_up_school(api, students=1)
    _caught_up(api)
    head = ok(_audit(api).get("/v1/audit/chain"))
    assert head["position"] == head["log_position"] == api.container.log_position()
    assert len(head["hash"]) == 64 and head["blocks"] >= 1
