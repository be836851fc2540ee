"""The composition root: settings -> journal, view store, projections, signals."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from domain.application import Journal
from infra.settings import Settings, load_settings
from infra.signals import LocalSignal, RedisSignal
from infra.storage import FileStorage, storage_from_settings
from infra.viewdb import PostgresViewStore, SqliteViewStore
from projections.base import Projection
from projections.catalogue import all_projections
from projections.registry_queries import RegistryQueries
from projections.runner import ProjectionRunner, read_position, wait_for_position
from projections.upgrade import outdated, upgrade_in_background


class Container:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._runner_thread: threading.Thread | None = None
        self._live_runner: ProjectionRunner | None = None
        self._children: Any = None  # workers.projection_processes.ProjectionProcesses

    @cached_property
    def journal(self) -> Journal:
        if not self.settings.is_postgres:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        journal = Journal(env=self.settings.eventsourcing_env())
        journal.listeners.append(self.signal.notify)
        return journal

    @cached_property
    def views(self) -> SqliteViewStore | PostgresViewStore:
        if self.settings.is_postgres:
            assert self.settings.database_url is not None
            return PostgresViewStore(self.settings.database_url)
        return SqliteViewStore(self.settings.view_db_path)

    @cached_property
    def signal(self) -> LocalSignal | RedisSignal:
        if self.settings.redis_url:
            return RedisSignal(self.settings.redis_url)
        return LocalSignal()

    @cached_property
    def file_storage(self) -> FileStorage:
        return storage_from_settings(self.settings)

    # No real Сферум / Teams adapters exist yet (their APIs could not be verified here): with
    # these None the video-lesson routes answer 503 and the chat reconciler logs a warning.
    conferences: Any = None
    chat_platform: Any = None

    def projections(self, suffix: str = "") -> list[Projection]:
        return all_projections(suffix)

    @cached_property
    def runner(self) -> ProjectionRunner:
        """The whole projection set (catching up from the command line, the embedded run)."""
        return self.runner_of(self.projections())

    def runner_of(self, projections: list[Projection]) -> ProjectionRunner:
        return ProjectionRunner(
            self.journal.recorder,  # type: ignore[arg-type]
            self.journal.mapper,
            self.views,
            projections,
            batch_size=self.settings.projection_batch_size,
            catch_up_size=self.settings.projection_catch_up_size,
            signal=self.signal,
            poll_seconds=self.settings.projection_poll_seconds,
        )

    @cached_property
    def registries(self) -> RegistryQueries:
        return RegistryQueries(self.views)

    def listen(self) -> None:
        """Wake-ups from other processes' writes (Redis), for the runners of this one."""
        if isinstance(self.signal, RedisSignal):
            self.signal.listen()

    def start_runner(self, split: bool = False) -> None:
        """Run the projections: all in a thread of this process (the embedded default), or,
        with `split` on PostgreSQL (`zhurnal worker`), each group of
        `ZHURNAL_PROJECTION_PROCESSES` in a child process and the rest here."""
        if self._runner_thread is not None:
            return
        projections = self.projections()
        groups = self.settings.projection_processes if split and self.settings.is_postgres \
            else ()
        apart = {name for group in groups for name in group}
        unknown = apart - {p.name for p in projections}
        if unknown:
            raise ValueError(f"ZHURNAL_PROJECTION_PROCESSES names no projection: "
                             f"{', '.join(sorted(unknown))}")
        self.listen()
        if groups:
            from workers.projection_processes import ProjectionProcesses

            self._children = ProjectionProcesses(self.settings, groups)
            self._children.start()
        self._live_runner = self.runner if not apart else self.runner_of(
            [p for p in projections if p.name not in apart])
        self._runner_thread = self._live_runner.start_thread()
        upgrade_in_background(self._live_runner, self.projections)

    def recorder_and_mapper(self) -> tuple[Any, Any]:
        return self.journal.recorder, self.journal.mapper

    def log_position(self) -> int:
        return self.journal.recorder.max_notification_id() or 0

    def projection_names(self) -> list[str]:
        return [projection.name for projection in self.projections()]

    def outdated_projections(self) -> list[str]:
        """Projections an earlier version of their code built (see `projections.upgrade`)."""
        return outdated(self.views, self.projections, self.projection_names())

    def projection_position(self, name: str) -> int:
        return read_position(self.views, name)

    def wait_for(self, name: str, min_position: int, timeout: float | None = None) -> bool:
        return wait_for_position(
            self.views, name, min_position,
            self.settings.read_wait_seconds if timeout is None else timeout,
        )

    def close(self) -> None:
        if self._children is not None:
            self._children.stop()
        for runner in {id(r): r for r in (self.__dict__.get("runner"), self._live_runner)
                       if r is not None}.values():
            runner.stop()
        if self._runner_thread is not None:
            self._runner_thread.join(timeout=5)
        if "views" in self.__dict__:
            self.views.close()
        if "signal" in self.__dict__ and isinstance(self.signal, RedisSignal):
            self.signal.close()
        if "journal" in self.__dict__:
            self.journal.close()
