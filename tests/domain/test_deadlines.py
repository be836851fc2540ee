"""The seed's deadlines: marks by 21:00 (two shifts: 13:00 next day), homework in its window,
always on the school's wall clock, through DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from domain.deadlines import (
    Timeliness,
    homework_timeliness,
    homework_window,
    is_mark_late,
    mark_deadline,
)
from domain.marks import MarkEntry
from domain.work_types import BuiltIn, Scale, WorkType
from tests.domain.conftest import RecordingJournal, local, open_school

MONDAY = date(2024, 9, 2)


def _work(kind: BuiltIn | None) -> WorkType:
    return WorkType(id=uuid4(), name="x", weight=Decimal(1), scale=Scale.FIVE_POINT, built_in=kind)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _late_in(journal: RecordingJournal, time_zone: str, shifts: int, placed_at: datetime) -> bool:
    """Place an «Ответ на уроке» mark on a Monday lesson at `placed_at`: was it late?"""
    school = open_school(journal, time_zone=time_zone, shifts=shifts)
    lesson_id = school.lesson(MONDAY)
    outcome = journal.place_marks(
        school.as_(school.teacher_id, placed_at), lesson_id,
        [MarkEntry(student_id=school.students[0], work_type_id=school.work_type(BuiltIn.ANSWER),
                   value="5")],
    )
    late = outcome.answer["marks"][0]["late"]
    assert journal.get_lesson(lesson_id).marks.popitem()[1].late is late
    return bool(late)


# --- marks, through the journal --------------------------------------------------------


def test_a_mark_placed_at_21_05_moscow_time_is_late(journal: RecordingJournal) -> None:
    assert _late_in(journal, "Europe/Moscow", 1, local(MONDAY, 21, 5)) is True


def test_a_mark_placed_at_20_59_moscow_time_is_on_time(journal: RecordingJournal) -> None:
    assert _late_in(journal, "Europe/Moscow", 1, local(MONDAY, 20, 59)) is False


def test_a_mark_placed_at_exactly_21_00_is_on_time(journal: RecordingJournal) -> None:
    assert _late_in(journal, "Europe/Moscow", 1, local(MONDAY, 21, 0)) is False


def test_in_a_two_shift_school_a_mark_is_on_time_until_13_00_next_day(
    journal: RecordingJournal,
) -> None:
    assert _late_in(journal, "Europe/Moscow", 2, local(MONDAY + timedelta(days=1), 13, 0)) is False


def test_in_a_two_shift_school_a_mark_at_13_01_next_day_is_late(journal: RecordingJournal) -> None:
    assert _late_in(journal, "Europe/Moscow", 2, local(MONDAY + timedelta(days=1), 13, 1)) is True


def test_vladivostok_deadline_uses_local_time(journal: RecordingJournal) -> None:
    # 12:00 UTC is 22:00 in Vladivostok (late) but only 15:00 in Moscow (on time).
    assert _late_in(journal, "Asia/Vladivostok", 1, _utc(2024, 9, 2, 12)) is True
    assert mark_deadline(MONDAY, False, "Asia/Vladivostok") == _utc(2024, 9, 2, 11)
    assert mark_deadline(MONDAY, False, "Europe/Moscow") == _utc(2024, 9, 2, 18)


def test_kaliningrad_gives_an_hour_more_than_moscow_in_utc() -> None:
    assert mark_deadline(MONDAY, False, "Europe/Kaliningrad") == _utc(2024, 9, 2, 19)


def test_a_test_paper_mark_has_no_lesson_day_deadline() -> None:
    week_later = _utc(2024, 9, 9, 12)
    assert is_mark_late(_work(BuiltIn.TEST_PAPER), MONDAY, week_later, False, "Europe/Moscow") \
        is False
    assert is_mark_late(_work(None), MONDAY, week_later, False, "Europe/Moscow") is False
    for kind in (BuiltIn.ANSWER, BuiltIn.BEHAVIOUR, BuiltIn.CLASSWORK, BuiltIn.BY_HEART):
        assert is_mark_late(_work(kind), MONDAY, week_later, False, "Europe/Moscow") is True


def test_a_naive_timestamp_is_taken_as_utc() -> None:
    answer = _work(BuiltIn.ANSWER)
    assert is_mark_late(answer, MONDAY, datetime(2024, 9, 2, 18, 0), False, "Europe/Moscow") \
        is False
    assert is_mark_late(answer, MONDAY, datetime(2024, 9, 2, 18, 1), False, "Europe/Moscow") \
        is True


# --- DST: zoneinfo, not fixed offsets ---------------------------------------------------


def test_dst_proof_deadline_moscow_2010_summer_time() -> None:
    # In July 2010 Moscow kept summer time, UTC+4: 21:00 local was 17:00 UTC, not 18:00.
    assert mark_deadline(date(2010, 7, 1), False, "Europe/Moscow") == _utc(2010, 7, 1, 17)
    # On 31.10.2010 it went back to UTC+3: 13:00 local next day is 10:00 UTC.
    assert mark_deadline(date(2010, 10, 30), True, "Europe/Moscow") == _utc(2010, 10, 31, 10)


def test_dst_proof_deadline_across_the_berlin_spring_change() -> None:
    # Lesson on Saturday 30.03.2024 (CET, UTC+1); 13:00 next day is CEST (UTC+2) = 11:00 UTC.
    deadline = mark_deadline(date(2024, 3, 30), True, "Europe/Berlin")
    assert deadline == _utc(2024, 3, 31, 11)
    answer = _work(BuiltIn.ANSWER)
    # 11:30 UTC is 13:30 Berlin wall clock: late (a fixed +1 offset would call it on time).
    assert is_mark_late(answer, date(2024, 3, 30), _utc(2024, 3, 31, 11, 30), True,
                        "Europe/Berlin") is True


# --- homework ---------------------------------------------------------------------------


def test_homework_window_is_seven_calendar_days_before_to_13_00_after() -> None:
    earliest, latest = homework_window(date(2024, 9, 10), "Europe/Moscow")
    assert earliest == local(date(2024, 9, 3), 0)
    assert latest == local(date(2024, 9, 11), 13)


def test_homework_timeliness_on_time_too_early_and_late() -> None:
    lesson = date(2024, 9, 10)
    earliest, latest = homework_window(lesson, "Europe/Moscow")
    second = timedelta(seconds=1)
    assert homework_timeliness(lesson, earliest, "Europe/Moscow") is Timeliness.ON_TIME
    assert homework_timeliness(lesson, earliest - second, "Europe/Moscow") is Timeliness.TOO_EARLY
    assert homework_timeliness(lesson, latest, "Europe/Moscow") is Timeliness.ON_TIME
    assert homework_timeliness(lesson, latest + second, "Europe/Moscow") is Timeliness.LATE


def test_homework_window_counts_calendar_days_across_dst() -> None:
    # Lesson on Wednesday 03.04.2024 in Berlin; 7 days before is 27.03 00:00 CET = 23:00 UTC
    # on 26.03, not 168 hours before 00:00 CEST (which would be 22:00 UTC).
    earliest, _ = homework_window(date(2024, 4, 3), "Europe/Berlin")
    assert earliest == _utc(2024, 3, 26, 23)
