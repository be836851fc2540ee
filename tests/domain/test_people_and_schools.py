"""Schools and people: requisites, readiness, identification, documents."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidValue
from domain.person import (
    BirthCertificate,
    Documents,
    FullName,
    Passport,
    Person,
    Sex,
    identification_gaps,
)
from domain.school import Requisites, School

TODAY = date(2026, 11, 29)
COMPLETE = Requisites(
    ogrn="1027700132195", okpo="00032537", inn="7707083893", kpp="773601001", okopf="75403",
    founder="Департамент образования", okato="45293554000", oktmo="45397000",
    phones=("8 (495) 123-45-67",),
)


def test_a_school_with_every_requisite_is_ready_and_phones_are_normalised() -> None:
    school = School.register("Школа", "Europe/Moscow", 1, COMPLETE)
    assert school.missing_requisites == []
    assert school.requisites.phones == ("+74951234567",)


def test_a_missing_requisite_makes_the_school_not_ready_but_is_accepted() -> None:
    school = School.register("Школа", "Europe/Moscow", 1, Requisites(inn="7707083893"))
    assert "ОГРН" in school.missing_requisites
    assert "ИНН" not in school.missing_requisites


@pytest.mark.parametrize(("field", "value"), [
    ("ogrn", "1027700132196"), ("okpo", "00032538"), ("inn", "7707083894"),
    ("kpp", "77360100"), ("oktmo", "4539700"),
])
def test_a_present_requisite_must_be_valid_and_the_error_names_it(field: str, value: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        School.register("Школа", "Europe/Moscow", 1, Requisites(**{field: value}))
    assert list(refused.value.fields) == [f"requisites.{field}"]


def test_a_school_works_in_one_or_two_shifts() -> None:
    with pytest.raises(InvalidValue):
        School.register("Школа", "Europe/Moscow", 3, COMPLETE)


def test_identification_needs_name_sex_birth_date_and_one_dated_document() -> None:
    name = FullName(last="Ким", first="Алина")
    assert identification_gaps(name, Sex.FEMALE, date(2012, 1, 1), Documents(snils="112")) == []
    undated = Documents(passport=Passport(series="4509", number="123456"))
    assert identification_gaps(name, Sex.FEMALE, date(2000, 1, 1), undated) == [
        "паспорт с датой выдачи, свидетельство о рождении с датой выдачи или СНИЛС"]
    assert identification_gaps(name, None, None, Documents()) == [
        "пол", "дата рождения",
        "паспорт с датой выдачи, свидетельство о рождении с датой выдачи или СНИЛС"]


def test_a_snils_with_a_wrong_check_number_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        Person.register(FullName(last="Ким", first="Алина"), Sex.FEMALE, date(2012, 1, 1),
                        Documents(snils="112-233-445 96"), TODAY)
    assert list(refused.value.fields) == ["documents.snils"]


def test_a_document_issued_in_the_future_or_before_birth_is_refused() -> None:
    name = FullName(last="Ким", first="Алина")
    future = Documents(birth_certificate=BirthCertificate(
        series="II-АГ", number="654321", issued_on=date(2027, 1, 1)))
    with pytest.raises(InvalidValue, match="future"):
        Person.register(name, Sex.FEMALE, date(2012, 1, 1), future, TODAY)
    early = Documents(passport=Passport(series="4509", number="123456",
                                        issued_on=date(2011, 1, 1)))
    with pytest.raises(InvalidValue, match="before the birth"):
        Person.register(name, Sex.FEMALE, date(2012, 1, 1), early, TODAY)


def test_correcting_a_birth_date_cannot_strand_a_document_before_it() -> None:
    documents = Documents(passport=Passport(series="4509", number="123456",
                                            issued_on=date(2010, 1, 1)))
    person = Person.register(FullName(last="Ким", first="Олег"), Sex.MALE, date(1990, 1, 1),
                             documents, TODAY)
    with pytest.raises(InvalidValue):
        person.correct_personal_data(person.name, Sex.MALE, date(2011, 1, 1), TODAY)
    assert person.birth_date == date(1990, 1, 1)
