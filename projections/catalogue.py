"""Every projection the runner keeps, in one place."""

from __future__ import annotations

from projections.base import Projection
from projections.chats import Chats
from projections.distance import Distance
from projections.registries import Registries
from projections.walls import Walls


def all_projections(suffix: str = "") -> list[Projection]:
    return [Registries(suffix), Walls(suffix), Distance(suffix), Chats(suffix)]
