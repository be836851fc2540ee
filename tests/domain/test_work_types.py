"""Work types: the built-in ones with their weights, the school's own, and mark scales."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from domain.errors import InvalidValue, RuleViolated
from domain.work_types import (
    DUE_ON_LESSON_DAY,
    BuiltIn,
    Scale,
    WorkTypeNotFound,
    check_mark_value,
)
from tests.domain.conftest import School


def test_a_school_has_the_built_in_work_types_from_the_start(school: School) -> None:
    catalogue = school.journal.get_work_types(school.school_id)
    names = {work_type.name for work_type in catalogue.work_types.values()}
    assert {"Ответ на уроке", "Поведение", "Работа на уроке", "Наизусть", "Контрольная работа",
            "Самостоятельная работа", "Диктант", "Домашняя работа", "Лабораторная работа",
            "Проверочная работа", "Тест"} == names
    due = {wt.name for wt in catalogue.work_types.values() if wt.due_on_lesson_day}
    assert due == {"Ответ на уроке", "Поведение", "Работа на уроке", "Наизусть"}
    assert len(DUE_ON_LESSON_DAY) == 4
    test_paper = catalogue.get(school.work_type(BuiltIn.TEST_PAPER))
    assert test_paper.weight > catalogue.get(school.work_type(BuiltIn.ANSWER)).weight


@pytest.mark.parametrize(
    ("value", "scale", "plus_minus", "expected"),
    [
        ("5", Scale.FIVE_POINT, False, "5"),
        (" 1 ", Scale.FIVE_POINT, False, "1"),
        ("5-", Scale.FIVE_POINT, True, "5-"),
        ("4+", Scale.FIVE_POINT, True, "4+"),
        ("Зачёт", Scale.PASS_FAIL, False, "зачёт"),
        ("незачет", Scale.PASS_FAIL, False, "незачёт"),
        ("Н/А", Scale.FIVE_POINT, False, "н/а"),
        ("н/а", Scale.PASS_FAIL, False, "н/а"),
        ("4", None, False, "4"),
        ("зачет", None, False, "зачёт"),
    ],
)
def test_a_mark_that_fits_its_scale_is_normalised(
    value: str, scale: Scale | None, plus_minus: bool, expected: str
) -> None:
    assert check_mark_value(value, scale, plus_minus) == expected


@pytest.mark.parametrize(
    ("value", "scale", "plus_minus"),
    [
        ("6", Scale.FIVE_POINT, True),
        ("0", Scale.FIVE_POINT, False),
        ("5-", Scale.FIVE_POINT, False),  # the school does not allow «+»/«-»
        ("5+", Scale.FIVE_POINT, True),  # above the scale
        ("1-", Scale.FIVE_POINT, True),  # below it
        ("зачёт", Scale.FIVE_POINT, False),
        ("5", Scale.PASS_FAIL, False),
        ("4+", None, True),  # period and final marks are whole
        ("", Scale.FIVE_POINT, False),
    ],
)
def test_a_mark_that_does_not_fit_is_refused_naming_the_field(
    value: str, scale: Scale | None, plus_minus: bool
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_mark_value(value, scale, plus_minus, field="marks[2].value")
    assert list(refused.value.fields) == ["marks[2].value"]


def test_a_school_adds_a_pass_fail_work_type(school: School) -> None:
    journal = school.journal
    outcome = journal.add_work_type(school.admin, school.school_id, "Зачёт по теории",
                                    Decimal("2.5"), Scale.PASS_FAIL)
    work_type_id = UUID(outcome.answer["work_type_id"])
    catalogue = journal.get_work_types(school.school_id)
    work_type = catalogue.get(work_type_id)
    assert (work_type.scale, work_type.weight, work_type.due_on_lesson_day) == (
        Scale.PASS_FAIL, Decimal("2.5"), False)
    with pytest.raises(RuleViolated, match="already has"):
        journal.add_work_type(school.admin, school.school_id, "зачёт по теории", Decimal(1),
                              Scale.PASS_FAIL)


@pytest.mark.parametrize("weight", [Decimal(0), Decimal(-1), Decimal("10.5"), Decimal("1.005"),
                                    Decimal("NaN")])
def test_a_weight_is_positive_up_to_ten(school: School, weight: Decimal) -> None:
    with pytest.raises(InvalidValue):
        school.journal.add_work_type(school.admin, school.school_id, "Эссе", weight,
                                     Scale.FIVE_POINT)


def test_a_built_in_work_type_keeps_its_name_but_may_change_weight(school: School) -> None:
    journal, answer = school.journal, school.work_type(BuiltIn.ANSWER)
    with pytest.raises(RuleViolated, match="keeps its name"):
        journal.change_work_type(school.admin, school.school_id, answer, name="Устный ответ")
    journal.change_work_type(school.admin, school.school_id, answer, weight=Decimal("1.25"))
    assert journal.get_work_types(school.school_id).get(answer).weight == Decimal("1.25")


def test_a_retired_work_type_takes_no_marks(school: School) -> None:
    journal, dictation = school.journal, school.work_type(BuiltIn.DICTATION)
    journal.retire_work_type(school.admin, school.school_id, dictation, "не используется")
    with pytest.raises(RuleViolated, match="retired"):
        journal.get_work_types(school.school_id).get(dictation)
    with pytest.raises(WorkTypeNotFound):
        journal.get_work_types(school.school_id).get(school.subject_id)
