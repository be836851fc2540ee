"""The services the actors use, handed over by the entry point that starts the worker."""

from __future__ import annotations

from typing import Any, Protocol

from eventsourcing.persistence import ApplicationRecorder, Mapper

from projections.base import Projection
from projections.store import ViewStore


class WorkerServices(Protocol):
    settings: Any

    @property
    def views(self) -> ViewStore: ...

    def projections(self, suffix: str = "") -> list[Projection]: ...

    def recorder_and_mapper(self) -> tuple[ApplicationRecorder, Mapper[Any]]: ...


_services: WorkerServices | None = None


def install(services: WorkerServices) -> None:
    global _services
    _services = services


def services() -> WorkerServices:
    if _services is None:
        raise RuntimeError("the worker runtime was not installed by its entry point")
    return _services
