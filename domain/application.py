"""The Journal: the one eventsourcing Application whose methods are zhurnal's commands."""

from __future__ import annotations

from domain.commands.gradebook import GradebookCommands
from domain.commands.homework import HomeworkCommands
from domain.commands.marks import MarkCommands


class Journal(MarkCommands, HomeworkCommands, GradebookCommands):
    """Every aggregate in one application, so there is one gap-free ordered log."""
