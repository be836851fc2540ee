"""Local file storage: content by generated key only, nothing visible before commit, nothing
left after an abort; the storage a deployment configures."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from infra.storage import LocalFileStorage, StorageError, storage_from_settings
from tests.conftest import make_settings


@pytest.mark.parametrize("key", ["../x", "a/b", "..", ".hidden", "a.b", "", "x" * 200])
def test_only_plain_keys_are_stored(tmp_path: Path, key: str) -> None:
    with pytest.raises(StorageError):
        LocalFileStorage(tmp_path).writer(key)


def test_content_is_visible_only_after_commit_and_read_back_in_chunks(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    writer = storage.writer("f1")
    writer.write(b"a" * 10)
    writer.write(b"b" * 5)
    assert storage.size("f1") is None and storage.keys() == []
    writer.commit()
    assert storage.size("f1") == 15
    assert list(storage.read("f1", chunk_size=6)) == [b"aaaaaa", b"aaaabb", b"bbb"]
    storage.delete("f1")
    storage.delete("f1")
    with pytest.raises(StorageError):
        storage.read("f1")


def test_an_aborted_write_leaves_nothing_and_old_partials_are_swept(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    writer = storage.writer("f2")
    writer.write(b"half")
    writer.abort()
    writer.abort()
    assert storage.keys() == [] and list(storage.partials.iterdir()) == []
    crashed = storage.writer("f3")
    crashed.write(b"left behind")
    old = time.time() - 7 * 3600
    for partial in storage.partials.iterdir():
        os.utime(partial, (old, old))
    assert storage.sweep_partials() == 1 and list(storage.partials.iterdir()) == []


def test_the_deployment_chooses_the_storage(tmp_path: Path) -> None:
    local = storage_from_settings(make_settings(tmp_path))
    assert isinstance(local, LocalFileStorage) and local.root == tmp_path / "var" / "files"
    moved = storage_from_settings(make_settings(tmp_path, ZHURNAL_FILES_DIR=str(tmp_path / "x")))
    assert isinstance(moved, LocalFileStorage) and moved.root == tmp_path / "x"
    with pytest.raises(StorageError, match="not implemented"):
        storage_from_settings(make_settings(tmp_path, ZHURNAL_FILES_STORAGE="s3"))
