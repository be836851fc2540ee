"""Where the per-person keys live: outside the log, and destroyable.

Each store answers `get` with the key, `b""` for a person whose key was destroyed (a
tombstone, so an erased person can never get a new key), or None for a person it does not
know. Destroying overwrites what it can: a key file is zeroed and synced before it is
unlinked; a PostgreSQL row loses its key (`zhurnal audit scrub` then vacuums the table).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import psycopg

KEY_BYTES = 32


class KeyStore(Protocol):
    def get(self, person_id: UUID) -> bytes | None: ...

    def get_many(self, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """`get` of each person it knows (as one query where the store has queries)."""

    def create(self, person_id: UUID) -> bytes: ...

    def erase(self, person_id: UUID) -> bool: ...

    def close(self) -> None: ...


class MemoryKeyStore:
    """For in-memory logs (tests, the domain suite)."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes] = {}
        self._lock = threading.Lock()

    def get(self, person_id: UUID) -> bytes | None:
        return self.keys.get(person_id)

    def get_many(self, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
        return _each(self, person_ids)

    def create(self, person_id: UUID) -> bytes:
        with self._lock:
            return self.keys.setdefault(person_id, os.urandom(KEY_BYTES))

    def erase(self, person_id: UUID) -> bool:
        with self._lock:
            had = bool(self.keys.get(person_id))
            self.keys[person_id] = b""
            return had

    def close(self) -> None:
        pass


class FileKeyStore:
    """One 32-byte file a person under the data directory, beside the SQLite log."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, person_id: UUID) -> tuple[Path, Path]:
        folder = self.root / person_id.hex[:2]
        return folder / f"{person_id}.key", folder / f"{person_id}.erased"

    def get(self, person_id: UUID) -> bytes | None:
        key_path, tombstone = self._paths(person_id)
        if tombstone.exists():
            return b""
        try:
            key = key_path.read_bytes()
        except FileNotFoundError:
            return None
        return key if len(key) == KEY_BYTES else None

    def get_many(self, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
        return _each(self, person_ids)

    def create(self, person_id: UUID) -> bytes:
        key_path, _ = self._paths(person_id)
        found = self.get(person_id)
        if found is not None:
            return found
        key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = key_path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        _write_synced(temporary, os.urandom(KEY_BYTES))
        try:
            os.link(temporary, key_path)  # atomic, and never over another process's key
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
        _sync_dir(key_path.parent)
        found = self.get(person_id)
        assert found is not None
        return found

    def erase(self, person_id: UUID) -> bool:
        key_path, tombstone = self._paths(person_id)
        tombstone.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_synced(tombstone, datetime.now(UTC).isoformat().encode())
        try:
            with key_path.open("r+b") as file:
                file.write(b"\0" * KEY_BYTES)
                file.flush()
                os.fsync(file.fileno())
        except FileNotFoundError:
            return False
        key_path.unlink(missing_ok=True)
        _sync_dir(key_path.parent)
        return True

    def close(self) -> None:
        pass


def _each(store: KeyStore, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
    found = {person_id: store.get(person_id) for person_id in person_ids}
    return {person_id: key for person_id, key in found.items() if key is not None}


def _write_synced(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class PostgresKeyStore:
    """A `person_keys` table in the log's database; one autocommit connection, reopened
    when it breaks."""

    TABLE = "person_keys"

    def __init__(self, conninfo: dict[str, Any]) -> None:
        self.conninfo = conninfo
        self._connection: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    def _run(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._connection is None or self._connection.closed:
                        self._connection = psycopg.connect(autocommit=True, **self.conninfo)
                        self._create_table(self._connection)
                    cursor = self._connection.execute(sql, params)
                    return cursor.fetchall() if cursor.description else []
                except psycopg.OperationalError:
                    self.close()
                    if attempt == 2:
                        raise
        return []  # pragma: no cover

    def _create_table(self, connection: psycopg.Connection[Any]) -> None:
        # Another process may create it at the same moment.
        with suppress(psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {self.TABLE} (person_id UUID PRIMARY KEY, "
                "key BYTEA, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
                "erased_at TIMESTAMPTZ)")

    def get(self, person_id: UUID) -> bytes | None:
        row = self._run(f"SELECT key FROM {self.TABLE} WHERE person_id = %s", (person_id,))
        if row is None:
            return None
        return bytes(row[0]) if row[0] is not None else b""

    def get_many(self, person_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """One query for a batch of events' people, not one per Person event."""
        if not person_ids:
            return {}
        rows = self._rows(f"SELECT person_id, key FROM {self.TABLE} WHERE person_id = ANY(%s)",
                          (list(person_ids),))
        return {row[0]: bytes(row[1]) if row[1] is not None else b"" for row in rows}

    def create(self, person_id: UUID) -> bytes:
        self._run(f"INSERT INTO {self.TABLE} (person_id, key) VALUES (%s, %s) "
                  "ON CONFLICT (person_id) DO NOTHING", (person_id, os.urandom(KEY_BYTES)))
        found = self.get(person_id)
        assert found is not None
        return found

    def erase(self, person_id: UUID) -> bool:
        had = bool(self.get(person_id))
        self._run(f"INSERT INTO {self.TABLE} (person_id, key, erased_at) VALUES (%s, NULL, "
                  "now()) ON CONFLICT (person_id) DO UPDATE SET key = NULL, "
                  f"erased_at = COALESCE({self.TABLE}.erased_at, now())", (person_id,))
        return had

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
