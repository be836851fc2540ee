"""File content storage behind one interface: a local directory (S3: not yet implemented).

Domain-free: it stores bytes under a key the caller generated (a file id), never under a
client's name, so no path can be smuggled in. A write goes to a partial object and only a
`commit` makes it visible; an `abort` (or a crash, swept later) leaves nothing half-written.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from infra.settings import Settings

CHUNK = 256 * 1024
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")


class StorageError(Exception):
    pass


def checked_key(key: str) -> str:
    """Letters, digits, '-' and '_' only: no separators, no dots, so no path traversal."""
    if not _KEY.match(key):
        raise StorageError(f"not a storage key: {key!r}")
    return key


class StorageWriter(Protocol):
    def write(self, chunk: bytes) -> None: ...

    def commit(self) -> None:
        """Make the content visible under its key (atomic)."""

    def abort(self) -> None:
        """Forget everything written; safe to call twice or after a commit failed."""


class FileStorage(Protocol):
    def writer(self, key: str) -> StorageWriter: ...

    def read(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]: ...

    def size(self, key: str) -> int | None: ...

    def delete(self, key: str) -> None: ...


class _LocalWriter:
    def __init__(self, partial: Path, final: Path) -> None:
        self.partial, self.final = partial, final
        self._file = open(partial, "xb")  # noqa: SIM115 (closed by commit or abort)

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)

    def commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.partial, self.final)

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.partial.unlink(missing_ok=True)


class LocalFileStorage:
    """Objects under `root/objects/<2 chars>/<key>`, partial writes under `root/partial`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.partials = self.root / "partial"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.partials.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        key = checked_key(key)
        return self.objects / key[:2] / key

    def writer(self, key: str) -> _LocalWriter:
        final = self.path(key)
        partial = self.partials / f"{key}.{secrets.token_hex(8)}.part"
        return _LocalWriter(partial, final)

    def read(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        try:
            handle = open(self.path(key), "rb")  # noqa: SIM115 (closed by the generator)
        except FileNotFoundError:
            raise StorageError(f"no content under {key}") from None

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(chunk_size):
                    yield chunk

        return chunks()

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def sweep_partials(self, older_than_seconds: float = 6 * 3600) -> int:
        """Remove partial writes a crashed process left behind; returns how many."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for partial in self.partials.glob("*.part"):
            if partial.stat().st_mtime < cutoff:
                partial.unlink(missing_ok=True)
                removed += 1
        return removed

    def keys(self) -> list[str]:
        return sorted(p.name for p in self.objects.glob("*/*") if p.is_file())


def storage_from_settings(settings: Settings) -> FileStorage:
    """The storage a deployment configured (`ZHURNAL_FILES_STORAGE`, default local)."""
    if settings.files_storage == "local":
        return LocalFileStorage(settings.files_dir)
    if settings.files_storage == "s3":
        # Not yet implemented: boto3 is not among the pinned dependencies. It would map
        # `writer` to a multipart upload completed by `commit` (aborted by `abort`), `read`
        # to a streamed GetObject and `delete` to DeleteObject, behind the same interface.
        raise StorageError("S3 file storage is not implemented yet; use ZHURNAL_FILES_STORAGE"
                           "=local (a directory, which may be a mounted network volume)")
    raise StorageError(f"unknown ZHURNAL_FILES_STORAGE {settings.files_storage!r}")
