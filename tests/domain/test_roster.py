"""Roster rules: one class at a time, transfers atomic, the roster on any date from events."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError

from domain.application import Journal
from domain.edugroup import EduGroup
from domain.errors import InvalidValue, RuleViolated
from domain.journal import Command
from domain.person import Documents, FullName, Sex
from domain.school import Requisites

ADMIN = Command(actor="admin")


def new_journal() -> Journal:
    return Journal(env={
        "PERSISTENCE_MODULE": "eventsourcing.popo",
        "MAPPER_TOPIC": "infra.mapper:MsgspecMapper",
        "TRANSCODER_TOPIC": "infra.mapper:NullTranscoder",
    })


def setup_school(journal: Journal) -> tuple[UUID, UUID, UUID, UUID]:
    school = UUID(journal.register_school(
        ADMIN, "Школа", "Europe/Moscow", 1, Requisites()).answer["id"])
    a = UUID(journal.open_class(ADMIN, school, 2026, "6А").answer["id"])
    b = UUID(journal.open_class(ADMIN, school, 2026, "6Б").answer["id"])
    student = UUID(journal.register_person(
        ADMIN, FullName(last="Орлова", first="Мария"), Sex.FEMALE, date(2014, 5, 5),
        Documents()).answer["id"])
    journal.enrol_student(ADMIN, a, student, date(2026, 9, 1))
    return school, a, b, student


def test_the_roster_on_any_date_is_answered_from_events() -> None:
    journal = new_journal()
    _, a, b, student = setup_school(journal)
    journal.transfer_student(ADMIN, student, a, b, date(2026, 11, 18), "перевод")

    source, target = journal.get_group(a), journal.get_group(b)
    assert source.roster_on(date(2026, 11, 17)) == {student}
    assert source.roster_on(date(2026, 11, 18)) == set()
    assert target.roster_on(date(2026, 11, 18)) == {student}
    assert target.roster_on(date(2026, 11, 17)) == set()
    assert journal.get_person(student).current_class == b


def test_a_transfer_records_both_classes_and_the_student_under_one_command() -> None:
    journal = new_journal()
    _, a, b, student = setup_school(journal)
    outcome = journal.transfer_student(ADMIN, student, a, b, date(2026, 10, 1), "перевод")

    events = [journal.mapper.to_domain_event(n) for n in
              journal.recorder.select_notifications(start=outcome.position - 3, limit=10)]
    last_four = events[-4:]
    assert {type(e).__qualname__ for e in last_four} == {
        "EduGroup.StudentLeft", "EduGroup.StudentEnrolled", "Person.ReleasedFromClass",
        "Person.PlacedInClass"}
    assert len({e.command_id for e in last_four}) == 1
    assert {e.actor for e in last_four} == {"admin"}


def test_a_failed_transfer_leaves_both_classes_untouched() -> None:
    journal = new_journal()
    _, a, b, student = setup_school(journal)
    versions = (journal.get_group(a).version, journal.get_group(b).version)
    with pytest.raises(InvalidValue):  # the date is outside the academic year
        journal.transfer_student(ADMIN, student, a, b, date(2027, 9, 2), "перевод")
    assert (journal.get_group(a).version, journal.get_group(b).version) == versions


def test_a_student_in_a_class_cannot_be_enrolled_in_a_second_one() -> None:
    journal = new_journal()
    _, _, b, student = setup_school(journal)
    with pytest.raises(RuleViolated) as refused:
        journal.enrol_student(ADMIN, b, student, date(2026, 9, 2))
    assert "student_id" in refused.value.fields


def test_a_subgroup_takes_only_students_of_its_class_on_that_date() -> None:
    journal = new_journal()
    _, a, b, student = setup_school(journal)
    english = UUID(journal.open_subgroup(ADMIN, b, "Английский, гр. 1").answer["id"])
    with pytest.raises(RuleViolated):
        journal.enrol_student(ADMIN, english, student, date(2026, 9, 10))
    journal.transfer_student(ADMIN, student, a, b, date(2026, 9, 15), "перевод")
    journal.enrol_student(ADMIN, english, student, date(2026, 9, 15))
    assert journal.get_group(english).roster_on(date(2026, 9, 15)) == {student}


def test_leaving_needs_a_reason_and_a_date_after_joining() -> None:
    journal = new_journal()
    _, a, _, student = setup_school(journal)
    with pytest.raises(InvalidValue):
        journal.release_student(ADMIN, a, student, date(2026, 12, 1), "  ")
    with pytest.raises(RuleViolated):
        journal.release_student(ADMIN, a, student, date(2026, 9, 1), "переезд")
    journal.release_student(ADMIN, a, student, date(2026, 12, 1), "переезд")
    assert journal.get_person(student).current_class is None
    assert journal.get_group(a).roster_on(date(2026, 11, 30)) == {student}


def test_class_names_are_normalised_and_checked() -> None:
    group = EduGroup.open_class(UUID(int=1), 2026, " 10 б ")
    assert (group.name, group.parallel) == ("10Б", 10)
    for bad in ("0А", "12А", "Б5", ""):
        with pytest.raises(InvalidValue):
            EduGroup.open_class(UUID(int=1), 2026, bad)


def test_a_command_refused_by_a_rule_writes_no_command_record() -> None:
    journal = new_journal()
    _, _, b, student = setup_school(journal)
    keyed = Command(actor="admin", idempotency_key="k", fingerprint="f")
    with pytest.raises(RuleViolated):
        journal.enrol_student(keyed, b, student, date(2026, 9, 2))
    from domain.command_record import command_id_for

    with pytest.raises(AggregateNotFoundError):
        journal.repository.get(command_id_for("admin", "k"))
