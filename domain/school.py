"""School: requisites the export requires, contacts, time zone, shifts, staff."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from eventsourcing.domain import event

from domain import identifiers as ids
from domain.base import JournalAggregate
from domain.errors import InvalidValue, RuleViolated


class Requisites(msgspec.Struct, frozen=True, omit_defaults=True, kw_only=True):
    """The mandatory requisites of the seed; a missing one is None, a present one valid."""

    ogrn: str | None = None
    okpo: str | None = None
    inn: str | None = None
    kpp: str | None = None
    okopf: str | None = None
    founder: str | None = None
    okato: str | None = None
    oktmo: str | None = None
    phones: tuple[str, ...] = ()


# Labels as the seed names them, in the order it lists them.
REQUISITE_LABELS: dict[str, str] = {
    "ogrn": "ОГРН",
    "okpo": "ОКПО",
    "inn": "ИНН",
    "kpp": "КПП",
    "okopf": "ОКОПФ",
    "founder": "учредитель",
    "okato": "ОКАТО",
    "oktmo": "ОКТМО",
    "phones": "контактные телефоны",
}

_VALIDATORS = {
    "ogrn": ids.validate_ogrn,
    "okpo": ids.validate_okpo,
    "inn": ids.validate_inn,
    "kpp": ids.validate_kpp,
    "okopf": ids.validate_okopf,
    "okato": ids.validate_okato,
    "oktmo": ids.validate_oktmo,
}


def checked(validator: object, value: str, field: str) -> str:
    """Run an identifier validator, turning its refusal into a field-level domain error."""
    try:
        result = validator(value, field=field)  # type: ignore[operator]
    except ids.InvalidIdentifier as error:
        raise InvalidValue(error.field, error.message) from None
    return str(result)


def validated_requisites(requisites: Requisites) -> Requisites:
    """Normalise every present requisite; refuse the first invalid one naming its field."""
    values: dict[str, object] = {}
    for name, validator in _VALIDATORS.items():
        value = getattr(requisites, name)
        values[name] = (
            None if value in (None, "") else checked(validator, value, f"requisites.{name}")
        )
    founder = (requisites.founder or "").strip()
    values["founder"] = founder or None
    values["phones"] = tuple(
        checked(ids.validate_phone, phone, f"requisites.phones[{index}]")
        for index, phone in enumerate(requisites.phones)
    )
    return Requisites(**values)  # type: ignore[arg-type]


def missing_requisites(requisites: Requisites) -> list[str]:
    """The seed's mandatory requisites this school lacks (empty: ready for export)."""
    return [
        label
        for name, label in REQUISITE_LABELS.items()
        if not getattr(requisites, name)
    ]


def validated_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("time_zone", f"{name!r} is not an IANA time zone") from None
    return name


def validated_shifts(shifts: int) -> int:
    if shifts not in (1, 2):
        raise InvalidValue("shifts", "a school works in one or two shifts")
    return shifts


class StaffPosition(StrEnum):
    TEACHER = "teacher"
    ADMINISTRATOR = "administrator"
    DIRECTOR = "director"
    DEPUTY_DIRECTOR = "deputy_director"
    PSYCHOLOGIST = "psychologist"
    LIBRARIAN = "librarian"
    OTHER = "other"


class School(JournalAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Registered")
    def __init__(self, name: str, time_zone: str, shifts: int, requisites: Requisites) -> None:
        self.name = name
        self.time_zone = time_zone
        self.shifts = shifts
        self.requisites = requisites
        self.staff: dict[UUID, set[StaffPosition]] = {}

    @classmethod
    def register(
        cls, name: str, time_zone: str, shifts: int, requisites: Requisites
    ) -> School:
        name = name.strip()
        if not name:
            raise InvalidValue("name", "a school needs a name")
        return cls(
            name=name,
            time_zone=validated_time_zone(time_zone),
            shifts=validated_shifts(shifts),
            requisites=validated_requisites(requisites),
        )

    @property
    def missing_requisites(self) -> list[str]:
        return missing_requisites(self.requisites)

    def change_requisites(self, requisites: Requisites) -> None:
        requisites = validated_requisites(requisites)
        if requisites != self.requisites:
            self._requisites_changed(requisites=requisites)

    @event("RequisitesChanged")
    def _requisites_changed(self, requisites: Requisites) -> None:
        self.requisites = requisites

    def rename(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise InvalidValue("name", "a school needs a name")
        if name != self.name:
            self._renamed(name=name)

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name

    def change_time_zone(self, time_zone: str) -> None:
        if time_zone != self.time_zone:
            self._time_zone_changed(time_zone=validated_time_zone(time_zone))

    @event("TimeZoneChanged")
    def _time_zone_changed(self, time_zone: str) -> None:
        self.time_zone = time_zone

    def change_shifts(self, shifts: int) -> None:
        if shifts != self.shifts:
            self._shifts_changed(shifts=validated_shifts(shifts))

    @event("ShiftsChanged")
    def _shifts_changed(self, shifts: int) -> None:
        self.shifts = shifts

    def appoint_staff(self, person_id: UUID, position: StaffPosition) -> None:
        if position in self.staff.get(person_id, set()):
            raise RuleViolated(
                f"the person already holds the position {position.value} in this school",
                {"position": "already held"},
            )
        self._staff_appointed(person_id=person_id, position=position)

    @event("StaffAppointed")
    def _staff_appointed(self, person_id: UUID, position: StaffPosition) -> None:
        self.staff.setdefault(person_id, set()).add(position)

    def dismiss_staff(self, person_id: UUID, position: StaffPosition, reason: str) -> None:
        if position not in self.staff.get(person_id, set()):
            raise RuleViolated(
                f"the person does not hold the position {position.value} in this school",
                {"position": "not held"},
            )
        if not reason.strip():
            raise InvalidValue("reason", "a dismissal needs a reason")
        self._staff_dismissed(person_id=person_id, position=position, reason=reason.strip())

    @event("StaffDismissed")
    def _staff_dismissed(self, person_id: UUID, position: StaffPosition, reason: str) -> None:
        positions = self.staff.get(person_id, set())
        positions.discard(position)
        if not positions:
            self.staff.pop(person_id, None)

    def employs(self, person_id: UUID, position: StaffPosition | None = None) -> bool:
        positions = self.staff.get(person_id, set())
        return bool(positions) if position is None else position in positions
