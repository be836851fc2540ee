"""A real Journal on in-memory persistence with the msgspec mapper, and a small school in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.domain import Aggregate

from domain.application import Journal
from domain.calendar import AttestationKind, Bell, Period
from domain.journal import Command
from domain.person import Documents, FullName, Sex
from domain.school import Requisites, StaffPosition
from domain.work_types import BuiltIn, built_in_work_type_id

JOURNAL_ENV = {
    "PERSISTENCE_MODULE": "eventsourcing.popo",
    "MAPPER_TOPIC": "infra.mapper:MsgspecMapper",
    "TRANSCODER_TOPIC": "infra.mapper:NullTranscoder",
}
YEAR = 2024
MOSCOW = ZoneInfo("Europe/Moscow")

QUARTERS = (
    Period("1 четверть", date(2024, 9, 2), date(2024, 10, 27)),
    Period("2 четверть", date(2024, 11, 5), date(2024, 12, 29)),
    Period("3 четверть", date(2025, 1, 9), date(2025, 3, 23)),
    Period("4 четверть", date(2025, 4, 1), date(2025, 5, 26)),
)
HOLIDAYS = (
    Period("Осенние каникулы", date(2024, 10, 28), date(2024, 11, 4)),
    Period("Зимние каникулы", date(2024, 12, 30), date(2025, 1, 8)),
    Period("Весенние каникулы", date(2025, 3, 24), date(2025, 3, 31)),
)
BELLS = {
    1: (Bell(1, time(8, 30), time(9, 15)), Bell(2, time(9, 25), time(10, 10)),
        Bell(3, time(10, 30), time(11, 15)), Bell(4, time(11, 35), time(12, 20))),
    2: (Bell(1, time(14, 0), time(14, 45)), Bell(2, time(14, 55), time(15, 40))),
}


def local(day: date, hour: int, minute: int = 0, tz: str = "Europe/Moscow") -> datetime:
    """An aware instant: the wall clock of `tz` on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


class RecordingJournal(Journal):
    """Remembers the live aggregates it saved and the events they produced, for replay tests."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.live: dict[UUID, Aggregate] = {}
        self.produced: list[Any] = []
        self.saves = 0

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        self.saves += 1
        for aggregate in objs:
            if isinstance(aggregate, Aggregate):
                self.live[aggregate.id] = aggregate
                self.produced.extend(aggregate.pending_events)
        return super().save(*objs, **kwargs)


@pytest.fixture
def journal() -> RecordingJournal:
    return RecordingJournal(env=dict(JOURNAL_ENV))


@dataclass
class School:
    """A school with a year set up: class 5А with students, a teacher, an administrator."""

    journal: RecordingJournal
    school_id: UUID
    admin_id: UUID
    teacher_id: UUID
    substitute_id: UUID
    class_id: UUID
    students: list[UUID]
    subject_id: UUID
    time_zone: str
    lessons: list[UUID] = field(default_factory=list)

    def as_(self, actor: UUID | str, when: datetime | None = None) -> Command:
        return Command(actor=str(actor), at=when or local(date(2024, 9, 2), 8))

    @property
    def admin(self) -> Command:
        return self.as_(self.admin_id)

    def work_type(self, kind: BuiltIn) -> UUID:
        return built_in_work_type_id(self.school_id, kind)

    def person(self, last: str, first: str) -> UUID:
        outcome = self.journal.register_person(
            self.admin, FullName(last=last, first=first), Sex.FEMALE, date(2014, 5, 1),
            Documents(),
        )
        return UUID(outcome.answer["id"])

    def teacher(self, last: str) -> UUID:
        person_id = self.person(last, "Учитель")
        self.journal.appoint_staff(self.admin, self.school_id, person_id, StaffPosition.TEACHER)
        return person_id

    def lesson(
        self, day: date, number: int = 1, group_id: UUID | None = None,
        teacher_id: UUID | None = None, subject_id: UUID | None = None,
    ) -> UUID:
        outcome = self.journal.create_lesson(
            self.admin, group_id or self.class_id, subject_id or self.subject_id,
            teacher_id or self.teacher_id, day, number,
        )
        self.lessons.append(UUID(outcome.answer["id"]))
        return self.lessons[-1]


def open_school(
    journal: RecordingJournal, time_zone: str = "Europe/Moscow", shifts: int = 1,
    students: Sequence[str] = ("Иванова", "Петров", "Сидоров"),
) -> School:
    bootstrap = Command(actor="system", at=local(date(2024, 8, 20), 10))
    school_id = UUID(journal.register_school(
        bootstrap, "Школа № 1", time_zone, shifts, Requisites()
    ).answer["id"])
    admin_id = UUID(journal.register_person(
        bootstrap, FullName(last="Директорова", first="Анна"), Sex.FEMALE, date(1980, 1, 1),
        Documents(),
    ).answer["id"])
    journal.appoint_staff(bootstrap, school_id, admin_id, StaffPosition.ADMINISTRATOR)
    school = School(journal, school_id, admin_id, admin_id, admin_id, admin_id, [], admin_id,
                    time_zone)
    school.teacher_id = school.teacher("Учителева")
    school.substitute_id = school.teacher("Заменова")
    school.class_id = UUID(journal.open_class(school.admin, school_id, YEAR, "5А").answer["id"])
    for last in students:
        student_id = school.person(last, "Ученик")
        journal.enrol_student(school.admin, school.class_id, student_id, date(2024, 9, 1))
        school.students.append(student_id)
    school.subject_id = UUID(
        journal.add_subject(school.admin, school_id, "Математика").answer["subject_id"]
    )
    journal.open_academic_year(
        school.admin, school_id, YEAR, AttestationKind.QUARTERS, QUARTERS, holidays=HOLIDAYS,
        bells=BELLS,
    )
    return school


@pytest.fixture
def school(journal: RecordingJournal) -> School:
    return open_school(journal)
