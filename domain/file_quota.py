"""A school's file quota: «Общий объём загружаемых файлов не должен превышать 2 Гб».

Space is reserved before a byte is written, so uploads racing each other cannot together
pass the limit: every reservation is an event of this one aggregate, and its version check
serialises them (a racing reservation conflicts, reloads and is judged again). A reservation
becomes used space when the upload completes, or is released when it fails; one left behind
by a crashed process expires and stops counting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import RuleViolated

SCHOOL_QUOTA_BYTES = 2 * 1024**3  # 2 Гб
RESERVATION_TTL = timedelta(hours=2)
_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/file-quota")


class QuotaExceeded(RuleViolated):
    title = "The school's file quota is exhausted"


class Reservation(msgspec.Struct, frozen=True):
    size: int
    expires_at: datetime


class FileQuota(JournalAggregate):
    @staticmethod
    def create_id(school_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(school_id))

    @event("Opened")
    def __init__(self, school_id: UUID) -> None:
        self.school_id = school_id
        self.used = 0
        self.files: dict[UUID, int] = {}
        self.reservations: dict[UUID, Reservation] = {}

    def held(self, now: datetime) -> int:
        """Used space plus the reservations still alive at `now`."""
        return self.used + sum(
            r.size for r in self.reservations.values() if r.expires_at > now
        )

    def _check_room(self, size: int, now: datetime, limit: int, other_than: UUID) -> None:
        held = self.held(now)
        mine = self.reservations.get(other_than)
        if mine is not None and mine.expires_at > now:
            held -= mine.size
        if held + size > limit:
            free = max(limit - held, 0)
            raise QuotaExceeded(
                f"the school's files may take at most {limit} bytes; {free} bytes are free, "
                f"the file needs {size}",
                {"size": f"exceeds the school's free space of {free} bytes"},
            )

    def reserve(self, file_id: UUID, size: int, now: datetime, limit: int) -> None:
        if file_id in self.reservations or file_id in self.files:
            raise RuleViolated("the file already has space", {"file_id": "already reserved"})
        self._check_room(size, now, limit, file_id)
        self._reserved(file_id=file_id, size=size, expires_at=now + RESERVATION_TTL)

    @event("Reserved")
    def _reserved(self, file_id: UUID, size: int, expires_at: datetime) -> None:
        self.reservations[file_id] = Reservation(size, expires_at)

    def commit(self, file_id: UUID, size: int, now: datetime, limit: int) -> None:
        """The upload is complete: its actual size becomes used space."""
        reservation = self.reservations.get(file_id)
        if reservation is None:
            raise RuleViolated("the upload has no reserved space", {"file_id": "not reserved"})
        if size > reservation.size or reservation.expires_at <= now:
            self._check_room(size, now, limit, file_id)  # judged again, as a new upload
        self._committed(file_id=file_id, size=size)

    @event("Committed")
    def _committed(self, file_id: UUID, size: int) -> None:
        self.reservations.pop(file_id, None)
        self.files[file_id] = size
        self.used += size

    def release(self, file_id: UUID, reason: str) -> bool:
        """A failed or abandoned upload gives its space back (False: nothing was held)."""
        reservation = self.reservations.get(file_id)
        if reservation is None:
            return False
        self._released(file_id=file_id, size=reservation.size, reason=reason)
        return True

    @event("Released")
    def _released(self, file_id: UUID, size: int, reason: str) -> None:
        self.reservations.pop(file_id, None)

    def free(self, file_id: UUID) -> None:
        """A deleted file's space is given back."""
        size = self.files.get(file_id)
        if size is not None:
            self._freed(file_id=file_id, size=size)

    @event("Freed")
    def _freed(self, file_id: UUID, size: int) -> None:
        self.files.pop(file_id, None)
        self.used -= size

    def expired(self, now: datetime) -> list[UUID]:
        return sorted(
            (file_id for file_id, r in self.reservations.items() if r.expires_at <= now),
            key=str,
        )
