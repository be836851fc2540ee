"""The Journal: the one eventsourcing Application whose methods are zhurnal's commands."""

from __future__ import annotations

from domain.commands.roster import RosterCommands


class Journal(RosterCommands):
    """Every aggregate in one application, so there is one gap-free ordered log."""
