"""Personal data encrypted with a key of each person's own, kept outside the log.

The mapper (infra/mapper.py) seals the fields domain/personal_data.py names (a person's name,
birth date, documents and СНИЛС) into one AES-256-GCM blob `_pd`, bound to the event (its
originator, version and topic), before the library's own cipher and compressor apply.
Reading opens the blob again; once the person's key is destroyed it reads the erased values
instead, and `personal_data_erased` is set on the event. Destroying the key is erasing
(crypto-shredding): the log never changes.

Keys live beside the log: a `person_keys` table in the log's PostgreSQL database, files under
`<data dir>/person_keys/` next to the SQLite log, or memory for in-memory logs.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from Crypto.Cipher import AES
from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import get_topic

from domain.errors import RuleViolated
from domain.person import Person
from domain.personal_data import ERASED_VALUES, ERASURE_EVENT, SENSITIVE_FIELDS
from infra.key_stores import FileKeyStore, KeyStore, MemoryKeyStore, PostgresKeyStore

FIELD = "_pd"
ERASED_FLAG = "personal_data_erased"
_encode = msgspec.json.encode
_decode = msgspec.json.decode


class PersonErased(RuleViolated):
    """A person's personal data cannot be written again once erased."""

    title = "The person's personal data was erased"


def _topic(name: str) -> str:
    return get_topic(getattr(Person, name))


SEALED: dict[str, tuple[str, ...]] = {_topic(n): f for n, f in SENSITIVE_FIELDS.items()}
ERASURE_TOPIC = _topic(ERASURE_EVENT)


class PersonalData:
    """Seals and opens the personal fields of Person events with per-person keys."""

    topics = frozenset({*SEALED, ERASURE_TOPIC})

    def __init__(
        self, keys: KeyStore, ttl_seconds: float = 60.0, max_cached: int = 100_000
    ) -> None:
        self.keys = keys
        self.ttl_seconds = ttl_seconds  # how long another process may still use a key
        self.max_cached = max_cached
        self._cache: dict[UUID, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def _key(self, person_id: UUID, create: bool,
             batch: Mapping[UUID, bytes] | None = None) -> bytes | None:
        now = time.monotonic()
        cached = self._cache.get(person_id)
        if cached is not None and (not cached[0] or cached[1] > now):
            return cached[0]
        if batch is not None and person_id in batch:
            return batch[person_id]
        key = self.keys.create(person_id) if create else self.keys.get(person_id)
        if key is not None:
            with self._lock:
                if len(self._cache) >= self.max_cached:
                    self._cache.clear()
                self._cache[person_id] = (key, now + self.ttl_seconds)
        return key

    def keys_for(self, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """The stored keys of the people a batch of events opens, in one query: for `open`'s
        `batch`, and for that batch only (never cached: an erased key must disappear).
        People whose key (or erasure) this process holds already are not asked for."""
        now = time.monotonic()
        cache = self._cache
        wanted = [person_id for person_id in person_ids
                  if (cached := cache.get(person_id)) is None
                  or (cached[0] and cached[1] <= now)]
        return self.keys.get_many(wanted)

    def seal(self, topic: str, person_id: UUID, version: int, state: dict[str, Any]) -> None:
        """Replace the personal fields of `state` (in place) by one encrypted blob."""
        fields = SEALED.get(topic)
        if not fields:
            return
        secret = {name: state.pop(name) for name in fields if name in state}
        key = self._key(person_id, create=True)
        if not key:
            raise PersonErased(f"the personal data of {person_id} was erased",
                               {"person_id": "erased"})
        cipher = AES.new(key, AES.MODE_GCM, nonce=os.urandom(12))
        cipher.update(_aad(topic, person_id, version))
        sealed, tag = cipher.encrypt_and_digest(_encode(secret))
        state[FIELD] = cipher.nonce + tag + sealed

    def open(self, topic: str, person_id: UUID, version: int, data: bytes,
             batch: Mapping[UUID, bytes] | None = None) -> tuple[bytes, bool]:
        """The JSON state with the personal fields back (or erased); True when erased.
        `batch`: keys read by `keys_for` for the events being decoded with this one."""
        if topic == ERASURE_TOPIC:
            self.forget(person_id)  # heals an erasure interrupted before its key went
            return data, False
        state = _decode(data)
        blob = state.pop(FIELD, None)
        if blob is None:  # written before personal data was sealed
            return data, False
        key = self._key(person_id, create=False, batch=batch)
        if key is None:
            raise MapperDeserialisationError(
                f"no personal-data key for {person_id}: is the key store the log's?")
        if not key:
            state.update({name: ERASED_VALUES[name] for name in SEALED[topic]})
            return _encode(state), True
        raw = base64.b64decode(blob)
        cipher = AES.new(key, AES.MODE_GCM, nonce=raw[:12])
        cipher.update(_aad(topic, person_id, version))
        try:
            secret = cipher.decrypt_and_verify(raw[28:], raw[12:28])
        except ValueError:
            raise MapperDeserialisationError(
                f"the personal data of {person_id} v{version} does not authenticate") from None
        state.update(_decode(secret))
        return _encode(state), False

    def forget(self, person_id: UUID) -> bool:
        """Destroy the person's key for good; True if a key was destroyed now."""
        cached = self._cache.get(person_id)
        if cached is not None and not cached[0]:
            return False
        destroyed = self.keys.erase(person_id)
        with self._lock:
            self._cache[person_id] = (b"", 0.0)
        return destroyed

    def close(self) -> None:
        self.keys.close()


def _aad(topic: str, person_id: UUID, version: int) -> bytes:
    return f"{person_id}\x1f{version}\x1f{topic}".encode()


def key_store_for(env: Mapping[str, str]) -> KeyStore:
    """The key store beside the log the environment configures."""
    module = env.get("PERSISTENCE_MODULE") or ""
    if module.endswith("postgres"):
        return PostgresKeyStore({
            "dbname": env.get("POSTGRES_DBNAME") or "postgres",
            "host": env.get("POSTGRES_HOST") or "127.0.0.1",
            "port": env.get("POSTGRES_PORT") or "5432",
            "user": env.get("POSTGRES_USER") or "postgres",
            "password": env.get("POSTGRES_PASSWORD") or "",
        })
    name = env.get("SQLITE_DBNAME") or ""
    if module.endswith("sqlite") and name and ":memory:" not in name and "mode=memory" not in name:
        return FileKeyStore(Path(name.removeprefix("file:").split("?")[0]).parent
                            / "person_keys")
    return MemoryKeyStore()


def personal_data_for(env: Mapping[str, str]) -> PersonalData:
    return PersonalData(key_store_for(env))
