"""Statistics recomputed the naive way, straight from the log: the oracle for the projection."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from infra.container import Container

NUMERIC = {f"{n}{sign}": n for n in range(1, 6) for sign in ("", "+", "-")}
ABSENT = {"absent", "ill", "excused"}


def rounded(value: Fraction | None) -> float | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))


@dataclass
class Log:
    """The journal as a replay of every event, kept in plain dictionaries."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    lessons: dict[str, dict[str, Any]] = field(default_factory=dict)
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)
    attendance: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, container: Container) -> Log:
        log = cls()
        journal = container.journal
        for notification in journal.recorder.select_notifications(start=1, limit=10**9):
            log.apply(journal.mapper.to_domain_event(notification))
        return log

    def apply(self, e: Any) -> None:
        name, oid = type(e).__qualname__, str(e.originator_id)
        if name == "EduGroup.Opened":
            self.groups[oid] = {"parent": e.parent_id and str(e.parent_id), "members": {}}
        elif name == "EduGroup.StudentEnrolled":
            self.groups[oid]["members"].setdefault(str(e.student_id), []).append([e.on, None])
        elif name == "EduGroup.StudentLeft":
            self.groups[oid]["members"][str(e.student_id)][-1][1] = e.on
        elif name == "Lesson.Scheduled":
            self.lessons[oid] = {"group": str(e.group_id), "class": str(e.class_id),
                                 "subject": str(e.subject_id), "day": e.day, "cancelled": False}
        elif name in ("Lesson.Cancelled", "Lesson.Reinstated"):
            self.lessons[oid]["cancelled"] = name == "Lesson.Cancelled"
        elif name == "Lesson.Moved":
            self.lessons[oid]["day"] = e.new_day
        elif name == "Lesson.SubjectChanged":
            self.lessons[oid]["subject"] = str(e.new_subject_id)
        elif name == "Lesson.MarkPlaced":
            self.marks[str(e.mark_id)] = {"lesson": oid, "student": str(e.student_id),
                                          "value": e.value, "weight": Fraction(e.weight)}
        elif name == "Lesson.MarkChanged":
            self.marks[str(e.mark_id)]["value"] = e.new_value
        elif name == "Lesson.MarkRemoved":
            del self.marks[str(e.mark_id)]
        elif name.startswith("Lesson.Attendance"):
            entry = self.attendance.setdefault((oid, str(e.student_id)), {})
            key = "teacher" if name == "Lesson.AttendanceRecorded" else "override"
            entry[key] = None if name.endswith("Withdrawn") else str(e.new)

    def member(self, group_id: str, student: str, day: Any) -> bool:
        def inside(group: dict[str, Any]) -> bool:
            return any(start <= day and (end is None or day < end)
                       for start, end in group["members"].get(student, ()))
        group = self.groups[group_id]
        return inside(group) and (group["parent"] is None or inside(self.groups[group["parent"]]))

    def student(self, student: str, start: Any, end: Any, as_of: Any) -> dict[str, Any]:
        """{subject: line, ..., None: total} for the student's lessons start..end."""
        per: dict[str | None, dict[str, Any]] = defaultdict(
            lambda: {"marks": 0, "values": [], "weighted": [], "absences": 0, "held": 0})
        for mark in self.marks.values():
            lesson = self.lessons[mark["lesson"]]
            if mark["student"] == student and start <= lesson["day"] <= end:
                for key in (lesson["subject"], None):
                    per[key]["marks"] += 1
                    if mark["value"] in NUMERIC:
                        per[key]["values"].append(NUMERIC[mark["value"]])
                        per[key]["weighted"].append((NUMERIC[mark["value"]], mark["weight"]))
        for lesson_id, lesson in self.lessons.items():
            if lesson["cancelled"] or not start <= lesson["day"] <= end:
                continue
            entry = self.attendance.get((lesson_id, student), {})
            status = entry.get("override") or entry.get("teacher")
            for key in (lesson["subject"], None):
                per[key]["absences"] += status in ABSENT
                if lesson["day"] <= as_of and self.member(lesson["group"], student,
                                                          lesson["day"]):
                    per[key]["held"] += 1
        return {key: _line(value) for key, value in per.items()
                if value["marks"] or value["absences"] or value["held"]}


def _line(value: dict[str, Any]) -> dict[str, Any]:
    values, weighted = value["values"], value["weighted"]
    weights = sum((w for _, w in weighted), Fraction(0))
    return {
        "marks": value["marks"], "numeric_marks": len(values),
        "average": rounded(Fraction(sum(values), len(values)) if values else None),
        "weighted_average": rounded(sum((v * w for v, w in weighted), Fraction(0)) / weights
                                    if weights else None),
        "absences": value["absences"], "lessons_held": value["held"],
    }
