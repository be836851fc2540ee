"""The whole event store encrypted at rest with the library's cipher (CIPHER_KEY), on SQLite
and on PostgreSQL: the stored state is ciphertext, and the journal and its views still work."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.cipher import AESCipher

from domain.journal import Command
from domain.person import Documents, FullName, Sex
from domain.school import Requisites
from infra.container import Container
from tests.conftest import make_settings

SCHOOL = "Школа секретного номера"


def _states(container: Container) -> list[bytes]:
    settings = container.settings
    if settings.is_postgres:
        with psycopg.connect(str(settings.database_url)) as connection:
            rows: list[Any] = connection.execute("SELECT state FROM journal_events").fetchall()
    else:
        with sqlite3.connect(settings.event_db_path) as connection:
            rows = connection.execute("SELECT state FROM stored_events").fetchall()
    return [bytes(row[0]) for row in rows]


@pytest.fixture(params=[False, True], ids=["plain", "encrypted"])
def journal_db(request: pytest.FixtureRequest, backend: str, tmp_path: Any
               ) -> Iterator[Container]:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    extra = {"CIPHER_KEY": AESCipher.create_key(32)} if request.param else {}
    container = Container(make_settings(tmp_path, url, **extra))
    container.runner  # noqa: B018
    yield container
    container.close()


def test_with_a_cipher_key_no_stored_state_is_plaintext(journal_db: Container) -> None:
    encrypted = "CIPHER_KEY" in journal_db.settings.extra
    journal, who = journal_db.journal, Command(actor="admin")
    school = journal.register_school(who, SCHOOL, "Europe/Moscow", 1, Requisites())
    person = journal.register_person(who, FullName(last="Иванова", first="Ия"), Sex.FEMALE,
                                     date(2010, 1, 1), Documents())
    states = _states(journal_db)
    assert len(states) == 2
    name_stored = any(SCHOOL.encode() in state for state in states)
    assert name_stored is not encrypted  # plaintext JSON without the key, ciphertext with it
    assert any(b'"actor"' in state for state in states) is not encrypted
    assert not any("Иванова".encode() in state for state in states)  # sealed either way
    assert journal.get_school(UUID(school.answer["id"])).name == SCHOOL
    assert journal.get_person(UUID(person.answer["id"])).name.last == "Иванова"
    journal_db.runner.catch_up()
    assert journal_db.registries.document("school", school.answer["id"])["name"] == SCHOOL

