"""The demo's weeks of school: every journal screen has content, the log reads in date order,
and the views rebuilt from the log equal the live ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.causation import SYSTEM_ACTOR
from infra.container import Container
from infra.demo import ADMIN, DemoPeople, load_demo
from infra.demo_timetable import default_academic_year, lesson_span, school_calendar
from infra.settings import load_settings
from projections.changes import ChangeQueries
from projections.compliance_queries import ComplianceQueries
from projections.diary import DiaryQueries
from projections.operations import verify
from projections.rosters import iso_week
from projections.statistics_queries import StatisticsQueries
from projections.teacher_journal import JournalQueries

STUDENTS, WEEKS = 100, 2  # classes 1А and 6А in each school: a 1st grade has no marks


@dataclass
class Loaded:
    container: Container
    people: DemoPeople


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    directory = tmp_path_factory.mktemp("demo-journal")
    container = Container(load_settings({"ZHURNAL_DATA_DIR": str(directory)}))
    people = load_demo(container.journal, students=STUDENTS, weeks=WEEKS)
    container.runner.catch_up()
    yield Loaded(container, people)
    container.close()


def _span(demo: Loaded) -> tuple[str, str]:
    first, last = demo.people.first_lesson_day, demo.people.last_lesson_day
    assert first is not None and last is not None
    return first.isoformat(), last.isoformat()


def _weeks(demo: Loaded) -> list[dict[str, Any]]:
    """Every student's diary weeks over the demo's lessons."""
    first, last = (date.fromisoformat(day) for day in _span(demo))
    weeks = sorted({iso_week(first + timedelta(days=n)) for n in range((last - first).days + 1)})
    queries = DiaryQueries(demo.container.views)
    found = []
    for student in demo.people.student_ids:
        for week in weeks:
            raw = queries.week(str(student), week)
            if raw is not None:
                found.append(json.loads(raw))
    return found


def _lessons(weeks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [lesson for week in weeks for day in week["days"] for lesson in day["lessons"]]


def test_the_weeks_are_past_school_weeks_from_the_first_of_september(demo: Loaded) -> None:
    people, today = demo.people, datetime.now(UTC).date()
    assert people.academic_year == default_academic_year(WEEKS, today)
    span = lesson_span(school_calendar(people.academic_year), WEEKS)
    assert span == (people.first_lesson_day, people.last_lesson_day)
    assert span is not None and span[0] == date(people.academic_year, 9, 1)
    assert span[1] < today
    counts = people.counts
    assert counts["lessons"] > 100 and counts["generate_lessons"] >= len(people.class_ids)
    assert 0 < counts["place_marks"] <= counts["lessons"]  # one command per lesson
    assert counts["marks"] > 3 * counts["place_marks"]


def test_a_students_diary_week_has_lessons_marks_homework_and_absences(demo: Loaded) -> None:
    weeks = _weeks(demo)
    lessons = _lessons(weeks)
    assert lessons and all(lesson["subject"] for lesson in lessons)
    full = [week for week in weeks
            if any(lesson["marks"] for lesson in _lessons([week]))
            and any(lesson["homework"] for lesson in _lessons([week]))]
    assert full, "no diary week with both marks and homework"
    values = {mark["value"] for lesson in lessons for mark in lesson["marks"]}
    assert values >= {"3", "4", "5"}
    assert values & {"5-", "4+", "4-", "3+", "3-", "2+"}  # the first school allows them
    assert {lesson["attendance"] for lesson in lessons} >= {None, "ill"}
    assert any(lesson["cancelled"] for lesson in lessons)
    assert any(lesson["substitute_id"] for lesson in lessons)
    assert any(lesson["moved_from"] for lesson in lessons)
    assert any(work["individual"] for lesson in lessons for work in lesson["homework"])
    assert any(work["status"] == "checked" for lesson in lessons for work in lesson["homework"])


def test_some_marks_and_homework_are_late_in_the_compliance_report(demo: Loaded) -> None:
    queries, (start, end) = ComplianceQueries(demo.container.views), _span(demo)
    totals = [queries.school(str(school), start, end)["total"]
              for school in demo.people.school_ids]
    for total in totals:
        assert total["marks"] > total["late_marks"] > 0
        assert total["homework"] > 0
    assert sum(total["late_homework"] for total in totals) > 0
    assert sum(total["early_homework"] for total in totals) > 0
    lessons, _cursor = queries.lessons(str(demo.people.school_ids[0]), start, end, None, 50)
    assert any(lesson["late_marks"] for lesson in lessons)


def test_the_change_feed_has_every_kind_of_change(demo: Loaded) -> None:
    items, _cursor = ChangeQueries(demo.container.views).feed(None, 500)
    kinds = {item["kind"] for item in items}
    assert kinds >= {"substitution", "room", "cancellation", "move", "time"}
    admins = set(map(str, demo.people.school_admin_ids))
    assert {item["actor"] for item in items} <= admins
    reasons = {item["reason"] for item in items}
    assert "Карантин по ОРВИ (приказ директора)" in reasons


def test_statistics_and_the_teacher_journal_have_figures(demo: Loaded) -> None:
    views, (start, end) = demo.container.views, _span(demo)
    lessons = [lesson for lesson in _lessons(_weeks(demo)) if lesson["marks"]]
    statistics = StatisticsQueries(views)
    student = next(week["student_id"] for week in _weeks(demo)
                   if any(lesson["marks"] for lesson in _lessons([week])))
    total = statistics.student(student, start, end, end)["total"]
    assert total["marks"] > 0 and total["average"] is not None and total["lessons_held"] > 0
    summary = statistics.class_summary(lessons[0]["class_id"], start, end, end)
    assert summary["total"]["marks"] > 0 and summary["subjects"]
    journal = JournalQueries(views)
    group = journal.group(lessons[0]["group_id"])
    school = lessons[0]["school_id"]
    period = journal.period(school, demo.people.academic_year, "1 четверть")
    assert group is not None and period is not None
    grid = journal.grid(group, lessons[0]["subject_id"], period)
    assert grid["lessons"] and any(cell["marks"] for row in grid["rows"] for cell in row["cells"])


def test_the_log_is_in_date_order_and_every_mark_is_a_teachers(demo: Loaded) -> None:
    journal = demo.container.journal
    teachers = set(map(str, demo.people.teacher_ids))
    students = set(map(str, demo.people.student_ids))
    previous, start, now = None, 1, datetime.now(UTC)
    actors: dict[str, set[str]] = {}
    while notifications := journal.recorder.select_notifications(start, 1000):
        for notification in notifications:
            event = journal.mapper.to_domain_event(notification)
            assert previous is None or event.timestamp >= previous, notification.topic
            assert event.timestamp <= now
            previous = event.timestamp
            kind = notification.topic.rsplit(".", 1)[-1]
            actors.setdefault(kind, set()).add(event.actor)  # type: ignore[attr-defined]
        start = notifications[-1].id + 1
    assert actors["MarkPlaced"] <= teachers
    assert actors["AttendanceRecorded"] <= teachers
    assert actors["WorkSubmitted"] <= students
    assert actors["Registered"] == {ADMIN} and SYSTEM_ACTOR not in set().union(*actors.values())


def test_every_aggregate_replays_from_the_log(demo: Loaded) -> None:
    """The demo loads with an aggregate cache; what it saved must replay without one."""
    journal = demo.container.journal
    assert journal.repository.cache is None
    originators, start = set(), 1
    while notifications := journal.recorder.select_notifications(start, 1000):
        originators |= {notification.originator_id for notification in notifications}
        start = notifications[-1].id + 1
    for originator in originators:
        journal.repository.get(originator)


def test_the_rebuilt_views_equal_the_live_ones(demo: Loaded) -> None:
    container = demo.container
    assert verify(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
                  container.views, container.projections) == []
