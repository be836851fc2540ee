"""Personal data sealed with a key of the person's own: the mapper, the key stores, masking."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.persistence import MapperDeserialisationError

from api.masking import mask, mask_change, masked_documents
from domain.causation import Causation, acting
from domain.person import BirthCertificate, Documents, FullName, Passport, Person, Sex
from domain.personal_data import ERASED
from infra.key_stores import FileKeyStore, MemoryKeyStore, PostgresKeyStore
from infra.mapper import MsgspecMapper, NullTranscoder
from infra.personal_data import FIELD, PersonalData, PersonErased, key_store_for

TODAY = date(2026, 1, 1)


def _mapper() -> MsgspecMapper:
    mapper = MsgspecMapper(transcoder=NullTranscoder())
    mapper.bind_environment({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return mapper


def _person() -> Person:
    with acting(Causation(actor="director")):
        person = Person.register(
            FullName(last="Шифрова", first="Ия"), Sex.FEMALE, date(2012, 5, 1),
            Documents(birth_certificate=BirthCertificate(series="II-АГ", number="654321",
                                                         issued_on=date(2012, 6, 1)),
                      snils="112-233-445 95"), TODAY)
        person.record_documents(Documents(passport=Passport(
            series="4512", number="987654", issued_on=date(2025, 1, 1))), TODAY)
    return person


def test_the_personal_fields_are_sealed_and_read_back_typed() -> None:
    mapper, person = _mapper(), _person()
    stored = [mapper.to_stored_event(e) for e in person.collect_events()]
    for secret in ("Шифрова".encode(), b"654321", b"11223344595", b"987654", b"2012-05-01"):
        assert all(secret not in s.state for s in stored)
    assert FIELD.encode() in stored[0].state
    registered = mapper.to_domain_event(stored[0])
    assert registered.name == FullName(last="Шифрова", first="Ия")  # type: ignore[attr-defined]
    assert registered.birth_date == date(2012, 5, 1)  # type: ignore[attr-defined]
    assert registered.sex is Sex.FEMALE  # type: ignore[attr-defined]
    documents = mapper.to_domain_event(stored[1]).documents  # type: ignore[attr-defined]
    assert documents.passport.issued_on == date(2025, 1, 1)


def test_after_the_key_is_destroyed_the_person_reads_as_erased_and_is_never_written_again(
) -> None:
    mapper, person = _mapper(), _person()
    stored = [mapper.to_stored_event(e) for e in person.collect_events()]
    assert mapper.forget_person(person.id) is True
    assert mapper.forget_person(person.id) is False  # already gone
    registered, recorded = (mapper.to_domain_event(s) for s in stored)
    assert registered.name == FullName(last=ERASED, first=ERASED)  # type: ignore[attr-defined]
    assert registered.birth_date is None  # type: ignore[attr-defined]
    assert registered.documents == Documents()  # type: ignore[attr-defined]
    assert registered.personal_data_erased is True  # type: ignore[attr-defined]
    assert recorded.documents == Documents()  # type: ignore[attr-defined]
    with acting(Causation(actor="director")):
        person.correct_personal_data(FullName(last="Новая", first="Ия"), None, None, TODAY)
    with pytest.raises(PersonErased):
        mapper.to_stored_event(person.collect_events()[0])


def test_a_seal_moved_to_another_event_or_a_missing_key_does_not_decode() -> None:
    mapper, person = _mapper(), _person()
    first, second = (mapper.to_stored_event(e) for e in person.collect_events())
    state = msgspec.json.decode(second.state)
    state[FIELD] = msgspec.json.decode(first.state)[FIELD]
    forged = type(second)(originator_id=second.originator_id,
                          originator_version=second.originator_version, topic=second.topic,
                          state=msgspec.json.encode(state))
    with pytest.raises(MapperDeserialisationError, match="does not authenticate"):
        mapper.to_domain_event(forged)
    with pytest.raises(MapperDeserialisationError, match="no personal-data key"):
        _mapper().to_domain_event(first)  # another key store


def test_the_file_store_zeroes_and_removes_a_key_and_keeps_a_tombstone(tmp_path: Path) -> None:
    store, person = FileKeyStore(tmp_path / "keys"), uuid4()
    assert store.get(person) is None
    key = store.create(person)
    assert len(key) == 32 and store.create(person) == key
    (path,) = (tmp_path / "keys").rglob("*.key")
    assert store.erase(person) is True
    assert not path.exists() and store.get(person) == b"" and store.create(person) == b""
    assert not any(key in f.read_bytes() for f in (tmp_path / "keys").rglob("*") if f.is_file())


def test_the_key_store_lives_beside_the_log(tmp_path: Path) -> None:
    sqlite = key_store_for({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                            "SQLITE_DBNAME": str(tmp_path / "zhurnal.db")})
    assert isinstance(sqlite, FileKeyStore) and sqlite.root == tmp_path / "person_keys"
    postgres = key_store_for({"PERSISTENCE_MODULE": "eventsourcing.postgres",
                              "POSTGRES_DBNAME": "x"})
    assert isinstance(postgres, PostgresKeyStore)


@pytest.mark.postgres
def test_the_postgres_store_keeps_keys_in_the_logs_database(postgres_url: str) -> None:
    import psycopg

    store, person = PostgresKeyStore({"conninfo": postgres_url}), uuid4()
    key = store.create(person)
    assert store.get(person) == key and store.erase(person) is True
    assert store.get(person) == b"" and store.create(person) == b""
    store.close()
    with psycopg.connect(postgres_url) as connection:
        row = connection.execute("SELECT key, erased_at FROM person_keys WHERE person_id = %s",
                                 (person,)).fetchone()
    assert row is not None and row[0] is None and row[1] is not None


def test_documents_are_masked_keeping_their_shape() -> None:
    assert mask("123456") == "****56"
    assert mask("4512", keep_start=2, keep_end=0) == "45**"
    documents = {"passport": {"series": "4512", "number": "987654", "issued_on": "2025-01-01"},
                 "birth_certificate": {"series": "II-АГ", "number": "654321"},
                 "snils": "11223344595"}
    assert masked_documents(documents) == {
        "passport": {"series": "45**", "number": "****54", "issued_on": "2025-01-01"},
        "birth_certificate": {"series": "II-**", "number": "****21"},
        "snils": "***-***-*** 95"}
    assert mask_change("documents.passport.number", "987654") == "****54"
    assert mask_change("documents.snils", "11223344595") == "***-***-*** 95"
    assert mask_change("name.last", "Шифрова") == "Шифрова"


class _CountingStore(MemoryKeyStore):
    """Counts the store's reads: `get` (one person) and `get_many` (a batch)."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = self.batches = 0

    def get(self, person_id: UUID) -> bytes | None:
        self.gets += 1
        return super().get(person_id)

    def get_many(self, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
        self.batches += 1
        return {p: key for p in person_ids if (key := self.keys.get(p)) is not None}


def _reader(keys: _CountingStore) -> MsgspecMapper:
    """A mapper of another process over the same key store (its cache empty)."""
    mapper = MsgspecMapper(transcoder=NullTranscoder())
    mapper.personal_data = PersonalData(keys)
    return mapper


def test_a_batch_reads_its_peoples_keys_in_one_query_and_never_keeps_them() -> None:
    keys = _CountingStore()
    writer = MsgspecMapper(transcoder=NullTranscoder())
    writer.personal_data = PersonalData(keys)
    people = [_person(), _person()]
    stored = [writer.to_stored_event(e) for p in people for e in p.collect_events()]
    reader = _reader(keys)
    first = reader.to_domain_events(stored)
    assert (keys.batches, keys.gets) == (1, 0)
    assert [e.name for e in first[::2]] == [FullName(last="Шифрова", first="Ия")] * 2  # type: ignore[attr-defined]
    keys.erase(people[0].id)  # by another process: this reader caches nothing of the batch
    again = reader.to_domain_events(stored)
    assert (keys.batches, keys.gets) == (2, 0)
    assert again[0].name == FullName(last=ERASED, first=ERASED)  # type: ignore[attr-defined]
    assert again[0].personal_data_erased is True  # type: ignore[attr-defined]
    assert again[2].name == FullName(last="Шифрова", first="Ия")  # type: ignore[attr-defined]
    assert [vars(e) for e in again[1:]] == [vars(reader.to_domain_event(s)) for s in stored[1:]]


def test_a_batch_after_this_process_erased_a_person_reads_them_erased() -> None:
    keys = _CountingStore()
    mapper = _reader(keys)
    person = _person()
    stored = [mapper.to_stored_event(e) for e in person.collect_events()]
    assert mapper.forget_person(person.id) is True
    decoded = mapper.to_domain_events(stored)
    assert all(e.personal_data_erased for e in decoded)  # type: ignore[attr-defined]
    assert mapper.to_domain_events([]) == []


def test_a_batch_without_the_persons_key_does_not_decode() -> None:
    stored = [_mapper().to_stored_event(e) for e in _person().collect_events()]
    with pytest.raises(MapperDeserialisationError, match="no personal-data key"):
        _reader(_CountingStore()).to_domain_events(stored)


@pytest.mark.postgres
def test_the_postgres_store_reads_many_keys_in_one_query(postgres_url: str) -> None:
    store = PostgresKeyStore({"conninfo": postgres_url})
    kept, erased, unknown = uuid4(), uuid4(), uuid4()
    key = store.create(kept)
    store.create(erased)
    store.erase(erased)
    assert store.get_many([kept, erased, unknown]) == {kept: key, erased: b""}
    assert store.get_many([]) == {}
    store.close()


def test_the_memory_and_file_stores_read_many_keys(tmp_path: Path) -> None:
    for store in (MemoryKeyStore(), FileKeyStore(tmp_path / "keys")):
        kept, erased, unknown = uuid4(), uuid4(), uuid4()
        key = store.create(kept)
        store.create(erased)
        store.erase(erased)
        assert store.get_many([kept, erased, unknown]) == {kept: key, erased: b""}
