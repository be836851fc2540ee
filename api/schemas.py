"""Request and response bodies (msgspec); domain value objects are reused where they fit."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from domain.deadlines import Timeliness
from domain.person import Documents, FullName, RepresentativeKind, Sex
from domain.school import Requisites, StaffPosition


class RegisterSchool(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    time_zone: str = "Europe/Moscow"
    shifts: int = 1
    requisites: Requisites = Requisites()


class UpdateSchool(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields given change; `requisites` replaces the whole set."""

    name: str | None = None
    time_zone: str | None = None
    shifts: int | None = None
    requisites: Requisites | None = None


class AppointStaff(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    person_id: UUID
    position: StaffPosition


class DismissStaff(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    person_id: UUID
    position: StaffPosition
    reason: str


class RegisterPerson(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: FullName
    sex: Sex | None = None
    birth_date: date | None = None
    documents: Documents = Documents()


class UpdatePerson(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: FullName | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    documents: Documents | None = None


class LinkRepresentative(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    representative_id: UUID
    kind: RepresentativeKind


class UnlinkRepresentative(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    representative_id: UUID
    reason: str


class OpenClass(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    academic_year: int
    name: str
    homeroom_teacher_id: UUID | None = None


class OpenSubgroup(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str


class AssignHomeroomTeacher(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    teacher_id: UUID | None


class EnrolStudent(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    student_id: UUID
    on: date


class TransferStudent(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    student_id: UUID
    from_class_id: UUID
    to_class_id: UUID
    on: date
    reason: str


class ReleaseStudent(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    student_id: UUID
    on: date
    reason: str


class Ref(msgspec.Struct):
    id: UUID
    version: int


class PlacedMark(msgspec.Struct, kw_only=True):
    """A mark a command placed: its id and whether it came after its deadline."""

    id: UUID
    student_id: UUID
    late: bool


class CommandResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A command's answer: what it touched, and the log position to read after.

    Some commands say more: the marks placed (ids, late flags), the lessons generated or
    cancelled, the subject or work type added, whether homework was published on time.
    """

    position: int
    id: UUID | None = None
    version: int | None = None
    source: Ref | None = None
    target: Ref | None = None
    replayed: bool = False
    marks: list[PlacedMark] | None = None
    lesson_ids: list[UUID] | None = None
    count: int | None = None
    subject_id: UUID | None = None
    work_type_id: UUID | None = None
    timeliness: Timeliness | None = None  # of homework: on_time, too_early or late


class Page(msgspec.Struct, kw_only=True):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class SchoolView(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    time_zone: str
    shifts: int
    requisites: Requisites
    missing: list[str]
    ready: bool
    version: int


class SchoolPage(msgspec.Struct, kw_only=True):
    items: list[SchoolView]
    next_cursor: str | None = None


class PersonView(msgspec.Struct, kw_only=True):
    id: UUID
    name: FullName
    sex: Sex | None
    birth_date: date | None
    documents: Documents
    representatives: dict[str, RepresentativeKind]
    gaps: list[str]
    ready: bool
    version: int


class Stint(msgspec.Struct, kw_only=True):
    student_id: UUID
    start: date
    end: date | None


class ClassView(msgspec.Struct, kw_only=True):
    id: UUID
    school_id: UUID
    academic_year: int
    name: str
    parallel: int
    kind: str
    parent_id: UUID | None
    homeroom_teacher_id: UUID | None
    roster: list[Stint]
    version: int
    members_on: list[UUID] | None = None


class HeldPerson(msgspec.Struct, kw_only=True):
    person_id: UUID
    name: FullName
    missing: list[str]
    roles: list[str]


class Readiness(msgspec.Struct, kw_only=True):
    school_id: UUID
    name: str
    ready: bool
    missing_requisites: list[str]
    people_not_ready: list[HeldPerson]


class Health(msgspec.Struct, kw_only=True):
    status: str
    database: str
    log_position: int
    projections: dict[str, int]
