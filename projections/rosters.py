"""Weeks and memberships as the read side sees them (ISO strings in JSON documents).

A group document keeps its roster as stints: `{student_id: [[start, end|None], ...]}`, start
inclusive, end exclusive, like `domain.edugroup.Stint`. A student is in a subgroup on a day
only while also in the subgroup's class: a transfer releases the class, not its subgroups.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from domain.errors import InvalidValue

Doc = dict[str, Any]
Span = tuple[str, str | None]  # [start, end): ISO dates, end None while open
FAR = "9999-12-31"


@lru_cache(maxsize=4096)
def iso_week(day: date | str) -> str:
    """'2024-09-04' -> '2024-W36' (ISO year and week, sortable as text)."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week '2024-W36'; ValueError when it is not one."""
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def checked_week(week: str, field: str = "week") -> str:
    """An ISO week as given ('2024-W36'), or a field error."""
    try:
        if re.fullmatch(r"\d{4}-W\d{2}", week):
            week_start(week)
            return week
    except ValueError:
        pass
    raise InvalidValue(field, "an ISO week such as 2024-W36")


def week_bounds(week: str) -> tuple[str, str]:
    """[Monday, next Monday) of the week, as ISO dates."""
    monday = week_start(week)
    return monday.isoformat(), (monday + timedelta(days=7)).isoformat()


def day_key(day: str) -> str:
    """'2024-09-02' -> '20240902': digits only, so any collation orders it as the calendar."""
    return day.replace("-", "")


@lru_cache(maxsize=4096)  # a few hundred (day, number) pairs a year, once per lesson put
def lesson_sort(day: str, number: int) -> str:
    return f"{day_key(day)}{number:02d}"


def covers(stints: list[list[Any]] | None, day: str) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in stints or ())


def spans(group: Doc, parent: Doc | None, student: str) -> list[Span]:
    """The student's effective stints in the group: a subgroup's clipped to its class's."""
    own: list[Span] = [(start, end) for start, end in group["roster"].get(student, ())]
    if parent is None:
        return own
    clipped: list[Span] = []
    for start, end in own:
        for p_start, p_end in parent["roster"].get(student, ()):
            lo = max(start, p_start)
            hi = min(end or FAR, p_end or FAR)
            if lo < hi:
                clipped.append((lo, None if hi == FAR else hi))
    return clipped


def member_on(group: Doc, parent: Doc | None, student: str, day: str) -> bool:
    if not covers(group["roster"].get(student), day):
        return False
    return parent is None or covers(parent["roster"].get(student), day)


def roster_on(group: Doc, parent: Doc | None, day: str) -> list[str]:
    """The students in the group on `day`, sorted."""
    return sorted(
        student for student in group["roster"] if member_on(group, parent, student, day)
    )


def overlaps(stint_spans: list[Span], start: str, end: str) -> bool:
    """Whether any span meets the inclusive range [start, end]."""
    return any(lo <= end and (hi is None or hi > start) for lo, hi in stint_spans)


FIVE_POINT = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


def numeric(value: str) -> int | None:
    """A five-point mark as a number ('5-' and '4+' count as 5 and 4); None for the rest."""
    return FIVE_POINT.get(value.rstrip("+-")) if len(value) <= 2 else None
