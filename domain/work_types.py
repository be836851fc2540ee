"""Work types of a school: each a weight and a scale; the built-in ones and the mark values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, NotFound, RuleViolated

_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/work-types")


class WorkTypeNotFound(NotFound):
    pass


class Scale(StrEnum):
    FIVE_POINT = "five_point"  # 1-5, with the school's option of "+" / "-"
    PASS_FAIL = "pass_fail"  # «зачёт» / «незачёт»


class BuiltIn(StrEnum):
    ANSWER = "answer"
    BEHAVIOUR = "behaviour"
    CLASSWORK = "classwork"
    BY_HEART = "by_heart"
    TEST_PAPER = "test_paper"
    INDEPENDENT_WORK = "independent_work"
    DICTATION = "dictation"
    HOMEWORK = "homework"
    LABORATORY_WORK = "laboratory_work"
    CHECK_WORK = "check_work"
    TEST = "test"


# The four work types the seed gives a lesson-day deadline (21:00, or 13:00 next day).
DUE_ON_LESSON_DAY = frozenset(
    {BuiltIn.ANSWER, BuiltIn.BEHAVIOUR, BuiltIn.CLASSWORK, BuiltIn.BY_HEART}
)

BUILT_IN: tuple[tuple[BuiltIn, str, Decimal], ...] = (
    (BuiltIn.ANSWER, "Ответ на уроке", Decimal("1")),
    (BuiltIn.BEHAVIOUR, "Поведение", Decimal("1")),
    (BuiltIn.CLASSWORK, "Работа на уроке", Decimal("1")),
    (BuiltIn.BY_HEART, "Наизусть", Decimal("1")),
    (BuiltIn.TEST_PAPER, "Контрольная работа", Decimal("3")),
    (BuiltIn.INDEPENDENT_WORK, "Самостоятельная работа", Decimal("1.5")),
    (BuiltIn.DICTATION, "Диктант", Decimal("2")),
    (BuiltIn.HOMEWORK, "Домашняя работа", Decimal("1")),
    (BuiltIn.LABORATORY_WORK, "Лабораторная работа", Decimal("1.5")),
    (BuiltIn.CHECK_WORK, "Проверочная работа", Decimal("2")),
    (BuiltIn.TEST, "Тест", Decimal("1.5")),
)

NOT_ASSESSED = "н/а"  # «не аттестован»: accepted on every scale
PASS, FAIL = "зачёт", "незачёт"
_FIVE_POINT = {"1", "2", "3", "4", "5"}
_PLUS_MINUS = {"1+", "2+", "3+", "4+", "2-", "3-", "4-", "5-"}


def check_mark_value(
    value: str, scale: Scale | None, plus_minus: bool = False, field: str = "value"
) -> str:
    """The normalised mark if it fits the scale (None: any scale, whole marks only)."""
    text = value.strip().lower().replace("ё", "е").replace("–", "-").replace(" ", "")
    text = {"зачет": PASS, "незачет": FAIL, "н\\а": NOT_ASSESSED}.get(text, text)
    if text == NOT_ASSESSED:
        return text
    if scale in (Scale.FIVE_POINT, None) and text in _FIVE_POINT:
        return text
    if scale is Scale.FIVE_POINT and plus_minus and text in _PLUS_MINUS:
        return text
    if scale in (Scale.PASS_FAIL, None) and text in (PASS, FAIL):
        return text
    allowed = {
        Scale.FIVE_POINT: "1-5" + (" (with + or -)" if plus_minus else ""),
        Scale.PASS_FAIL: "«зачёт» or «незачёт»",
        None: "1-5, «зачёт» or «незачёт»",
    }[scale]
    raise InvalidValue(field, f"{value!r} is not a mark: expected {allowed} or «н/а»")


def validated_weight(weight: Decimal, field: str = "weight") -> Decimal:
    try:
        ok = weight.is_finite() and Decimal(0) < weight <= Decimal(10)
        ok = ok and weight == weight.quantize(Decimal("0.01"))
    except InvalidOperation:
        ok = False
    if not ok:
        raise InvalidValue(field, "a weight is a number above 0 and up to 10, two decimals at most")
    return weight


class WorkType(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    weight: Decimal
    scale: Scale
    built_in: BuiltIn | None = None
    retired: bool = False

    @property
    def due_on_lesson_day(self) -> bool:
        return self.built_in in DUE_ON_LESSON_DAY


def built_in_work_type_id(school_id: UUID, kind: BuiltIn) -> UUID:
    """Every school's built-in work types have ids derived from the school."""
    return uuid5(_NAMESPACE, f"{school_id}/{kind.value}")


