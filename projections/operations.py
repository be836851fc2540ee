"""Rebuild and verify: a projection replayed from 0 into shadow tables, then swapped or compared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.base import Projection
from projections.runner import (
    CATCH_UP_BATCH,
    POSITIONS,
    ProjectionRunner,
    lock_projections,
    read_position,
    write_position,
)
from projections.store import ViewStore

SHADOW = "_shadow"
Factory = Callable[[str], list[Projection]]


@dataclass
class Difference:
    projection: str
    table: str
    only_live: int
    only_rebuilt: int


def _shadow_runner(
    recorder: ApplicationRecorder, mapper: Mapper[Any], store: ViewStore,
    projections: list[Projection], batch_size: int,
) -> ProjectionRunner:
    with store.transaction() as tx:
        for projection in projections:
            projection.drop_tables(tx)
            tx.execute(f"DELETE FROM {POSITIONS} WHERE name = ?", (projection.name + SHADOW,))
    return ProjectionRunner(
        recorder, mapper, store, projections, batch_size=batch_size,
        # Its position keys (and so its locks) are the shadow's: its long batches never
        # hold up the live runner; the swap takes the live projections' locks.
        position_key=lambda p: p.name + SHADOW, catch_up_size=CATCH_UP_BATCH,
    )


def rebuild(
    recorder: ApplicationRecorder, mapper: Mapper[Any], store: ViewStore, factory: Factory,
    names: list[str] | None = None, batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replay from 0 into shadow tables while the live ones serve, then swap them in."""
    shadows = [p for p in factory(SHADOW) if names is None or p.name in names]
    runner = _shadow_runner(recorder, mapper, store, shadows, batch_size)
    total = runner.catch_up(progress=progress)
    # The swap moves the shadow's position with its tables, so the live runner goes on
    # from exactly there; readers see the old view or the new one, never a mix.
    with store.transaction() as tx:
        if store.dialect == "postgres":
            lock_projections(tx, [shadow.name for shadow in shadows])
        for shadow in shadows:
            live = next(p for p in factory("") if p.name == shadow.name)
            position_row = tx.fetchone(
                f"SELECT position FROM {POSITIONS} WHERE name = ?", (shadow.name + SHADOW,)
            )
            for table in shadow.table_names():
                tx.execute(f"DROP TABLE IF EXISTS {live.table(table)}")
                tx.execute(f"ALTER TABLE {shadow.table(table)} RENAME TO {live.table(table)}")
            for index in shadow.index_names():
                tx.execute(f"DROP INDEX IF EXISTS {index}")
            live.create_tables(tx, store.dialect)
            write_position(tx, live.name, int(position_row[0]) if position_row else 0,
                           live.version)
            tx.execute(f"DELETE FROM {POSITIONS} WHERE name = ?", (shadow.name + SHADOW,))
    return total


def verify(
    recorder: ApplicationRecorder, mapper: Mapper[Any], store: ViewStore, factory: Factory,
    names: list[str] | None = None, batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> list[Difference]:
    """Rebuild in the shadow up to the live position and compare every row."""
    lives = {p.name: p for p in factory("") if names is None or p.name in names}
    shadows = [p for p in factory(SHADOW) if p.name in lives]
    differences: list[Difference] = []
    for shadow in shadows:
        live = lives[shadow.name]
        for _attempt in range(5):
            position = read_position(store, live.name)
            runner = _shadow_runner(recorder, mapper, store, [shadow], batch_size)
            runner.catch_up(stop_at=position, progress=progress)
            live_rows = live.dump(store)
            if read_position(store, live.name) == position:
                break  # the live view did not move while we read it
        rebuilt_rows = shadow.dump(store)
        for table in live.table_names():
            live_set, rebuilt_set = set(live_rows[table]), set(rebuilt_rows[table])
            if live_set != rebuilt_set:
                differences.append(Difference(
                    live.name, table, len(live_set - rebuilt_set), len(rebuilt_set - live_set)
                ))
        with store.transaction() as tx:
            shadow.drop_tables(tx)
            tx.execute(f"DELETE FROM {POSITIONS} WHERE name = ?", (shadow.name + SHADOW,))
    return differences
