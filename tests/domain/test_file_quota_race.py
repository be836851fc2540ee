"""The school's quota under concurrent uploads, on SQLite and PostgreSQL: the reservations
are serialised by the quota aggregate's version, so racing uploads never pass it together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from domain.file_quota import FileQuota, QuotaExceeded
from domain.files import FileOwner, OwnerKind
from infra.container import Container
from tests.distance_support import build_world

QUOTA = 1_000
SIZE = 300


def test_racing_uploads_together_never_pass_the_quota(container: Container) -> None:
    world = build_world(container.journal, students=0)
    journal = world.journal
    owner = FileOwner(OwnerKind.SCHOOL, world.school_id)
    start = threading.Barrier(8)

    def upload(index: int) -> str:
        command = world.as_(world.teacher_id)
        start.wait()
        try:
            slot = journal.reserve_upload(command, owner, f"Файл {index}.pdf",
                                          "application/pdf", SIZE, quota_bytes=QUOTA)
        except QuotaExceeded:
            return "refused"
        journal.complete_upload(command, slot, SIZE, "0" * 64, quota_bytes=QUOTA)
        return "stored"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(upload, range(8)))

    assert results.count("stored") == QUOTA // SIZE
    assert results.count("refused") == 8 - QUOTA // SIZE
    quota = journal.repository.get(FileQuota.create_id(world.school_id))
    assert isinstance(quota, FileQuota)
    assert quota.used == 3 * SIZE and quota.reservations == {}


def test_space_reserved_by_uploads_still_writing_counts_against_the_others(
    container: Container,
) -> None:
    world = build_world(container.journal, students=0)
    journal = world.journal
    owner = FileOwner(OwnerKind.SCHOOL, world.school_id)
    command = world.as_(world.teacher_id)
    start = threading.Barrier(6)

    def reserve(index: int) -> bool:
        start.wait()
        try:
            journal.reserve_upload(command, owner, f"{index}.pdf", "application/pdf", 400,
                                   quota_bytes=QUOTA)
        except QuotaExceeded:
            return False
        return True

    with ThreadPoolExecutor(6) as pool:
        held = list(pool.map(reserve, range(6)))
    assert held.count(True) == 2  # 2 x 400 held, a third would make 1200
    quota = journal.repository.get(FileQuota.create_id(world.school_id))
    assert isinstance(quota, FileQuota)
    assert quota.used == 0 and sum(r.size for r in quota.reservations.values()) == 800
