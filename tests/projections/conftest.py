"""The journal views' fixtures: a realistic term on the container's journal, caught up."""

from __future__ import annotations

import pytest

from infra.container import Container
from tests.projections.term import Term, open_term, realistic_term


@pytest.fixture
def term(container: Container) -> Term:
    """Five weeks of a school's journal, every projection caught up."""
    built = realistic_term(container.journal)
    container.runner.catch_up()
    return built


@pytest.fixture
def timetable(container: Container) -> Term:
    """Two classes, a subgroup and a five-week timetable; nothing kept in the journal yet."""
    return open_term(container.journal)
