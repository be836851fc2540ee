"""The registries know which classes each teacher teaches in (the access policy reads it)."""

from __future__ import annotations

from datetime import date

from infra.container import Container
from projections.operations import rebuild
from projections.registries import Registries
from tests.projections.term import Term
from tests.projections.test_runner import runner_with

SEPT, OCT = date(2024, 9, 1), date(2024, 10, 1)


def teaches_in(container: Container, teacher: object, class_id: object) -> dict | None:
    return container.registries.document("teaches_in", f"{teacher}:{class_id}")


def test_a_subgroup_assignment_counts_for_its_class_until_the_teacher_is_relieved(
    container: Container, timetable: Term,
) -> None:
    school, journal = timetable.school, timetable.journal
    journal.assign_teacher(school.admin, school.class_id, school.subject_id,
                           school.teacher_id, SEPT)
    journal.assign_teacher(school.admin, timetable.english, timetable.english_subject,
                           school.teacher_id, SEPT)
    journal.assign_teacher(school.admin, timetable.english, timetable.english_subject,
                           school.substitute_id, SEPT)
    container.runner.catch_up()

    found = teaches_in(container, school.teacher_id, school.class_id)
    assert found is not None and found["groups"] == {
        str(school.class_id): [str(school.subject_id)],
        str(timetable.english): [str(timetable.english_subject)],
    }
    assert teaches_in(container, school.substitute_id, school.class_id) is not None
    assert teaches_in(container, school.teacher_id, timetable.other_class) is None

    journal.relieve_teacher(school.admin, timetable.english, timetable.english_subject,
                            school.substitute_id, OCT, "перевод в другую школу")
    journal.relieve_teacher(school.admin, school.class_id, school.subject_id,
                            school.teacher_id, OCT, "смена нагрузки")
    container.runner.catch_up()

    assert teaches_in(container, school.substitute_id, school.class_id) is None
    left = teaches_in(container, school.teacher_id, school.class_id)
    assert left is not None and left["groups"] == {
        str(timetable.english): [str(timetable.english_subject)]}


def test_the_teaching_rows_are_the_same_one_event_a_batch_or_all_at_once(
    container: Container, timetable: Term,
) -> None:
    school, journal = timetable.school, timetable.journal
    for teacher in (school.teacher_id, school.substitute_id):
        journal.assign_teacher(school.admin, timetable.english, timetable.english_subject,
                               teacher, SEPT)
    journal.relieve_teacher(school.admin, timetable.english, timetable.english_subject,
                            school.teacher_id, OCT, "смена нагрузки")
    journal.assign_teacher(school.admin, timetable.english, timetable.english_subject,
                           school.teacher_id, date(2024, 11, 5))
    runner_with(container, Registries(), batch=1).catch_up()
    one_by_one = Registries().dump(container.views)
    rebuild(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
            container.views, container.projections, ["registries"], batch_size=100_000)
    assert Registries().dump(container.views) == one_by_one
    assert teaches_in(container, school.teacher_id, school.class_id) is not None