def _validated_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidValue("name", "a work type needs a name")
    return name


class WorkTypeCatalogue(JournalAggregate):
    """A school's work types and its option of «+»/«-» marks; one per school."""

    @staticmethod
    def create_id(school_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(school_id))

    @event("Opened")
    def __init__(
        self, school_id: UUID, work_types: tuple[WorkType, ...], plus_minus_allowed: bool
    ) -> None:
        self.school_id = school_id
        self.work_types = {work_type.id: work_type for work_type in work_types}
        self.plus_minus_allowed = plus_minus_allowed

    @classmethod
    def open(cls, school_id: UUID) -> WorkTypeCatalogue:
        """A new school's catalogue: the built-in work types, whole marks only."""
        built_in = tuple(
            WorkType(
                id=built_in_work_type_id(school_id, kind), name=name, weight=weight,
                scale=Scale.FIVE_POINT, built_in=kind,
            )
            for kind, name, weight in BUILT_IN
        )
        return cls(school_id=school_id, work_types=built_in, plus_minus_allowed=False)

    def get(self, work_type_id: UUID, field: str = "work_type_id") -> WorkType:
        """An active work type of this school."""
        work_type = self.work_types.get(work_type_id)
        if work_type is None:
            raise WorkTypeNotFound(f"no work type with id {work_type_id} in this school",
                                   {field: "unknown work type"})
        if work_type.retired:
            raise RuleViolated("the work type is retired", {field: "retired"})
        return work_type

    def check_value(self, work_type: WorkType, value: str, field: str = "value") -> str:
        return check_mark_value(value, work_type.scale, self.plus_minus_allowed, field)

    def add(self, work_type_id: UUID, name: str, weight: Decimal, scale: Scale) -> WorkType:
        name = _validated_name(name)
        if any(known.name.lower() == name.lower() for known in self.work_types.values()):
            raise RuleViolated("the school already has a work type of that name",
                               {"name": "already exists"})
        work_type = WorkType(id=work_type_id, name=name, weight=validated_weight(weight),
                             scale=scale)
        self._work_type_added(work_type=work_type)
        return work_type

    @event("WorkTypeAdded")
    def _work_type_added(self, work_type: WorkType) -> None:
        self.work_types[work_type.id] = work_type

    def change(self, work_type_id: UUID, name: str | None, weight: Decimal | None) -> None:
        """Rename or reweigh; marks already placed keep the weight they were placed with."""
        old = self.get(work_type_id)
        if name is not None and old.built_in is not None and name.strip() != old.name:
            raise RuleViolated("a built-in work type keeps its name", {"name": "built-in"})
        new = msgspec.structs.replace(
            old,
            name=old.name if name is None else _validated_name(name),
            weight=old.weight if weight is None else validated_weight(weight),
        )
        if new != old:
            self._work_type_changed(old=old, new=new)

    @event("WorkTypeChanged")
    def _work_type_changed(self, old: WorkType, new: WorkType) -> None:
        self.work_types[new.id] = new

    def retire(self, work_type_id: UUID, reason: str) -> None:
        self.get(work_type_id)
        if not reason.strip():
            raise InvalidValue("reason", "retiring a work type needs a reason")
        self._work_type_retired(work_type_id=work_type_id, reason=reason.strip())

    @event("WorkTypeRetired")
    def _work_type_retired(self, work_type_id: UUID, reason: str) -> None:
        self.work_types[work_type_id] = msgspec.structs.replace(
            self.work_types[work_type_id], retired=True
        )

    def allow_plus_minus(self, allowed: bool) -> None:
        if allowed != self.plus_minus_allowed:
            self._plus_minus_set(allowed=allowed)

    @event("PlusMinusSet")
    def _plus_minus_set(self, allowed: bool) -> None:
        self.plus_minus_allowed = allowed
