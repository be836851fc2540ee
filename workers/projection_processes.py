"""Projections run by child processes of `zhurnal worker`, each group by a runner of its own.

One Python process runs one core's worth of projections. The export costs as much as all the
other projections together, so on PostgreSQL it runs in a process of its own by default
(`ZHURNAL_PROJECTION_PROCESSES`): catching up uses both cores, and a mark reaches the diary
without waiting for the export's batch. Each batch holds its projections' advisory locks
(`projections.runner.lock_projections`), so workers grouped differently never run the same
projection at once. A child that dies is started again.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from multiprocessing.process import BaseProcess
from typing import Any

from infra.settings import Settings

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0  # seconds between restarts of a child that keeps dying


def run_group(settings: Settings, names: tuple[str, ...]) -> None:
    """A child's life: follow the log for the projections `names` until SIGTERM."""
    from infra.container import Container  # imported in the child, after the spawn
    from projections.upgrade import upgrade_in_background

    container = Container(settings)
    runner = container.runner_of([p for p in container.projections() if p.name in names])
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    container.listen()
    upgrade_in_background(runner, container.projections)
    try:
        runner.run_forever()
    finally:
        container.close()


class ProjectionProcesses:
    """The child processes of one worker, watched and restarted."""

    def __init__(self, settings: Settings, groups: tuple[tuple[str, ...], ...]) -> None:
        self.settings, self.groups = settings, groups
        self.processes: list[BaseProcess] = []
        self._context: Any = multiprocessing.get_context("spawn")  # no inherited threads
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="projection-processes",
                                         daemon=True)

    def start(self) -> None:
        self.processes = [self._spawn(group) for group in self.groups]
        self._watcher.start()

    def _spawn(self, group: tuple[str, ...]) -> BaseProcess:
        process: BaseProcess = self._context.Process(
            target=run_group, args=(self.settings, group), name=f"projections:{','.join(group)}",
            daemon=True)
        process.start()
        return process

    def _watch(self) -> None:
        backoff = [1.0] * len(self.groups)
        while not self._stop.wait(1.0):
            for index, process in enumerate(self.processes):
                if process.is_alive() or self._stop.is_set():
                    continue
                log.warning("projection process %s ended (exit code %s); starting it again "
                            "in %.0f s", process.name, process.exitcode, backoff[index])
                if self._stop.wait(backoff[index]):
                    return
                backoff[index] = min(backoff[index] * 2, MAX_BACKOFF)
                self.processes[index] = self._spawn(self.groups[index])

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for process in self.processes:
            process.terminate()  # SIGTERM: the runner ends after its current batch
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
        if self._watcher.is_alive():
            self._watcher.join(timeout)
