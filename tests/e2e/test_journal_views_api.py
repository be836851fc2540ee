"""The journal views over HTTP: who may read what, schemas, ETag/304, read-your-writes."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import pytest

from api.auth import Role
from api.view_schemas import (
    ChangesPage,
    ClassStatistics,
    ComplianceLessonsPage,
    ComplianceReport,
    DiaryWeek,
    JournalGrid,
    SchoolCompliancePage,
    StudentStatistics,
)
from tests.conftest import Api
from tests.projections.term import Term, realistic_term


@pytest.fixture
def term(api: Api) -> Term:
    term = realistic_term(api.container.journal)
    school = term.school
    term.journal.assign_teacher(school.admin, school.class_id, school.subject_id,
                                school.teacher_id, date(2024, 9, 1))
    return term


def fresh(api: Api) -> str:
    return f"min_position={api.container.log_position()}"


def read(api: Api, url: str, schema: Any) -> Any:
    response = api.get(url)
    assert response.status_code == 200, response.text
    return msgspec.json.decode(response.content, type=schema)


def test_a_parent_reads_their_childs_diary_and_not_another_childs(api: Api, term: Term) -> None:
    child, other = term.school.students[0], term.school.students[1]
    parent = api.as_(Role.PARENT, str(term.parent))
    week = read(parent, f"/v1/students/{child}/diary/2024-W36?{fresh(api)}", DiaryWeek)
    assert week.student_id == child and week.days
    refused = parent.get(f"/v1/students/{other}/diary/2024-W36")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_student_reads_only_their_own_diary_and_staff_only_their_schools(
    api: Api, term: Term
) -> None:
    s0, s1 = term.school.students[:2]
    url = f"/v1/students/{s0}/diary/2024-W36?{fresh(api)}"
    assert api.as_(Role.STUDENT, str(s0)).get(url).status_code == 200
    assert api.as_(Role.STUDENT, str(s1)).get(url).status_code == 403
    school, teacher = str(term.school.school_id), str(term.school.teacher_id)
    assert api.as_(Role.TEACHER, teacher, school_id=school).get(url).status_code == 200
    assert api.as_(Role.SCHOOL_ADMIN, "d", school_id=school).get(url).status_code == 200
    assert api.as_(Role.TEACHER, teacher, school_id="elsewhere").get(url).status_code == 403
    assert api.as_(Role.TEACHER, "t", school_id=school).get(url).status_code == 403
    assert api.as_(Role.AUDITOR).get(url).status_code == 200
    assert api.as_(Role.EXPORTER).get(url).status_code == 403


def test_the_diary_carries_an_etag_and_answers_304(api: Api, term: Term) -> None:
    url = f"/v1/students/{term.school.students[2]}/diary/2024-W38?{fresh(api)}"
    first = api.get(url)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert {day["date"] for day in first.json()["days"]} >= {"2024-09-16", "2024-09-18"}
    again = api.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_week_without_lessons_is_empty_a_bad_week_422_an_unknown_student_404(
    api: Api, term: Term
) -> None:
    student = term.school.students[0]
    empty = read(api, f"/v1/students/{student}/diary/2024-W44?{fresh(api)}", DiaryWeek)
    assert empty.days == [] and str(empty.start) == "2024-10-28"
    assert api.get(f"/v1/students/{student}/diary/2024-36").status_code == 422
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/v1/students/{unknown}/diary/2024-W36").status_code == 404


def test_the_teacher_journal_answers_its_grid(api: Api, term: Term) -> None:
    school = str(term.school.school_id)
    teacher = api.as_(Role.TEACHER, str(term.school.teacher_id), school_id=school)
    url = (f"/v1/classes/{term.school.class_id}/journal?subject_id={term.school.subject_id}"
           f"&{fresh(api)}")
    grid = read(teacher, url + "&period=1 четверть", JournalGrid)
    assert len(grid.lessons) == 15 and len(grid.rows) == 4
    missing = teacher.get(url + "&period=5 четверть")
    assert missing.status_code == 404
    assert api.as_(Role.PARENT, str(term.parent)).get(url + "&period=1 четверть").status_code \
        == 403


def test_statistics_of_a_student_and_of_a_class(api: Api, term: Term) -> None:
    s0, base = term.school.students[0], f"{fresh(api)}&as_of=2024-12-31"
    parent = api.as_(Role.PARENT, str(term.parent))
    week = read(parent, f"/v1/students/{s0}/statistics/weeks/2024-W36?{base}",
                StudentStatistics)
    assert week.week == "2024-W36" and week.total.marks == 1
    period = read(parent, f"/v1/students/{s0}/statistics/period?period=1 четверть&{base}",
                  StudentStatistics)
    assert period.period is not None and period.total.lessons_in_period
    summary = read(api, f"/v1/classes/{term.school.class_id}/statistics?week=2024-W38&{base}",
                   ClassStatistics)
    assert len(summary.students) == 4
    both = api.get(f"/v1/classes/{term.school.class_id}/statistics?week=2024-W38"
                   "&period=1 четверть")
    assert both.status_code == 422
    subgroup = api.get(f"/v1/classes/{term.english}/statistics?week=2024-W38")
    assert subgroup.status_code == 422


def test_the_change_feed_pages_in_log_order(api: Api, term: Term) -> None:
    school = str(term.school.school_id)
    admin = api.as_(Role.SCHOOL_ADMIN, "d", school_id=school)
    page = read(admin, f"/v1/lesson-changes?school_id={school}&limit=5&{fresh(api)}",
                ChangesPage)
    assert len(page.items) == 5 and page.next_cursor
    rest = read(admin, f"/v1/lesson-changes?school_id={school}&cursor={page.next_cursor}",
                ChangesPage)
    assert [c.kind for c in rest.items] == ["time", "subject", "move", "time"]
    by_class = read(admin, f"/v1/lesson-changes?class_id={term.other_class}", ChangesPage)
    assert len(by_class.items) == 3
    assert admin.get("/v1/lesson-changes").status_code == 403  # the region is not theirs
    assert api.as_(Role.AUDITOR).get("/v1/lesson-changes").status_code == 200


def test_compliance_for_a_school_its_lessons_and_the_region(api: Api, term: Term) -> None:
    school = str(term.school.school_id)
    admin = api.as_(Role.SCHOOL_ADMIN, "d", school_id=school)
    span = f"start=2024-09-01&end=2024-10-31&{fresh(api)}"
    report = read(admin, f"/v1/schools/{school}/compliance?{span}", ComplianceReport)
    assert (report.total.marks, report.total.late_marks) == (10, 5)
    lessons = read(admin, f"/v1/schools/{school}/compliance/lessons?{span}&limit=3",
                   ComplianceLessonsPage)
    assert len(lessons.items) == 3 and lessons.next_cursor
    region = read(api.as_(Role.AUDITOR), f"/v1/compliance?{span}", SchoolCompliancePage)
    assert [str(item.school_id) for item in region.items] == [school]
    assert admin.get(f"/v1/compliance?{span}").status_code == 403
    teacher = api.as_(Role.TEACHER, "t", school_id=school)
    assert teacher.get(f"/v1/schools/{school}/compliance?{span}").status_code == 403
    backwards = admin.get(f"/v1/schools/{school}/compliance?start=2024-10-01&end=2024-09-01")
    assert backwards.status_code == 422


def test_openapi_publishes_the_view_schemas(api: Api) -> None:
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("DiaryWeek", "JournalGrid", "StudentStatistics", "ClassStatistics",
                 "ChangesPage", "ComplianceReport", "ComplianceLessonsPage"):
        assert name in schemas
