"""Aggregates cached between commands: never stale, never holding what a command did not save.

Two Journals on one database stand for two processes: each has its own cache.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.application import Journal
from domain.errors import Conflict, RuleViolated
from domain.journal import Decision
from domain.marks import MarkEntry
from domain.work_types import BuiltIn
from infra.container import Container
from tests.conftest import make_settings
from tests.domain.conftest import School, local, open_school

MONDAY, TUESDAY = date(2024, 9, 2), date(2024, 9, 3)


@pytest.fixture
def pair(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[
        tuple[Journal, Journal]]:
    """Two journals (two processes) on the same database, each with its own cache."""
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    first, second = (Container(make_settings(tmp_path, url)) for _ in range(2))
    try:
        yield first.journal, second.journal
    finally:
        first.close()
        second.close()


def _school(journal: Journal) -> School:
    students = ("Иванова", "Петров", "Сидоров", "Козлов")
    return open_school(journal, students=students)  # type: ignore[arg-type]


def _marks(school: School, *students: int, kind: BuiltIn = BuiltIn.ANSWER) -> list[MarkEntry]:
    return [MarkEntry(student_id=school.students[s], work_type_id=school.work_type(kind),
                      value="5") for s in students]


def _place(journal: Journal, school: School, lesson_id: UUID, *students: int,
           day: date = MONDAY) -> Any:
    return journal.place_marks(school.as_(school.teacher_id, local(day, 10)), lesson_id,
                               _marks(school, *students))


def test_a_cached_lesson_sees_the_marks_another_process_placed(
        pair: tuple[Journal, Journal]) -> None:
    one, other = pair
    school = _school(one)
    lesson_id = school.lesson(MONDAY)
    _place(one, school, lesson_id, 0)  # the lesson, school, work types and class now cached
    assert one.lender is not None and one.lender.cache.peek(lesson_id) is not None
    _place(other, school, lesson_id, 1)
    with pytest.raises(RuleViolated, match="already has a mark"):
        _place(one, school, lesson_id, 1)
    outcome = _place(one, school, lesson_id, 2)
    assert outcome.answer["version"] == 4  # scheduled, then three marks: none lost
    assert len(other.get_lesson(lesson_id).marks) == 3


def test_a_roster_change_in_another_process_reaches_a_cached_class(
        pair: tuple[Journal, Journal], backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    one, other = pair
    school = _school(one)
    monday, tuesday = school.lesson(MONDAY), school.lesson(TUESDAY)
    _place(one, school, monday, 0)  # the class (its roster) now cached in `one`
    other.release_student(school.admin, school.class_id, school.students[2], MONDAY, "moved")
    runs: list[bool] = []
    run = one._run

    def spy(*args: Any, fresh: bool = False) -> Any:
        runs.append(fresh)
        return run(*args, fresh=fresh)

    monkeypatch.setattr(one, "_run", spy)
    with pytest.raises(RuleViolated, match="not in the group"):
        _place(one, school, tuesday, 2, day=TUESDAY)
    # PostgreSQL: the class was lent unread, the save found it changed, the command ran again.
    assert runs == ([False, True] if backend == "postgres" else [False])
    assert _place(one, school, tuesday, 1, day=TUESDAY).answer["version"] == 2


def test_a_refused_command_leaves_nothing_in_the_cache(pair: tuple[Journal, Journal]) -> None:
    one, _ = pair
    school = _school(one)
    lesson_id = school.lesson(MONDAY)
    _place(one, school, lesson_id, 0)
    stranger = school.person("Чужой", "Ученик")
    refused = [*_marks(school, 1), MarkEntry(student_id=stranger,
                                             work_type_id=school.work_type(BuiltIn.ANSWER),
                                             value="5")]
    with pytest.raises(RuleViolated):
        one.place_marks(school.as_(school.teacher_id, local(MONDAY, 10)), lesson_id, refused)
    # Had the refused command's first mark stayed in a cached lesson, this would be refused.
    assert _place(one, school, lesson_id, 1).answer["version"] == 3
    assert len(one.get_lesson(lesson_id).marks) == 2


def test_two_teachers_saving_the_same_cached_lesson_one_wins_one_conflicts(
        pair: tuple[Journal, Journal], monkeypatch: pytest.MonkeyPatch) -> None:
    one, other = pair
    school = _school(one)
    lesson_id = school.lesson(MONDAY)
    _place(one, school, lesson_id, 0)
    _place(other, school, lesson_id, 1)  # both caches now hold the lesson
    both_loaded = threading.Barrier(2, timeout=10)
    for journal in pair:
        original = journal.get_lesson

        def get_then_wait(lesson: UUID, version: int | None = None, _get: Any = original) -> Any:
            loaded = _get(lesson, version)
            both_loaded.wait()  # both commands decide on the same version
            return loaded

        monkeypatch.setattr(journal, "get_lesson", get_then_wait)
    results: dict[int, Any] = {}

    def place(journal: Journal, student: int) -> None:
        try:
            results[student] = _place(journal, school, lesson_id, student)
        except Conflict as error:
            results[student] = error

    threads = [threading.Thread(target=place, args=(journal, student))
               for journal, student in ((one, 2), (other, 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    winners = [s for s, r in results.items() if not isinstance(r, Conflict)]
    assert len(winners) == 1 and len(results) == 2
    marked = {mark.student_id for mark in one.get_lesson(lesson_id).marks.values()}
    assert marked == {school.students[s] for s in (0, 1, winners[0])}
    # The loser's lesson was dropped from its cache: its next try builds on the winner's marks.
    loser = 5 - winners[0]
    assert _place(one if loser == 2 else other, school, lesson_id, loser).answer["version"] == 5


def test_people_are_never_cached(container: Container) -> None:
    school = _school(container.journal)
    lender = container.journal.lender
    assert lender is not None
    assert lender.cache.peek(school.school_id) is not None  # loaded by commands: cached
    assert all(lender.cache.peek(student) is None for student in school.students)


def test_an_if_match_on_an_aggregate_lent_unread_compares_the_last_version(
        pair: tuple[Journal, Journal]) -> None:
    one, other = pair
    school = _school(one)
    _place(one, school, school.lesson(MONDAY), 0)  # the school now cached in `one`
    version = other.update_school(school.admin, school.school_id, None, "Гимназия").answer[
        "version"]

    def decide() -> Decision:
        one.read_ahead(unread=[school.school_id])
        found = one.get_school(school.school_id, expected_version=version)
        return Decision({"name": found.name})

    assert one.execute(school.admin, "look", decide).answer == {"name": "Гимназия"}
