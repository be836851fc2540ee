"""Every view rebuilt from position 0 equals the live one, however it was batched."""

from __future__ import annotations

from infra.container import Container
from projections.base import Projection
from projections.operations import rebuild, verify
from projections.runner import ProjectionRunner
from tests.projections.term import MONDAY, Term, realistic_term

JOURNAL_VIEWS = ["diary", "teacher_journal", "statistics", "lesson_changes", "compliance"]


def views(container: Container, suffix: str = "") -> list[Projection]:
    return [p for p in container.projections(suffix) if p.name in JOURNAL_VIEWS]


def test_every_journal_view_rebuilt_from_zero_equals_the_live_one(
    container: Container, term: Term
) -> None:
    journal = container.journal
    assert [p.name for p in views(container)] == JOURNAL_VIEWS  # all in the catalogue
    live = {p.name: p.dump(container.views) for p in views(container)}
    assert all(any(rows for rows in tables.values()) for tables in live.values())

    # Every projection of the catalogue, not only the journal views, after a realistic term.
    differences = verify(journal.recorder, journal.mapper,  # type: ignore[arg-type]
                         container.views, container.projections)
    assert differences == []

    rebuild(journal.recorder, journal.mapper, container.views,  # type: ignore[arg-type]
            container.projections, names=JOURNAL_VIEWS)
    assert {p.name: p.dump(container.views) for p in views(container)} == live
    assert all(container.projection_position(name) == container.log_position()
               for name in JOURNAL_VIEWS)


def test_views_kept_one_event_per_batch_equal_views_built_in_one_batch(
    container: Container,
) -> None:
    """Batch boundaries fall anywhere: mid-command, between a lesson and its marks."""
    journal = container.journal
    stepwise = views(container, "_step")
    runner = ProjectionRunner(journal.recorder, journal.mapper,  # type: ignore[arg-type]
                              container.views, stepwise, batch_size=1,
                              position_key=lambda p: p.name + "_step")
    term = realistic_term(journal)
    runner.catch_up()
    term.mark(term.lesson(term.school.class_id, MONDAY, 1), term.school.students[3],
              term.essay, "5")
    runner.catch_up()
    container.runner.catch_up()
    for step, live in zip(stepwise, views(container), strict=True):
        assert step.dump(container.views) == live.dump(container.views), live.name


def test_catching_up_in_large_batches_equals_small_batches_for_every_projection(
    container: Container,
) -> None:
    """A runner behind the log takes up to `catch_up_size` events in one batch: every view
    of the catalogue (state documents included) is the same as kept a few events a batch."""
    journal = container.journal
    term = realistic_term(journal)
    term.mark(term.lesson(term.school.class_id, MONDAY, 1), term.school.students[3],
              term.essay, "5")
    runners = {}
    for suffix, batch, catch_up in (("_small", 7, None), ("_large", 5, 100_000)):
        runners[suffix] = ProjectionRunner(
            journal.recorder, journal.mapper,  # type: ignore[arg-type]
            container.views, container.projections(suffix), batch_size=batch,
            position_key=lambda p, s=suffix: p.name + s, catch_up_size=catch_up)
    batches = 0
    while runners["_large"].run_once():
        batches += 1
    assert batches == 1  # one catch-up batch took the whole log
    runners["_small"].catch_up()
    assert runners["_small"].batches > 10
    for small, large in zip(runners["_small"].projections, runners["_large"].projections,
                            strict=True):
        assert small.dump(container.views) != {}
        assert (list(small.dump(container.views).values())
                == list(large.dump(container.views).values())), small.name
