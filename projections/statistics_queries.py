"""Statistics summed in SQL from the facts: a student's week or period, a class's summary.

A line: marks (all), numeric_marks (the five-point ones the averages use), average, weighted
average (weights as placed), absences («н», «б», «уп»), lessons held (not cancelled, up to
`as_of`); a period line adds the lessons in the period (held or still to come).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import msgspec

from projections.statistics import STATE
from projections.store import ViewStore

_decode = msgspec.json.decode
CENT = Decimal("0.01")


def ratio(numerator: int, denominator: int) -> float | None:
    """An average to two decimals, rounded half up; None without marks."""
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP))


@dataclass
class Facts:
    marks: int = 0
    numeric: int = 0
    total: int = 0  # sum of numeric values
    weighted: int = 0  # sum of value x weight (hundredths)
    weights: int = 0  # sum of the weights of numeric marks (hundredths)
    absences: int = 0
    held: int = 0
    planned: int = 0

    def add(self, other: Facts) -> None:
        for field in vars(self):
            setattr(self, field, getattr(self, field) + getattr(other, field))

    def line(self, planned: bool = False) -> dict[str, Any]:
        line = {"marks": self.marks, "numeric_marks": self.numeric,
                "average": ratio(self.total, self.numeric),
                "weighted_average": ratio(self.weighted, self.weights),
                "absences": self.absences, "lessons_held": self.held}
        if planned:
            line["lessons_in_period"] = self.planned
        return line


@dataclass(frozen=True)
class Scope:
    """What the facts are grouped by (key) and filtered on (where), per fact table."""

    marks_key: str
    marks_where: str
    absences_key: str
    absences_where: str
    held_key: str | None = None
    held_where: str = ""


STUDENT_BY_SUBJECT = Scope("m.subject_id", "m.student_id = ?", "l.subject_id",
                           "a.student_id = ?", "l.subject_id", "s.student_id = ?")
CLASS_BY_STUDENT = Scope("m.student_id", "m.class_id = ?", "a.student_id", "l.class_id = ?",
                         "s.student_id", "l.class_id = ?")
CLASS_BY_SUBJECT = Scope("m.subject_id", "m.class_id = ?", "l.subject_id", "l.class_id = ?")


class StatisticsQueries:
    def __init__(self, store: ViewStore, suffix: str = "") -> None:
        self.store = store
        self.state, self.lessons, self.marks, self.absences, self.stints = (
            f"{name}{suffix}" for name in (STATE, "view_stats_lessons", "view_stats_marks",
                                           "view_stats_absences", "view_stats_stints"))

    def _facts(self, scope: Scope, param: str, start: str, end: str,
               as_of: str) -> dict[str, Facts]:
        """Facts grouped by the scope's key, for one value of its filter."""
        facts: dict[str, Facts] = {}
        for key, *sums in self.store.fetchall(
            f"SELECT {scope.marks_key}, COUNT(*), COUNT(m.value), COALESCE(SUM(m.value), 0), "
            "COALESCE(SUM(m.value * m.weight), 0), "
            "COALESCE(SUM(CASE WHEN m.value IS NULL THEN 0 ELSE m.weight END), 0) "
            f"FROM {self.marks} m WHERE {scope.marks_where} AND m.day >= ? AND m.day <= ? "
            f"GROUP BY {scope.marks_key}", (param, start, end),
        ):
            facts[str(key)] = Facts(*(int(value) for value in sums))
        for key, count in self.store.fetchall(
            f"SELECT {scope.absences_key}, COUNT(*) FROM {self.absences} a "
            f"JOIN {self.lessons} l ON l.lesson_id = a.lesson_id WHERE {scope.absences_where} "
            "AND l.cancelled = 0 AND l.day >= ? AND l.day <= ? "
            f"GROUP BY {scope.absences_key}", (param, start, end),
        ):
            facts.setdefault(str(key), Facts()).absences = int(count)
        if scope.held_key is None:
            return facts
        for field, last in (("held", min(end, as_of)), ("planned", end)):
            for key, count in self.store.fetchall(
                f"SELECT {scope.held_key}, COUNT(*) FROM {self.lessons} l "
                f"JOIN {self.stints} s ON s.group_id = l.group_id WHERE {scope.held_where} "
                "AND l.cancelled = 0 AND l.day >= ? AND l.day <= ? AND l.day >= s.start_day "
                f"AND (s.end_day IS NULL OR l.day < s.end_day) GROUP BY {scope.held_key}",
                (param, start, last),
            ):
                setattr(facts.setdefault(str(key), Facts()), field, int(count))
        return facts

    def student(self, student_id: str, start: str, end: str, as_of: str,
                planned: bool = False) -> dict[str, Any]:
        """A student's statistics per subject and over all subjects, `start`..`end`."""
        facts = self._facts(STUDENT_BY_SUBJECT, student_id, start, end, as_of)
        names = self.subject_names(self._schools("student_id", student_id))
        return {"student_id": student_id, "start": start, "end": end, "as_of": as_of,
                **self._lines(facts, names, planned)}

    def class_summary(self, class_id: str, start: str, end: str,
                      as_of: str) -> dict[str, Any]:
        """Per student over all subjects, per subject over the class, and the class total."""
        by_student = self._facts(CLASS_BY_STUDENT, class_id, start, end, as_of)
        students = {str(s) for (s,) in self.store.fetchall(
            f"SELECT DISTINCT student_id FROM {self.stints} WHERE group_id = ? "
            "AND start_day <= ? AND (end_day IS NULL OR end_day > ?)", (class_id, end, start))}
        by_subject = self._facts(CLASS_BY_SUBJECT, class_id, start, end, as_of)
        for subject, count in self.store.fetchall(
            f"SELECT subject_id, COUNT(*) FROM {self.lessons} WHERE class_id = ? "
            "AND cancelled = 0 AND day >= ? AND day <= ? GROUP BY subject_id",
            (class_id, start, min(end, as_of)),
        ):
            by_subject.setdefault(str(subject), Facts()).held = int(count)
        lines = self._lines(by_subject, self.subject_names(self._schools("group_id", class_id)))
        total = Facts()
        for facts in by_student.values():
            total.add(facts)
        lines["total"] = total.line()
        return {
            "class_id": class_id, "start": start, "end": end, "as_of": as_of,
            "students": [{"student_id": s, **by_student.get(s, Facts()).line()}
                         for s in sorted(students | set(by_student))],
            **lines,
        }

    def _lines(self, facts: dict[str, Facts], names: dict[str, str],
               planned: bool = False) -> dict[str, Any]:
        total = Facts()
        subjects = []
        for subject_id in sorted(facts, key=lambda s: (names.get(s, ""), s)):
            total.add(facts[subject_id])
            subjects.append({"subject_id": subject_id, "subject": names.get(subject_id),
                             **facts[subject_id].line(planned)})
        return {"subjects": subjects, "total": total.line(planned)}

    def _schools(self, column: str, value: str) -> list[str]:
        return [str(school) for (school,) in self.store.fetchall(
            f"SELECT DISTINCT school_id FROM {self.stints} WHERE {column} = ?", (value,))]

    def subject_names(self, school_ids: list[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        for school_id in school_ids:
            for (doc,) in self.store.fetchall(
                f"SELECT doc FROM {self.state} WHERE kind = ? AND school_id = ?",
                ("subjects", school_id),
            ):
                names.update(_decode(doc)["names"])
        return names

    def years(self, student_id: str) -> list[tuple[str, int]]:
        """(school, academic year) of the student's stints, latest first."""
        rows = self.store.fetchall(
            f"SELECT school_id, year, MAX(start_day) FROM {self.stints} WHERE student_id = ? "
            "GROUP BY school_id, year ORDER BY MAX(start_day) DESC", (student_id,))
        return [(str(school), int(year)) for school, year, _ in rows]

    def group(self, group_id: str) -> dict[str, Any] | None:
        row = self.store.fetchone(f"SELECT doc FROM {self.state} WHERE kind = ? AND pk = ?",
                                  ("group", group_id))
        return dict(_decode(row[0])) if row else None

    def period(self, school_id: str, year: int, name: str) -> dict[str, Any] | None:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.state} WHERE kind = ? AND ref = ? AND sort = ?",
            ("year", school_id, str(year)))
        wanted = name.strip().lower()
        periods = _decode(row[0])["periods"] if row else []
        return next((dict(p) for p in periods if p["name"].lower() == wanted), None)
