"""Tamper evidence: `zhurnal audit verify` finds an event modified, deleted or inserted in the
database behind the application's back, and says at which position; an anchor catches a
log and chain rewritten together; destroying a person's key breaks nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest
from click.testing import CliRunner

from domain.journal import Command
from domain.person import Documents, FullName, Sex
from domain.school import Requisites
from infra.cli import main
from infra.container import Container
from projections.operations import rebuild
from tests.conftest import SECRET

GAP_AFTER, GAP = 6, 5  # positions 7..11 are a legitimate gap (as a failed insert leaves)


class RawLog:
    """The events table, as an intruder with database access sees it."""

    def __init__(self, container: Container) -> None:
        self.settings = container.settings
        pg = self.settings.is_postgres
        self.table = "journal_events" if pg else "stored_events"
        self.id = "notification_id" if pg else "rowid"

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if self.settings.is_postgres:
            with psycopg.connect(str(self.settings.database_url)) as connection:
                cursor = connection.execute(sql.replace("?", "%s"), params)
                return cursor.fetchone() if cursor.description else None
        with sqlite3.connect(self.settings.event_db_path) as connection:
            return connection.execute(sql, params).fetchone()

    def state(self, position: int) -> bytes:
        return bytes(self._run(f"SELECT state FROM {self.table} WHERE {self.id} = ?",
                               (position,))[0])

    def set_state(self, position: int, state: bytes) -> None:
        self._run(f"UPDATE {self.table} SET state = ? WHERE {self.id} = ?", (state, position))

    def delete(self, position: int) -> tuple[Any, ...]:
        row = self._run(f"SELECT originator_id, originator_version, topic, state FROM "
                        f"{self.table} WHERE {self.id} = ?", (position,))
        self._run(f"DELETE FROM {self.table} WHERE {self.id} = ?", (position,))
        return tuple(row)

    def insert(self, position: int, row: tuple[Any, ...]) -> None:
        self._run(f"INSERT INTO {self.table} (originator_id, originator_version, topic, state, "
                  f"{self.id}) VALUES (?, ?, ?, ?, ?)", (*row, position))

    def open_gap(self) -> None:
        for shift in ("-", f"{GAP} -"):  # two steps, so no id collides on the way
            self._run(f"UPDATE {self.table} SET {self.id} = {shift}{self.id} WHERE "
                      f"{self.id} > ? OR {self.id} < 0", (GAP_AFTER,))


@pytest.fixture
def logged(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """A log of a school and 12 people; the CLI aimed at it."""
    journal, who = container.journal, Command(actor="director")
    journal.register_school(who, "Школа № 7", "Europe/Moscow", 1, Requisites())
    for index in range(12):
        journal.register_person(who, FullName(last=f"Тестова{index}", first="Ия"),
                                Sex.FEMALE, date(2010, 1, 1), Documents())
    monkeypatch.setenv("ZHURNAL_DATA_DIR", str(container.settings.data_dir))
    monkeypatch.setenv("ZHURNAL_SECRET", SECRET)
    if container.settings.database_url:
        monkeypatch.setenv("ZHURNAL_DATABASE_URL", container.settings.database_url)
    else:
        monkeypatch.delenv("ZHURNAL_DATABASE_URL", raising=False)
    yield container


@pytest.fixture
def chained(logged: Container) -> Container:
    """The log with a gap in its positions, chained."""
    RawLog(logged).open_gap()
    logged.runner.catch_up()
    return logged


def _verify(*anchors: str) -> Any:
    return CliRunner().invoke(main, ["audit", "verify", *(f"--anchor={a}" for a in anchors)])


def test_an_untouched_log_verifies_and_a_destroyed_key_changes_nothing(
    chained: Container,
) -> None:
    clean = _verify()
    assert clean.exit_code == 0, clean.output
    assert "log verified" in clean.output and "not chained yet" in clean.output
    person = next(UUID(str(n.originator_id)) for n in chained.journal.recorder
                  .select_notifications(start=1, limit=20) if "Person" in n.topic)
    assert chained.journal.destroy_personal_data_key(person) is True
    assert _verify().exit_code == 0


def test_a_modified_a_deleted_and_an_inserted_event_are_found_where_they_are(
    chained: Container,
) -> None:
    raw = RawLog(chained)
    original = raw.state(4)
    raw.set_state(4, original[:-1] + bytes([original[-1] ^ 1]))
    modified = _verify()
    assert modified.exit_code == 1
    assert "MODIFIED at position 4" in modified.output and "TAMPERED" in modified.output
    raw.set_state(4, original)
    assert _verify().exit_code == 0

    row = raw.delete(GAP_AFTER + GAP + 2)
    deleted = _verify()
    assert deleted.exit_code == 1 and f"DELETED at position {GAP_AFTER + GAP + 2}" in \
        deleted.output
    raw.insert(GAP_AFTER + 1, (row[0], 99, row[2], row[3]))  # into the gap, another version
    inserted = _verify()
    assert f"INSERTED at position {GAP_AFTER + 1}" in inserted.output
    assert inserted.output.count(" at position ") == 2  # and still the deletion


def test_an_anchor_catches_a_log_and_a_chain_rewritten_together(chained: Container) -> None:
    head = CliRunner().invoke(main, ["audit", "head"])
    assert head.exit_code == 0
    anchor = head.output.strip()
    position = int(anchor.split(":")[0])
    assert position == chained.log_position()
    assert _verify(anchor).exit_code == 0
    raw = RawLog(chained)
    raw.set_state(3, raw.state(3) + b" ")
    journal = chained.journal
    rebuild(journal.recorder, journal.mapper, chained.views,  # type: ignore[arg-type]
            chained.projections, ["audit_chain"])
    assert _verify().exit_code == 0  # the chain now agrees with the rewritten log...
    anchored = _verify(anchor)
    assert anchored.exit_code == 1  # ...but not with the checkpoint kept elsewhere
    assert f"ANCHOR at position {position}" in anchored.output
    assert _verify("12:abc").exit_code == 2  # a malformed anchor is a usage error


def test_the_cli_erases_a_person_once_and_scrubs_the_views(logged: Container) -> None:
    person = next(str(n.originator_id) for n in logged.journal.recorder
                  .select_notifications(start=1, limit=20) if "Person" in n.topic)
    erase = ["audit", "erase", person, "--ground", "152-ФЗ ст. 21", "--act", "Акт № 3"]
    first = CliRunner().invoke(main, erase)
    assert first.exit_code == 0, first.output
    assert "erased" in first.output
    assert "compacted" in first.output or "vacuumed" in first.output
    again = CliRunner().invoke(main, erase)
    assert again.exit_code == 0 and "already erased" in again.output
    assert CliRunner().invoke(main, ["audit", "scrub"]).exit_code == 0
    assert logged.journal.get_person(UUID(person)).name.last == "[erased]"
    assert _verify().exit_code == 0  # the chain covers the erasure like any event
