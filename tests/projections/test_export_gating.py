"""Gating: nothing of a school while its requisites are incomplete or invalid, nothing of a
person without complete identification; the moment either is complete, its full current state
goes into the next delta; the held report says who waits and why."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
import pytest

from domain.journal import Command
from domain.marks import MarkEntry
from domain.school import Requisites
from domain.work_types import BuiltIn
from infra.container import Container
from projections.export_deltas import body, seal
from projections.export_people import school_gaps
from projections.export_schemas import ENTITIES
from projections.export_status import held
from tests.projections.export_support import (
    body_lines,
    complete_requisites,
    complete_school,
    everyone,
    identify,
    identify_all,
)
from tests.projections.term import Term, realistic_term, week_day

PERSON_GATED = {"person", "teacher", "student", "legal_representative", "mark", "absence",
                "period_mark", "year_mark", "weekly_stats", "weekly_subject_stats",
                "period_stats", "diary", "homework_student"}


@pytest.fixture
def term(container: Container) -> Term:
    built = realistic_term(container.journal)
    container.runner.catch_up()
    return built


def sealed_lines(container: Container) -> list[dict[str, Any]]:
    container.runner.catch_up()
    sealed = seal(container.views)
    return [] if sealed is None else body_lines(b"".join(body(container.views, sealed.number)))


def about(line: dict[str, Any]) -> set[str]:
    """The people a record is about (a tombstone names them in its key only)."""
    payload = line["payload"] or {}
    return {*line["key"].split(":"), *(str(payload.get(field)) for field in (
        "person_id", "student_id", "representative_id"))}


def test_an_incomplete_school_is_held_with_its_missing_requisites(container: Container,
                                                                   term: Term) -> None:
    assert sealed_lines(container) == []
    report = held(container.views)
    (school,) = report["schools"]
    assert school["school_id"] == str(term.school.school_id)
    assert school["missing"] == ["ОГРН", "ОКПО", "ИНН", "КПП", "ОКОПФ", "учредитель", "ОКАТО",
                                 "ОКТМО", "контактные телефоны"]
    assert {p["person_id"] for p in report["people"]} == {str(p) for p in everyone(term)}
    partial = complete_requisites()
    container.journal.update_school(Command(actor="admin"), term.school.school_id, None,
                                    requisites=Requisites(inn=partial.inn, ogrn=partial.ogrn))
    container.runner.catch_up()
    assert sealed_lines(container) == []
    assert "ИНН" not in held(container.views)["schools"][0]["missing"]


def test_a_requisite_that_does_not_validate_holds_the_school() -> None:
    requisites = msgspec.to_builtins(complete_requisites())
    assert school_gaps(requisites) == []
    inn = requisites["inn"]
    broken = dict(requisites, inn=inn[:-1] + str((int(inn[-1]) + 1) % 10))  # a wrong check digit
    assert [gap for gap in school_gaps(broken) if gap.startswith("неверное значение")]


def test_completing_the_school_emits_its_full_current_state_at_that_position(
    container: Container, term: Term
) -> None:
    s3 = term.school.students[3]
    identify_all(container.journal, [p for p in everyone(term) if p != s3])
    assert sealed_lines(container) == []  # the school is still incomplete
    completed = complete_school(container.journal, term.school.school_id)
    lines = sealed_lines(container)
    assert {line["position"] for line in lines} == {completed}
    counts = Counter(line["entity"] for line in lines)
    assert set(counts) == set(ENTITIES) - {"material", "year_mark"}
    assert not any(str(s3) in about(line) for line in lines)  # identification incomplete
    assert [p["person_id"] for p in held(container.views)["people"]] == [str(s3)]
    assert held(container.views)["schools"] == []

    identified = identify(container.journal, s3)
    lines = sealed_lines(container)
    assert {line["position"] for line in lines} == {identified}
    assert {line["entity"] for line in lines} >= {"person", "student", "mark", "absence",
                                                  "diary", "weekly_stats", "period_stats"}
    assert all(str(s3) in about(line) or line["entity"] == "system_event" for line in lines)
    assert held(container.views)["people"] == []


def test_a_school_that_loses_a_requisite_is_held_again_then_sent_whole(
    container: Container, term: Term
) -> None:
    journal, school = container.journal, term.school
    identify_all(journal, everyone(term))
    complete_school(journal, school.school_id)
    full = sealed_lines(container)
    journal.update_school(Command(actor="admin"), school.school_id, None,
                          requisites=Requisites(inn=complete_requisites().inn))
    mark = journal.place_marks(school.as_(school.teacher_id),
                               term.lesson(school.class_id, week_day(4, 1), 1),
                               [MarkEntry(student_id=school.students[0],
                                          work_type_id=school.work_type(BuiltIn.TEST_PAPER),
                                          value="4")])
    assert sealed_lines(container) == []  # nothing while it is incomplete
    again = complete_school(journal, school.school_id)
    lines = sealed_lines(container)
    assert {line["position"] for line in lines} == {again}
    keys = {(line["entity"], line["key"]) for line in lines}
    assert {(line["entity"], line["key"]) for line in full} <= keys
    assert ("mark", mark.answer["marks"][0]["id"]) in keys


def test_an_erased_person_is_deleted_at_the_receivers_and_a_replay_agrees(
    container: Container, term: Term
) -> None:
    from projections.operations import verify

    journal = container.journal
    if not hasattr(journal, "erase_personal_data"):
        pytest.skip("this journal has no erasure of personal data")
    identify_all(journal, everyone(term))
    complete_school(journal, term.school.school_id)
    sealed_lines(container)
    student = term.school.students[0]
    erased = journal.erase_personal_data(Command(actor="admin"), student, "152-ФЗ ст. 21",
                                         "акт № 1").position
    lines = sealed_lines(container)
    mine = [line for line in lines if str(student) in about(line)]
    assert {line["position"] for line in mine} == {erased}
    person = [line for line in mine if line["entity"] == "person"]
    assert person and all(line["op"] == 1 for line in person)
    assert "Иванова" not in str(lines)
    assert held(container.views)["people"] == []
    recorder: Any = journal.recorder
    assert verify(recorder, journal.mapper, container.views, container.projections,
                  ["export"]) == []
