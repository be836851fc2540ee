"""Replaying the log rebuilds the same journal: aggregates, marks and their late flags.

Every event class of the journal's write side round-trips through the msgspec mapper.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import Aggregate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.calendar import AcademicYear, Bell, Period
from domain.deadlines import is_mark_late
from domain.errors import DomainError
from domain.gradebook import Gradebook, GradeKind
from domain.homework import Homework, HomeworkSpec
from domain.lesson import Lesson
from domain.marks import Attendance, MarkEntry
from domain.schedule import ClassSchedule
from domain.subjects import SubjectCatalogue
from domain.teaching import TeachingAssignment
from domain.work_types import BuiltIn, Scale, WorkTypeCatalogue
from infra.mapper import MsgspecMapper
from tests.domain.conftest import JOURNAL_ENV, RecordingJournal, School, local, open_school

AGGREGATES: tuple[type[Aggregate], ...] = (
    AcademicYear, SubjectCatalogue, WorkTypeCatalogue, TeachingAssignment, ClassSchedule,
    Lesson, Gradebook, Homework,
)
MONDAY = date(2024, 9, 2)


def _event_classes() -> set[type]:
    return {
        value
        for aggregate in AGGREGATES
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, aggregate.Event)
        and name not in ("Event", "Created")
    }


def _state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _assert_replay_equals_live(journal: RecordingJournal) -> None:
    assert isinstance(journal.mapper, MsgspecMapper)
    fresh: Repository[UUID] = Repository(event_store=journal.events)  # no cache: replays
    for aggregate_id, live in journal.live.items():
        replayed: Aggregate = fresh.get(aggregate_id)
        assert type(replayed) is type(live)
        assert _state(replayed) == _state(live), type(live).__name__


def _every_event(school: School) -> None:
    """A scenario that triggers every event class of the write side at least once."""
    journal, admin, teacher = school.journal, school.admin, school.as_(school.teacher_id)
    sid, student = school.school_id, school.students[0]
    journal.set_study_periods(admin, sid, 2024, [Period("Год", date(2024, 9, 2),
                                                        date(2025, 5, 26))])
    journal.set_holidays(admin, sid, 2024, [Period("Осень", date(2024, 10, 28),
                                                   date(2024, 11, 4))])
    journal.set_bell_schedule(admin, sid, 2024, 2, [Bell(1, time(14), time(14, 45))])
    journal.set_period_marks_lead_days(admin, sid, 2024, 3)
    history = UUID(journal.add_subject(admin, sid, "История").answer["subject_id"])
    journal.rename_subject(admin, sid, history, "История России")
    journal.retire_subject(admin, sid, history, "план")
    essay = UUID(journal.add_work_type(admin, sid, "Эссе", Decimal("2"), Scale.FIVE_POINT)
                 .answer["work_type_id"])
    journal.change_work_type(admin, sid, essay, weight=Decimal("2.5"))
    journal.retire_work_type(admin, sid, essay, "не нужен")
    journal.allow_plus_minus_marks(admin, sid, True)
    journal.assign_teacher(admin, school.class_id, school.subject_id, school.teacher_id, MONDAY)
    journal.relieve_teacher(admin, school.class_id, school.subject_id, school.teacher_id,
                            date(2024, 12, 1), "отпуск")
    lesson, other = school.lesson(MONDAY), school.lesson(date(2024, 9, 3))
    algebra = UUID(journal.add_subject(admin, sid, "Алгебра").answer["subject_id"])
    journal.substitute_teacher(admin, other, school.substitute_id, "болезнь")
    journal.change_room(admin, other, "12", "ремонт")
    journal.change_lesson_time(admin, other, 2, "сдвиг")
    journal.change_lesson_subject(admin, other, algebra, "замена")
    journal.move_lesson(admin, other, date(2024, 9, 4), "перенос")
    journal.cancel_lesson(admin, other, "болезнь")
    journal.reinstate_lesson(admin, other, "выздоровел")
    journal.set_lesson_topic(teacher, lesson, "Дроби")
    placed = journal.place_marks(teacher, lesson, [MarkEntry(
        student_id=student, work_type_id=school.work_type(BuiltIn.ANSWER), value="4+")])
    mark_id = UUID(placed.answer["marks"][0]["id"])
    journal.change_mark(teacher, lesson, mark_id, "5-", "пересмотр")
    journal.remove_mark(teacher, lesson, mark_id, "ошибка")
    journal.record_attendance(teacher, lesson, {student: Attendance.ABSENT})
    journal.override_attendance(admin, lesson, student, Attendance.EXCUSED, "справка")
    journal.withdraw_attendance_override(admin, lesson, student, "ошибка")
    homework = UUID(journal.assign_homework(teacher, lesson, HomeworkSpec(
        text="№ 1", due_date=date(2024, 9, 4))).answer["id"])
    me = school.as_(student)
    journal.start_homework(me, homework, student)
    journal.submit_homework(me, homework, student)
    journal.return_homework(teacher, homework, student, "переделать")
    journal.comment_homework(me, homework, student, "хорошо")
    journal.start_homework(me, homework, student)
    journal.submit_homework(me, homework, student)
    journal.check_homework(teacher, homework, student)
    after_q1 = school.as_(school.teacher_id, local(date(2024, 10, 28), 12))
    journal.set_period_marks(after_q1, school.class_id, school.subject_id, "1 четверть",
                             {student: "5"})
    journal.remove_grade(after_q1, school.class_id, school.subject_id, GradeKind.PERIOD,
                         student, "ошибка", period="1 четверть")


def test_every_event_class_round_trips_through_the_msgspec_mapper(school: School) -> None:
    _every_event(school)
    mapper = school.journal.mapper
    assert isinstance(mapper, MsgspecMapper)
    seen = set()
    for domain_event in school.journal.produced:
        stored = mapper.to_stored_event(domain_event)
        decoded = mapper.to_domain_event(stored)
        assert type(decoded) is type(domain_event)
        assert decoded == domain_event
        assert vars(decoded) == vars(domain_event)
        seen.add(type(domain_event))
    missing = {cls.__qualname__ for cls in _event_classes() - seen}
    assert not missing, f"no scenario produced {sorted(missing)}"


def test_the_whole_scenario_replays_to_the_live_aggregates(school: School) -> None:
    _every_event(school)
    _assert_replay_equals_live(school.journal)


OPERATIONS = st.one_of(
    st.tuples(st.just("mark"), st.integers(0, 2),
              st.sampled_from([BuiltIn.ANSWER, BuiltIn.BY_HEART, BuiltIn.TEST_PAPER]),
              st.sampled_from(["5", "4", "3", "н/а", "5-", "7"])),
    st.tuples(st.just("change"), st.integers(0, 9), st.sampled_from(["5", "2", "4+"])),
    st.tuples(st.just("remove"), st.integers(0, 9)),
    st.tuples(st.just("attend"), st.integers(0, 2), st.sampled_from(list(Attendance))),
    st.tuples(st.just("override"), st.integers(0, 2), st.sampled_from(list(Attendance))),
    st.tuples(st.just("substitute"), st.booleans()),
    st.tuples(st.just("room"), st.sampled_from(["", "12", "Спортзал"])),
    st.tuples(st.just("cancel"), st.booleans()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    time_zone=st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "Europe/Berlin"]),
    shifts=st.sampled_from([1, 2]),
    plus_minus=st.booleans(),
    steps=st.lists(st.tuples(OPERATIONS, st.integers(0, 16 * 60)), max_size=14),
)
def test_replaying_the_log_rebuilds_the_live_journal_and_its_late_flags(
    time_zone: str, shifts: int, plus_minus: bool, steps: list[tuple[tuple[Any, ...], int]]
) -> None:
    journal = RecordingJournal(env=dict(JOURNAL_ENV))
    school = open_school(journal, time_zone=time_zone, shifts=shifts)
    journal.allow_plus_minus_marks(school.admin, school.school_id, plus_minus)
    lesson_id = school.lesson(MONDAY)
    when = local(MONDAY, 17, tz=time_zone)
    late_when_placed: dict[UUID, bool] = {}
    for operation, minutes in steps:
        when += timedelta(minutes=minutes)
        with suppress(DomainError):  # a refused command leaves nothing in the log
            _apply(school, lesson_id, operation, when, late_when_placed)
    _assert_replay_equals_live(journal)

    fresh: Repository[UUID] = Repository(event_store=journal.events)
    replayed: Lesson = fresh.get(lesson_id)
    assert isinstance(replayed, Lesson)
    work_types = journal.get_work_types(school.school_id)
    for mark in replayed.marks.values():
        assert mark.late is late_when_placed[mark.id]
        work_type = work_types.work_types[mark.work_type_id]
        assert mark.late is is_mark_late(work_type, replayed.day, mark.placed_at, shifts == 2,
                                         time_zone)
    placed = [e for e in journal.produced if type(e).__name__ == "MarkPlaced"]
    assert {e.mark_id: e.late for e in placed} == late_when_placed


def _apply(
    school: School, lesson_id: UUID, operation: tuple[Any, ...], when: datetime,
    late_when_placed: dict[UUID, bool],
) -> None:
    journal = school.journal
    teacher, admin = school.as_(school.teacher_id, when), school.as_(school.admin_id, when)
    kind, *args = operation
    marks = list(journal.get_lesson(lesson_id).marks)
    if kind == "mark":
        student, work, value = args
        outcome = journal.place_marks(teacher, lesson_id, [MarkEntry(
            student_id=school.students[student], work_type_id=school.work_type(work),
            value=value)])
        for mark in outcome.answer["marks"]:
            late_when_placed[UUID(mark["id"])] = mark["late"]
    elif kind in ("change", "remove") and marks:
        mark_id = marks[args[0] % len(marks)]
        if kind == "change":
            journal.change_mark(teacher, lesson_id, mark_id, args[1], "пересмотр")
        else:
            journal.remove_mark(teacher, lesson_id, mark_id, "ошибка")
    elif kind == "attend":
        journal.record_attendance(teacher, lesson_id, {school.students[args[0]]: args[1]})
    elif kind == "override":
        journal.override_attendance(admin, lesson_id, school.students[args[0]], args[1], "акт")
    elif kind == "substitute":
        substitute = school.substitute_id if args[0] else None
        journal.substitute_teacher(admin, lesson_id, substitute, "замена")
    elif kind == "room":
        journal.change_room(admin, lesson_id, args[0], "перенос")
    elif kind == "cancel":
        if args[0]:
            journal.cancel_lesson(admin, lesson_id, "болезнь")
        else:
            journal.reinstate_lesson(admin, lesson_id, "отмена отмены")
