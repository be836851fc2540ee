"""The Journal: the one eventsourcing Application whose methods are zhurnal's commands."""

from __future__ import annotations

from domain.commands.distance import DistanceCommands
from domain.commands.erasure import ErasureCommands
from domain.commands.gradebook import GradebookCommands
from domain.commands.homework import HomeworkCommands
from domain.commands.marks import MarkCommands
from domain.commands.posts import PostCommands
from domain.person import Person


class Journal(
    MarkCommands, HomeworkCommands, GradebookCommands, PostCommands, DistanceCommands,
    ErasureCommands,
):
    """Every aggregate in one application, so there is one gap-free ordered log."""

    uncached = (Person,)  # personal data: no copy in memory may outlive its erasure
