"""Projections whose code changed are rebuilt in the background, while reads go on.

A projection's `version` names what its code builds. When a deployment starts a runner over
tables an earlier version built, the runner leaves that projection alone (`outdated`: new code
must not add to old tables, nor record its version over them) and the process that runs it
rebuilds it here: replayed from 0 into shadow tables while the old ones keep serving, then
swapped in with its position and new version, after which the runner keeps it again. One
process of the deployment does it (a lock of the view database): the others find it done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.operations import Factory, rebuild
from projections.runner import POSITIONS, ProjectionRunner, built_by_older_code
from projections.store import ViewStore

log = logging.getLogger(__name__)
LOCK = "projection-upgrade"


def outdated(store: ViewStore, factory: Factory, names: Collection[str]) -> list[str]:
    """Which of the named projections' live tables an earlier version of their code built."""
    stored = dict(store.fetchall(f"SELECT name, version FROM {POSITIONS}"))
    return sorted(built_by_older_code([p for p in factory("") if p.name in names], stored))


def upgrade(
    recorder: ApplicationRecorder, mapper: Mapper[Any], store: ViewStore, factory: Factory,
    names: Collection[str], batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Rebuild those of `names` still outdated, unless another process is at it; returns
    the projections rebuilt here."""
    with store.exclusive(LOCK) as mine:
        if not mine:
            log.info("another process is rebuilding outdated projections")
            return []
        found = outdated(store, factory, names)  # another process may have done them
        if found:
            log.warning("rebuilding outdated projections: %s", ", ".join(found))
            rebuild(recorder, mapper, store, factory, found, batch_size, progress)
            log.warning("rebuilt and swapped in: %s", ", ".join(found))
        return found


def upgrade_in_background(runner: ProjectionRunner, factory: Factory) -> threading.Thread | None:
    """A thread rebuilding the runner's outdated projections, if it has any."""
    names = outdated(runner.store, factory, [p.name for p in runner.projections])
    if not names:
        return None

    def run() -> None:
        try:
            upgrade(runner.recorder, runner.mapper, runner.store, factory, names,
                    runner.batch_size)
        except Exception:  # the runner goes on without them; the next start tries again
            log.exception("rebuilding outdated projections %s failed", ", ".join(names))

    thread = threading.Thread(target=run, name="projection-upgrade", daemon=True)
    thread.start()
    return thread
