"""Person of any role: name, sex, birth date, identity documents, representatives."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID, uuid4

import msgspec
from eventsourcing.domain import event

from domain import identifiers as ids
from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated
from domain.personal_data import ERASED
from domain.school import checked


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Passport(msgspec.Struct, frozen=True, kw_only=True):
    series: str
    number: str
    issued_on: date | None = None
    issued_by: str | None = None


class BirthCertificate(msgspec.Struct, frozen=True, kw_only=True):
    series: str
    number: str
    issued_on: date | None = None


class FullName(msgspec.Struct, frozen=True, kw_only=True):
    last: str
    first: str
    middle: str | None = None

    def __str__(self) -> str:
        return " ".join(part for part in (self.last, self.first, self.middle) if part)


class Documents(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    passport: Passport | None = None
    birth_certificate: BirthCertificate | None = None
    snils: str | None = None


class RepresentativeKind(StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    TRUSTEE = "trustee"
    OTHER = "other"


def identification_gaps(
    name: FullName | None, sex: Sex | None, birth_date: date | None, documents: Documents
) -> list[str]:
    """What the seed's identification rule still lacks (empty: the person can be exported)."""
    gaps = []
    if name is None or not name.last or not name.first:
        gaps.append("ФИО")
    if sex is None:
        gaps.append("пол")
    if birth_date is None:
        gaps.append("дата рождения")
    has_document = (
        (documents.passport is not None and documents.passport.issued_on is not None)
        or (
            documents.birth_certificate is not None
            and documents.birth_certificate.issued_on is not None
        )
        or bool(documents.snils)
    )
    if not has_document:
        gaps.append("паспорт с датой выдачи, свидетельство о рождении с датой выдачи или СНИЛС")
    return gaps


def validated_name(name: FullName) -> FullName:
    last, first = name.last.strip(), name.first.strip()
    middle = (name.middle or "").strip() or None
    if not last:
        raise InvalidValue("name.last", "a last name is required")
    if not first:
        raise InvalidValue("name.first", "a first name is required")
    return FullName(last=last, first=first, middle=middle)


def validated_documents(documents: Documents, birth_date: date | None, today: date) -> Documents:
    """Each present document valid: format, check number, issue date in [birth, today]."""
    passport = documents.passport
    if passport is not None:
        series, number = _document_numbers(
            ids.validate_passport, passport.series, passport.number, "documents.passport"
        )
        _check_issue_date(passport.issued_on, birth_date, today, "documents.passport.issued_on")
        passport = Passport(
            series=series, number=number, issued_on=passport.issued_on,
            issued_by=(passport.issued_by or "").strip() or None,
        )
    certificate = documents.birth_certificate
    if certificate is not None:
        series, number = _document_numbers(
            ids.validate_birth_certificate, certificate.series, certificate.number,
            "documents.birth_certificate",
        )
        _check_issue_date(
            certificate.issued_on, birth_date, today, "documents.birth_certificate.issued_on"
        )
        certificate = BirthCertificate(
            series=series, number=number, issued_on=certificate.issued_on
        )
    snils = documents.snils
    if snils:
        snils = checked(ids.validate_snils, snils, "documents.snils")
    return Documents(passport=passport, birth_certificate=certificate, snils=snils or None)


def _document_numbers(validator: object, series: str, number: str, field: str) -> tuple[str, str]:
    try:
        result = validator(series, number, field=field)  # type: ignore[operator]
    except ids.InvalidIdentifier as error:
        raise InvalidValue(error.field, error.message) from None
    return str(result[0]), str(result[1])


def _check_issue_date(issued: date | None, born: date | None, today: date, field: str) -> None:
    if issued is None:
        return
    if issued > today:
        raise InvalidValue(field, "the issue date is in the future")
    if born is not None and issued < born:
        raise InvalidValue(field, "the issue date is before the birth date")


def validated_birth_date(birth_date: date | None, today: date) -> date | None:
    if birth_date is not None and (birth_date > today or birth_date.year < 1900):
        raise InvalidValue("birth_date", "the birth date must be between 1900 and today")
    return birth_date


class Person(JournalAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Registered")
    def __init__(
        self,
        name: FullName,
        sex: Sex | None,
        birth_date: date | None,
        documents: Documents,
    ) -> None:
        self.name = name
        self.sex = sex
        self.birth_date = birth_date
        self.documents = documents
        self.representatives: dict[UUID, RepresentativeKind] = {}
        self.current_class: UUID | None = None

    @classmethod
    def register(
        cls,
        name: FullName,
        sex: Sex | None,
        birth_date: date | None,
        documents: Documents,
        today: date,
    ) -> Person:
        birth_date = validated_birth_date(birth_date, today)
        return cls(
            name=validated_name(name),
            sex=sex,
            birth_date=birth_date,
            documents=validated_documents(documents, birth_date, today),
        )

    @property
    def identification_gaps(self) -> list[str]:
        return identification_gaps(self.name, self.sex, self.birth_date, self.documents)

    def correct_personal_data(
        self, name: FullName, sex: Sex | None, birth_date: date | None, today: date
    ) -> None:
        name = validated_name(name)
        birth_date = validated_birth_date(birth_date, today)
        # Documents must stay consistent with a corrected birth date.
        validated_documents(self.documents, birth_date, today)
        if (name, sex, birth_date) != (self.name, self.sex, self.birth_date):
            self._personal_data_corrected(name=name, sex=sex, birth_date=birth_date)

    @event("PersonalDataCorrected")
    def _personal_data_corrected(
        self, name: FullName, sex: Sex | None, birth_date: date | None
    ) -> None:
        self.name, self.sex, self.birth_date = name, sex, birth_date

    def record_documents(self, documents: Documents, today: date) -> None:
        documents = validated_documents(documents, self.birth_date, today)
        if documents != self.documents:
            self._documents_recorded(documents=documents)

    @event("DocumentsRecorded")
    def _documents_recorded(self, documents: Documents) -> None:
        self.documents = documents

    def link_representative(self, representative_id: UUID, kind: RepresentativeKind) -> None:
        if representative_id == self.id:
            raise RuleViolated(
                "a person cannot represent themselves", {"representative_id": "is the student"}
            )
        if self.representatives.get(representative_id) == kind:
            return
        self._representative_linked(representative_id=representative_id, kind=kind)

    @event("RepresentativeLinked")
    def _representative_linked(self, representative_id: UUID, kind: RepresentativeKind) -> None:
        self.representatives[representative_id] = kind

    def unlink_representative(self, representative_id: UUID, reason: str) -> None:
        if representative_id not in self.representatives:
            raise RuleViolated(
                "this person is not a representative of the student",
                {"representative_id": "not linked"},
            )
        self._representative_unlinked(representative_id=representative_id, reason=reason)

    @event("RepresentativeUnlinked")
    def _representative_unlinked(self, representative_id: UUID, reason: str) -> None:
        self.representatives.pop(representative_id, None)

    @event("PlacedInClass")
    def place_in_class(self, group_id: UUID, on: date) -> None:
        """Recorded with the class's enrolment, so a student is in one class at a time."""
        self.current_class = group_id

    @event("ReleasedFromClass")
    def release_from_class(self, group_id: UUID, on: date) -> None:
        self.current_class = None

    @event("PersonalDataErased")
    def erase_personal_data(self, legal_ground: str, act_reference: str) -> None:
        """Crypto-shredding: the key of the name, birth date and documents is destroyed, so
        they read as erased from now on (domain/commands/erasure.py checks the rule)."""
        self.name = FullName(last=ERASED, first=ERASED)
        self.birth_date = None
        self.documents = Documents()
        self.personal_data_erased = True
