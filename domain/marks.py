"""Value objects of a lesson's journal: marks and attendance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

import msgspec


class Mark(msgspec.Struct, frozen=True, kw_only=True):
    """A current mark: the weight is the work type's at placing time; `late` is fixed then."""

    id: UUID
    student_id: UUID
    work_type_id: UUID
    value: str
    weight: Decimal
    placed_at: datetime
    late: bool


class MarkEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One mark of a `place_marks` command; `weight` None takes the work type's weight."""

    student_id: UUID
    work_type_id: UUID
    value: str
    weight: Decimal | None = None


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"  # «н»
    ILL = "ill"  # «б»: absent for illness
    EXCUSED = "excused"  # «уп»: absent for a valid reason
    LATE = "late"  # «оп»: came late


class AttendanceEntry(msgspec.Struct, frozen=True, kw_only=True):
    """The teacher's entry and an administrator's override: the override wins."""

    teacher: Attendance | None = None
    override: Attendance | None = None

    @property
    def effective(self) -> Attendance:
        return self.override or self.teacher or Attendance.PRESENT
