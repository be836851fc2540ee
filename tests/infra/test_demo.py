"""The demo data: loaded through the commands, seen through the registries, repeatable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.container import Container
from infra.demo import DemoPeople, demo_is_loaded, load_demo
from infra.settings import load_settings

STUDENTS = 60


@dataclass
class Loaded:
    container: Container
    people: DemoPeople
    commands: int


def _load(directory: Path, seed: int = 7) -> Loaded:
    container = Container(load_settings({"ZHURNAL_DATA_DIR": str(directory)}))
    assert not demo_is_loaded(container.journal)
    counted: list[int] = []
    people = load_demo(container.journal, students=STUDENTS, seed=seed, progress=counted.append)
    container.runner.catch_up()
    return Loaded(container, people, sum(counted))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    loaded = _load(tmp_path_factory.mktemp("demo"))
    yield loaded
    loaded.container.close()


Query = Callable[[str, str | None, int], tuple[list[dict[str, Any]], str | None]]


def _all(query: Query, school_id: object) -> list[dict[str, Any]]:
    """Every page of a registry list of one school."""
    rows, cursor = query(str(school_id), None, 500)
    while cursor is not None:
        more, cursor = query(str(school_id), cursor, 500)
        rows += more
    return rows


def _roster(loaded: Loaded) -> dict[str, list[Any]]:
    """Every person the registries show, by role and school, in the registries' order."""
    registries = loaded.container.registries
    seen: dict[str, list[Any]] = {}
    for index, school_id in enumerate(loaded.people.school_ids):
        queries: tuple[tuple[str, Query], ...] = (
            ("teachers", registries.teachers), ("students", registries.students),
            ("representatives", registries.representatives),
        )
        for role, query in queries:
            seen[f"{role}:{index}"] = [row["person"] for row in _all(query, school_id)]
    return seen


def test_the_demo_is_loaded_once_into_an_empty_journal(demo: Loaded) -> None:
    assert demo_is_loaded(demo.container.journal)
    assert demo.people.admin_actor == "admin"
    assert demo.commands > STUDENTS * 3  # progress counted every command


def test_the_first_school_is_ready_and_the_second_names_its_gaps(demo: Loaded) -> None:
    registries = demo.container.registries
    first, second = (registries.readiness(str(s)) for s in demo.people.school_ids)
    assert first is not None and second is not None
    assert first["ready"] and first["missing_requisites"] == []
    assert not second["ready"]
    assert second["missing_requisites"] == ["КПП", "ОКТМО", "контактные телефоны"]
    schools, _ = registries.schools(None, 10)
    by_id = {school["id"]: school for school in schools}
    one, two = (by_id[str(s)] for s in demo.people.school_ids)
    assert (one["time_zone"], one["shifts"], two["time_zone"], two["shifts"]) == (
        "Europe/Moscow", 1, "Asia/Vladivostok", 2)
    assert len(one["requisites"]["phones"]) == 2 and one["requisites"]["okopf"] == "75403"


def test_the_readiness_report_lists_people_with_gaps(demo: Loaded) -> None:
    registries = demo.container.registries
    reports = [registries.readiness(str(school_id)) for school_id in demo.people.school_ids]
    held = [person for report in reports if report for person in report["people_not_ready"]]
    assert held and all(person["missing"] for person in held)
    roles = {role for person in held for role in person["roles"]}
    assert roles & {"student", "representative"}


def test_students_are_enrolled_with_their_representatives(demo: Loaded) -> None:
    roster = _roster(demo)
    students = roster["students:0"] + roster["students:1"]
    assert len(demo.people.left_student_ids) == 1
    assert len(students) == STUDENTS - len(demo.people.left_student_ids)
    assert {p["id"] for p in students} == set(map(str, demo.people.student_ids))
    represented = {
        row["student"]["person_id"]
        for school_id in demo.people.school_ids
        for row in _all(demo.container.registries.representatives, school_id)
    }
    assert represented >= {p["id"] for p in students}


def test_staff_classes_and_administrators(demo: Loaded) -> None:
    registries = demo.container.registries
    for school_id, admin_id in zip(demo.people.school_ids, demo.people.school_admin_ids,
                                   strict=True):
        staff = _all(registries.teachers, school_id)
        positions = {row["person_id"]: row["positions"] for row in staff}
        assert "administrator" in positions[str(admin_id)]
        assert any("teacher" in p for p in positions.values())
    assert len(demo.people.class_ids) >= 2 and len(demo.people.teacher_ids) >= 6


def test_names_have_the_gender_forms(demo: Loaded) -> None:
    people = [p for persons in _roster(demo).values() for p in persons]
    assert people
    for person in people:
        middle = person["name"]["middle"]
        if person["sex"] == "male":
            assert middle.endswith("ич"), person
        elif person["sex"] == "female":
            assert middle.endswith("на"), person
            assert not person["name"]["last"].endswith(("ов", "ев", "ёв", "ин", "ский")), person


def test_the_same_seed_gives_the_same_names(demo: Loaded, tmp_path: Path) -> None:
    again = _load(tmp_path / "again")
    other = _load(tmp_path / "other", seed=8)
    try:
        def names(loaded: Loaded) -> dict[str, list[Any]]:
            return {key: sorted(str((p["name"], p["sex"], p["birth_date"])) for p in persons)
                    for key, persons in _roster(loaded).items()}

        assert names(again) == names(demo)
        assert names(other) != names(demo)
    finally:
        again.container.close()
        other.container.close()
