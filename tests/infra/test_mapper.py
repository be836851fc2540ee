"""The msgspec mapper: events round-trip with their types; the cipher still applies."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

from domain.causation import Causation, acting
from domain.person import BirthCertificate, Documents, FullName, Person, Sex
from domain.school import Requisites, School
from infra.mapper import MsgspecMapper, NullTranscoder


def test_an_event_round_trips_with_dates_uuids_enums_and_structs() -> None:
    mapper = MsgspecMapper(transcoder=NullTranscoder())
    with acting(Causation(actor="teacher-1")):
        person = Person.register(
            FullName(last="Ким", first="Алина", middle="Олеговна"), Sex.FEMALE,
            date(2012, 1, 1),
            Documents(birth_certificate=BirthCertificate(
                series="II-АГ", number="654321", issued_on=date(2012, 2, 1))),
            date(2026, 1, 1),
        )
    (event,) = person.collect_events()

    copy = mapper.to_domain_event(mapper.to_stored_event(event))

    assert copy == event
    assert isinstance(copy.documents.birth_certificate.issued_on, date)  # type: ignore[attr-defined]
    assert copy.sex is Sex.FEMALE  # type: ignore[attr-defined]
    assert copy.actor == "teacher-1"  # type: ignore[attr-defined]


def test_decimals_round_trip_exactly() -> None:
    import msgspec

    assert msgspec.json.decode(msgspec.json.encode(Decimal("1.10")), type=Decimal) == Decimal(
        "1.10")


def test_with_a_cipher_key_the_stored_state_is_unreadable_without_it() -> None:
    key = AESCipher.create_key(16)
    cipher = AESCipher(Environment(env={"CIPHER_KEY": key}))
    mapper = MsgspecMapper(transcoder=NullTranscoder(), cipher=cipher)
    school = School.register("Школа секретная", "Europe/Moscow", 1, Requisites())
    (event,) = school.collect_events()

    stored = mapper.to_stored_event(event)

    assert "секретная".encode() not in stored.state
    assert mapper.to_domain_event(stored) == event
    assert os.environ.get("CIPHER_KEY") is None
