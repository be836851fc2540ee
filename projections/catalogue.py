"""Every projection the runner keeps, in one place."""

from __future__ import annotations

from projections.base import Projection
from projections.registries import Registries


def all_projections(suffix: str = "") -> list[Projection]:
    return [Registries(suffix)]
