"""The export projector: a record for every entity of the seed, late flags, statistics that
agree with the statistics view, and rows that depend on the log only (not on batching)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
import pytest

from domain.marks import Attendance
from domain.work_types import BuiltIn
from infra.container import Container
from projections.export_deltas import body, seal
from projections.export_projector import Export
from projections.export_schemas import ENTITIES
from projections.operations import rebuild, verify
from projections.runner import ProjectionRunner
from projections.statistics_queries import StatisticsQueries
from tests.projections.export_support import body_lines, full_term, records
from tests.projections.term import Term, week_day


@pytest.fixture
def full(container: Container) -> Term:
    term = full_term(container.journal)
    container.runner.catch_up()
    return term


def live(store: Any, entity: str) -> dict[str, dict[str, Any]]:
    return {key: row for (_, key), row in records(store, entity).items() if row["op"] == 0}


def test_every_entity_of_the_seed_has_records_that_match_its_schema(
    container: Container, full: Term
) -> None:
    found = records(container.views)
    assert {entity for entity, _key in found} == set(ENTITIES)
    for (entity, key), row in found.items():
        assert row["version"] == ENTITIES[entity].version
        assert row["school_id"] == str(full.school.school_id), (entity, key)
        if row["op"] == 0:  # the payload decodes with its entity's struct
            msgspec.convert(row["payload"], ENTITIES[entity].payload)
        else:
            assert row["payload"] is None


def test_identification_holds_one_document_and_the_persons_data(
    container: Container, full: Term
) -> None:
    school, student = str(full.school.school_id), str(full.school.students[0])
    person = live(container.views, "person")[f"{school}:{student}"]["payload"]
    assert (person["last_name"], person["sex"], person["birth_date"]) == (
        "Иванова", "female", "2014-05-01")
    assert person["document"]["kind"] == "snils"
    assert person["document"]["number"] == person["snils"]
    reps = live(container.views, "legal_representative")
    assert reps[f"{school}:{student}:{full.parent}"]["payload"]["kind"] == "mother"


def test_late_marks_and_homework_are_flagged_late(container: Container, full: Term) -> None:
    marks = live(container.views, "mark")
    late = {row["payload"]["value"] for row in marks.values() if row["late"]}
    assert late == {"4"}  # «Ответ на уроке» put at 22:00
    homework = live(container.views, "homework")
    assert {row["payload"]["text"] for row in homework.values() if row["late"]} == {"поздно"}
    assert all(row["late"] == (row["payload"]["timeliness"] == "late")
               for row in homework.values())


def test_statistics_agree_with_the_statistics_view(container: Container, full: Term) -> None:
    queries = StatisticsQueries(container.views)
    school = str(full.school.school_id)
    weekly = live(container.views, "weekly_stats")
    for student in map(str, full.school.students):
        for week in range(5):
            monday, sunday = week_day(week, 1).isoformat(), week_day(week, 7).isoformat()
            view = queries.student(student, monday, sunday, "2099-01-01")["total"]
            key = f"{school}:{student}:{week_day(week, 1).isocalendar()[0]}-W" \
                  f"{week_day(week, 1).isocalendar()[1]:02d}"
            if not view["lessons_held"] and not view["marks"]:
                assert key not in weekly
                continue
            line = weekly[key]["payload"]
            assert (line["marks"], line["average"], line["weighted_average"],
                    line["absences"], line["lessons"]) == (
                view["marks"], view["average"], view["weighted_average"], view["absences"],
                view["lessons_held"]), (student, week)


def test_a_mark_changed_after_its_export_is_an_upsert_and_a_removed_one_a_delete(
    container: Container, full: Term
) -> None:
    school, j, views = full.school, container.journal, container.views
    lesson = full.lesson(school.class_id, week_day(0, 1), 1)
    mark_id = next(key for key, row in live(views, "mark").items()
                   if row["payload"]["lesson_id"] == str(lesson))
    exported = seal(views)
    assert exported is not None and _mark_lines(views, exported.number, mark_id)[0]["op"] == 0

    changed = j.change_mark(school.admin, lesson, UUID(mark_id), "2", "ошибка").position
    container.runner.catch_up()
    again = seal(views)
    assert again is not None
    (line,) = _mark_lines(views, again.number, mark_id)
    assert (line["op"], line["position"], line["payload"]["value"]) == (0, changed, "2")
    removed = j.remove_mark(school.admin, lesson, UUID(mark_id), "ошибка").position
    container.runner.catch_up()
    gone = seal(views)
    assert gone is not None
    (line,) = _mark_lines(views, gone.number, mark_id)
    assert (line["op"], line["position"], line["payload"]) == (1, removed, None)
    assert records(views, "mark")[("mark", mark_id)]["op"] == 1


def _mark_lines(views: Any, number: int, mark_id: str) -> list[dict[str, Any]]:
    return [line for line in body_lines(b"".join(body(views, number)))
            if (line["entity"], line["key"]) == ("mark", mark_id)]


def test_an_absence_cleared_leaves_a_tombstone_and_a_late_arrival_writes_nothing(
    container: Container, full: Term
) -> None:
    school, j = full.school, container.journal
    lesson = full.lesson(school.class_id, week_day(4, 2), 2)
    s0, s1 = map(str, school.students[:2])
    j.record_attendance(school.admin, lesson, {school.students[0]: Attendance.ABSENT,
                                               school.students[1]: Attendance.LATE})
    container.runner.catch_up()
    assert records(container.views, "absence")[("absence", f"{lesson}:{s0}")]["op"] == 0
    assert ("absence", f"{lesson}:{s1}") not in records(container.views, "absence")
    j.record_attendance(school.admin, lesson, {school.students[0]: Attendance.PRESENT})
    container.runner.catch_up()
    assert records(container.views, "absence")[("absence", f"{lesson}:{s0}")]["op"] == 1


def _replay(container: Container, batch: int) -> dict[str, list[tuple[Any, ...]]]:
    shadow = Export(f"_b{batch}")
    ProjectionRunner(container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
                     container.views, [shadow], batch_size=batch,
                     position_key=lambda p: p.name + p.suffix).catch_up()
    return dict(zip(Export().table_names(), shadow.dump(container.views).values(), strict=True))


def test_the_records_do_not_depend_on_where_batches_end(container: Container,
                                                        full: Term) -> None:
    school = full.school
    container.journal.place_marks(  # one more, late: the live view has several batches now
        school.as_(school.teacher_id), full.lesson(school.class_id, week_day(4, 5), 2),
        [_entry(school, BuiltIn.CLASSWORK)])
    container.runner.catch_up()
    expected = Export().dump(container.views)
    for batch in (1, 3, 17):
        assert _replay(container, batch) == expected, batch


def _entry(school: Any, kind: BuiltIn) -> Any:
    from domain.marks import MarkEntry

    return MarkEntry(student_id=school.students[0], work_type_id=school.work_type(kind),
                     value="5")


def test_the_export_rebuilt_from_zero_equals_the_live_one(container: Container,
                                                          full: Term) -> None:
    journal, views = container.journal, container.views
    recorder: Any = journal.recorder
    assert verify(recorder, journal.mapper, views, container.projections, ["export"]) == []
    before = Export().dump(views)
    rebuild(recorder, journal.mapper, views, container.projections, ["export"])
    assert Export().dump(views) == before
    assert verify(recorder, journal.mapper, views, container.projections, ["export"]) == []
