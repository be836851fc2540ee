"""A school with its 2024/25 year set up over HTTP: class 5А, students, teachers, lessons.

The year is in the past on purpose: a mark of «Ответ на уроке» placed now for one of its
lessons is always late, whatever day the suite runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from api.auth import Role
from domain.work_types import BuiltIn, built_in_work_type_id
from tests.conftest import Api
from tests.factories import adult, person, school

YEAR = 2024
QUARTERS = [
    {"name": "1 четверть", "start": "2024-09-02", "end": "2024-10-27"},
    {"name": "2 четверть", "start": "2024-11-05", "end": "2024-12-29"},
    {"name": "3 четверть", "start": "2025-01-09", "end": "2025-03-23"},
    {"name": "4 четверть", "start": "2025-04-01", "end": "2025-05-26"},
]
HOLIDAYS = [
    {"name": "Осенние каникулы", "start": "2024-10-28", "end": "2024-11-04"},
    {"name": "Зимние каникулы", "start": "2024-12-30", "end": "2025-01-08"},
]
BELLS = {
    "1": [{"number": 1, "start": "08:30:00", "end": "09:15:00"},
          {"number": 2, "start": "09:25:00", "end": "10:10:00"},
          {"number": 3, "start": "10:30:00", "end": "11:15:00"}],
}
# Monday lesson 1, Wednesday lesson 2, Friday lesson 1: mathematics with the assigned teacher.
TIMETABLE = [(1, 1), (3, 2), (5, 1)]


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: Any, status: int) -> dict[str, Any]:
    """The problem+json of a refused command."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    return problem


def fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


@dataclass
class JournalSchool:
    api: Api  # the system administrator
    school_id: str
    director_id: str
    teacher_id: str
    substitute_id: str
    stranger_id: str  # a teacher of the school who does not teach 5А mathematics
    class_id: str
    subject_id: str
    students: list[str]
    lessons: list[str] = field(default_factory=list)  # the first week's, in time order

    def as_(self, role: Role, person_id: str) -> Api:
        return self.api.as_(role, subject=person_id, school_id=self.school_id)

    @property
    def director(self) -> Api:
        return self.as_(Role.SCHOOL_ADMIN, self.director_id)

    @property
    def teacher(self) -> Api:
        return self.as_(Role.TEACHER, self.teacher_id)

    @property
    def substitute(self) -> Api:
        return self.as_(Role.TEACHER, self.substitute_id)

    @property
    def stranger(self) -> Api:
        return self.as_(Role.TEACHER, self.stranger_id)

    def student(self, index: int) -> Api:
        return self.as_(Role.STUDENT, self.students[index])

    def work_type(self, kind: BuiltIn) -> str:
        return str(built_in_work_type_id(UUID(self.school_id), kind))

    def mark(self, student: int, value: str, kind: BuiltIn = BuiltIn.ANSWER) -> dict[str, str]:
        return {"student_id": self.students[student], "work_type_id": self.work_type(kind),
                "value": value}

    def generate(self, start: str, end: str) -> dict[str, Any]:
        slots = [{"weekday": weekday, "number": number, "subject_id": self.subject_id}
                 for weekday, number in TIMETABLE]
        return ok(self.director.post(f"/v1/classes/{self.class_id}/lessons",
                                     {"start": start, "end": end, "slots": slots}), 201)

    def version(self, lesson_id: str) -> int:
        """The lesson's version on the write side (the read side is not the API's yet)."""
        return int(self.api.container.journal.get_lesson(UUID(lesson_id)).version)


def set_up_school(api: Api, students: int = 3) -> JournalSchool:
    """Everything a lesson journal needs, each step through the API as its real caller."""
    school_id = ok(api.post("/v1/schools", school()), 201)["id"]
    names = ["Директорова", "Учителева", "Заменова", "Чужова"]
    staff = [ok(api.post("/v1/people", adult(name={"last": last, "first": "Анна"})), 201)["id"]
             for last in names]
    director_id, teacher_id, substitute_id, stranger_id = staff
    ok(api.post(f"/v1/schools/{school_id}/staff",
                {"person_id": director_id, "position": "administrator"}))
    for teacher in staff[1:]:
        ok(api.post(f"/v1/schools/{school_id}/staff",
                    {"person_id": teacher, "position": "teacher"}))
    director = api.as_(Role.SCHOOL_ADMIN, subject=director_id, school_id=school_id)
    class_id = ok(director.post(f"/v1/schools/{school_id}/classes",
                                {"academic_year": YEAR, "name": "5А"}), 201)["id"]
    pupils = []
    for index in range(students):
        pupil = ok(api.post("/v1/people", person(
            name={"last": f"Ученикова-{index + 1}", "first": "Вера"})), 201)["id"]
        ok(director.post(f"/v1/classes/{class_id}/enrolments",
                         {"student_id": pupil, "on": "2024-09-01"}))
        pupils.append(pupil)
    ok(director.post(f"/v1/schools/{school_id}/years", {
        "year": YEAR, "attestation_kind": "quarters", "attestation_periods": QUARTERS,
        "holidays": HOLIDAYS, "bells": BELLS, "period_marks_lead_days": 7}), 201)
    subject_id = ok(director.post(f"/v1/schools/{school_id}/subjects",
                                  {"name": "Математика", "short_name": "Матем."}), 201)
    ok(director.post(f"/v1/classes/{class_id}/teaching-assignments", {
        "subject_id": subject_id["subject_id"], "teacher_id": teacher_id, "on": "2024-09-01"}))
    s = JournalSchool(api, school_id, director_id, teacher_id, substitute_id, stranger_id,
                      class_id, subject_id["subject_id"], pupils)
    s.lessons = [str(lesson) for lesson in s.generate("2024-09-02", "2024-09-08")["lesson_ids"]]
    return s
