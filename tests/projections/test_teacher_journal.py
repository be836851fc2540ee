"""The teacher journal: lessons as columns, students as rows, period marks at the end."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from api.view_schemas import JournalGrid
from infra.container import Container
from projections.teacher_journal import JournalQueries
from tests.projections.term import MONDAY, TRANSFER_DAY, Term


def grid(container: Container, group: UUID, subject: UUID,
         period: str = "1 четверть") -> JournalGrid:
    queries = JournalQueries(container.views)
    doc = queries.group(str(group))
    assert doc is not None
    span = queries.period(doc["school_id"], doc["year"], period)
    assert span is not None
    answer: dict[str, Any] = queries.grid(doc, str(subject), span)
    return msgspec.convert(answer, JournalGrid)


def test_a_class_grid_has_the_periods_lessons_its_students_and_their_period_marks(
    container: Container, term: Term
) -> None:
    school = term.school
    s0, s1, s2, s3 = school.students
    journal = grid(container, school.class_id, school.subject_id)

    assert len(journal.lessons) == 15  # Monday, Wednesday and Friday for five weeks
    assert [column.day for column in journal.lessons][:3] == [
        MONDAY, date(2024, 9, 4), date(2024, 9, 6)]
    assert [row.student_id for row in journal.rows] == [s0, s3, s1, s2]  # by name
    rows = {row.student_id: row for row in journal.rows}
    assert (rows[s0].period_mark, rows[s1].period_mark, rows[s2].period_mark) == ("5", "4", None)
    assert [mark.value for mark in rows[s0].cells[0].marks] == ["5"]
    assert [(m.value, m.weight) for m in rows[s3].cells[0].marks] == [("3", "3")]
    assert rows[s2].cells[0].attendance == "excused"
    # The transferred student's row stops at the transfer: not enrolled from that Wednesday.
    enrolled = {column.day: cell.enrolled for column, cell in
                zip(journal.lessons, rows[s2].cells, strict=True)}
    assert enrolled[date(2024, 9, 16)] and not enrolled[TRANSFER_DAY]


def test_a_subgroup_grid_follows_its_moved_lesson_and_its_members(
    container: Container, term: Term
) -> None:
    journal = grid(container, term.english, term.english_subject)
    days = [column.day for column in journal.lessons]
    assert date(2024, 9, 19) not in days and date(2024, 9, 28) in days
    assert journal.class_id == term.school.class_id
    assert {row.student_id for row in journal.rows} == set(term.school.students[:3])


def test_a_lesson_whose_subject_changed_moves_to_the_other_subjects_grid(
    container: Container, term: Term
) -> None:
    changed = term.lesson(term.other_class, date(2024, 9, 25), 3)
    russian = grid(container, term.other_class, term.russian)
    maths = grid(container, term.other_class, term.school.subject_id)
    assert changed not in {column.lesson_id for column in russian.lessons}
    assert changed in {column.lesson_id for column in maths.lessons}
    assert grid(container, term.other_class, term.russian, "2 четверть").lessons == []
