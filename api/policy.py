"""Authorization in one place, deny by default: every route asks `authorize`."""

from __future__ import annotations

import logging
from enum import StrEnum

from api.auth import Principal, Role
from api.problems import ProblemError

log = logging.getLogger("zhurnal.access")


class Action(StrEnum):
    MANAGE_SCHOOLS = "manage_schools"  # register schools (system administrator)
    MANAGE_SCHOOL = "manage_school"  # a school's requisites, staff, classes, roster
    MANAGE_PEOPLE = "manage_people"
    READ_REGISTRY = "read_registry"
    READ_OPERATIONS = "read_operations"  # projection status, lag
    SET_UP_SCHOOL_YEAR = "set_up_school_year"  # calendar, subjects, work types, timetable
    WRITE_JOURNAL = "write_journal"  # lessons, marks, attendance, homework (domain checks who)
    WORK_ON_HOMEWORK = "work_on_homework"  # a student starts and submits their homework


def allows(principal: Principal, action: Action, school_id: str | None = None) -> bool:
    role = principal.role
    if role is Role.ADMIN:
        return True
    if role is Role.SCHOOL_ADMIN:
        in_school = school_id is not None and school_id == principal.school_id
        return (action in (Action.MANAGE_SCHOOL, Action.READ_REGISTRY) and in_school) or (
            action is Action.MANAGE_PEOPLE
        )
    if role is Role.AUDITOR:
        return action in (Action.READ_REGISTRY, Action.READ_OPERATIONS)
    return False


def authorize(principal: Principal, action: Action, school_id: str | None = None) -> None:
    """Refuse with 403 problem+json and a structured log line unless the policy allows."""
    if not allows(principal, action, school_id):
        log.warning(
            "access denied",
            extra={"subject": principal.subject, "role": principal.role.value,
                   "action": action.value, "school_id": school_id},
        )
        raise ProblemError(
            403, "Forbidden", f"the role {principal.role.value} may not {action.value}",
            "Forbidden",
        )
