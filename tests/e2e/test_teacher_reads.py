"""A teacher reads their groups (DESIGN): the classes they teach in, by a teaching assignment
of the class or one of its subgroups, or are the homeroom teacher of; not the rest of the
school. School administrators and auditors read every class."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from api.auth import Role
from tests.conftest import Api
from tests.projections.term import Term, realistic_term

SEPT = date(2024, 9, 1)


@pytest.fixture
def term(api: Api) -> Term:
    return realistic_term(api.container.journal)


def reads(api: Api, term: Term, teacher: UUID, class_id: UUID, student: UUID) -> list[int]:
    """Statuses of the grid, the class statistics, a student's diary and statistics."""
    school = str(term.school.school_id)
    caller = api.as_(Role.TEACHER, str(teacher), school_id=school)
    fresh = f"min_position={api.container.log_position()}"
    assert api.container.wait_for("registries", api.container.log_position())
    urls = [
        f"/v1/classes/{class_id}/journal?subject_id={term.school.subject_id}"
        f"&period=1 четверть&{fresh}",
        f"/v1/classes/{class_id}/statistics?week=2024-W38&{fresh}",
        f"/v1/students/{student}/diary/2024-W36?{fresh}",
        f"/v1/students/{student}/statistics/weeks/2024-W36?{fresh}",
    ]
    return [caller.get(url).status_code for url in urls]


def test_a_teacher_assigned_in_a_class_reads_it_and_not_another_class(
    api: Api, term: Term
) -> None:
    school, journal = term.school, term.journal
    journal.assign_teacher(school.admin, school.class_id, school.subject_id,
                           school.teacher_id, SEPT)
    a5_student = school.students[0]
    b5_student = min(journal.get_group(term.other_class).roster_on(date(2024, 9, 2)))
    assert reads(api, term, school.teacher_id, school.class_id, a5_student) == [200] * 4
    assert reads(api, term, school.teacher_id, term.other_class, b5_student) == [403] * 4


def test_a_teacher_of_the_school_who_teaches_nothing_there_reads_nothing(
    api: Api, term: Term
) -> None:
    school = term.school
    assert reads(api, term, school.substitute_id, school.class_id, school.students[0]) \
        == [403] * 4
    admin = api.as_(Role.SCHOOL_ADMIN, str(school.admin_id), school_id=str(school.school_id))
    url = f"/v1/students/{school.students[0]}/diary/2024-W36"
    assert admin.get(url).status_code == 200


def test_the_homeroom_teacher_reads_the_class_until_another_takes_it_over(
    api: Api, term: Term
) -> None:
    school, journal = term.school, term.journal
    homeroom = school.teacher("Классная")
    journal.assign_homeroom_teacher(school.admin, school.class_id, homeroom)
    assert reads(api, term, homeroom, school.class_id, school.students[1]) == [200] * 4
    journal.assign_homeroom_teacher(school.admin, school.class_id, school.substitute_id)
    assert reads(api, term, homeroom, school.class_id, school.students[1]) == [403] * 4


def test_a_subgroup_teacher_reads_the_class_of_the_subgroup(api: Api, term: Term) -> None:
    school, journal = term.school, term.journal
    english_teacher = school.teacher("Англичанка")
    journal.assign_teacher(school.admin, term.english, term.english_subject, english_teacher,
                           SEPT)
    assert reads(api, term, english_teacher, school.class_id, school.students[3]) == [200] * 4
    b5_student = min(journal.get_group(term.other_class).roster_on(date(2024, 9, 2)))
    assert reads(api, term, english_teacher, term.other_class, b5_student) == [403] * 4


def test_a_relieved_teacher_no_longer_reads_the_class(api: Api, term: Term) -> None:
    school, journal = term.school, term.journal
    journal.assign_teacher(school.admin, school.class_id, term.russian, school.substitute_id,
                           SEPT)
    assert reads(api, term, school.substitute_id, school.class_id, school.students[0]) \
        == [200] * 4
    journal.relieve_teacher(school.admin, school.class_id, term.russian, school.substitute_id,
                            date(2024, 10, 1), "ушла в декрет")
    assert reads(api, term, school.substitute_id, school.class_id, school.students[0]) \
        == [403] * 4
