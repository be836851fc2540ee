"""Derived export records recomputed at the end of a batch for the keys it touched: weekly
statistics per subject and over all subjects, period statistics, lesson counts, diaries.

A student's lessons in a span are those of each of their groups (a subgroup's clipped to its
class's stints) on the days they were in it; a record with nothing left is a tombstone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from projections.export_derived import Touches
from projections.export_payloads import (
    DiaryDay,
    DiaryHomework,
    DiaryLesson,
    DiaryMark,
    DiaryPayload,
    LessonCountPayload,
    PeriodStatsPayload,
    StatsLine,
    SubjectLine,
    WeeklyStatsPayload,
    WeeklySubjectStatsPayload,
)
from projections.export_records import Records
from projections.journal_events import ABSENT, attendance
from projections.journal_state import STUDENT
from projections.rosters import Doc, numeric, spans, week_bounds
from projections.statistics import hundredths
from projections.statistics_queries import ratio


class Facts(NamedTuple):
    """A lesson's marks and homework by student, indexed once per batch, and each student's
    sums over their marks: (marks, numeric marks, their total, weighted total, weights)."""

    marks: dict[str, list[tuple[str, Doc]]]
    homework: dict[str, list[tuple[str, str]]]
    sums: dict[str, tuple[int, int, int, int, int]]


def facts_of(lesson: Doc) -> Facts:
    marks: dict[str, list[tuple[str, Doc]]] = {}
    for mark_id, mark in lesson["marks"].items():
        marks.setdefault(mark["student_id"], []).append((mark_id, mark))
    homework: dict[str, list[tuple[str, str]]] = {}
    for work in lesson["homework"].values():
        for student, status in work["students"].items():
            homework.setdefault(student, []).append((work["id"], status))
    sums: dict[str, tuple[int, int, int, int, int]] = {}
    for student, placed in marks.items():
        count = total = weighted = weights = 0
        for _mark_id, mark in placed:
            value = numeric(mark["value"])
            if value is not None:
                weight = hundredths(mark["weight"])
                count, total = count + 1, total + value
                weighted += value * weight
                weights += weight
        sums[student] = (len(placed), count, total, weighted, weights)
    return Facts(marks, homework, sums)


@dataclass
class Tally:
    marks: int = 0
    numeric: int = 0
    total: int = 0
    weighted: int = 0
    weights: int = 0
    absences: int = 0
    lessons: int = 0

    def add(self, lesson: Doc, facts: Facts, student: str) -> None:
        if lesson["cancelled"]:
            return
        self.lessons += 1
        sums = facts.sums.get(student)
        if sums is not None:
            self.marks += sums[0]
            self.numeric += sums[1]
            self.total += sums[2]
            self.weighted += sums[3]
            self.weights += sums[4]
        if attendance(lesson["attendance"].get(student)) in ABSENT:
            self.absences += 1

    def merge(self, other: Tally) -> None:
        self.marks, self.numeric = self.marks + other.marks, self.numeric + other.numeric
        self.total, self.weighted = self.total + other.total, self.weighted + other.weighted
        self.weights, self.absences = self.weights + other.weights, self.absences + other.absences
        self.lessons += other.lessons

    def line(self) -> dict[str, Any]:
        return {"marks": self.marks, "numeric_marks": self.numeric,
                "average": ratio(self.total, self.numeric),
                "weighted_average": ratio(self.weighted, self.weights),
                "absences": self.absences, "lessons": self.lessons}


_order = itemgetter("day", "number", "start", "id")  # a lesson's place in a week


class Summaries:
    def __init__(self, touches: Touches, records: Records) -> None:
        self.touches, self.records, self.state = touches, records, touches.state
        self.cache: dict[tuple[str, str, str], list[Doc]] = {}
        self.facts: dict[str, Facts] = {}

    def fact(self, lesson: Doc) -> Facts:
        found = self.facts.get(lesson["id"])
        if found is None:
            found = self.facts[lesson["id"]] = facts_of(lesson)
        return found

    def tally(self, lessons: list[Doc], student: str) -> dict[str, Tally]:
        by_subject: dict[str, Tally] = defaultdict(Tally)
        for lesson in lessons:
            by_subject[lesson["subject_id"]].add(lesson, self.fact(lesson), student)
        return by_subject

    def lessons(self, school: str, student: str, lo: str, hi: str) -> list[Doc]:
        """The student's lessons in the school with lo <= day < hi, in order."""
        docs = self.state.docs
        groups = (docs.doc(STUDENT, student) or {"groups": []})["groups"]
        found: list[Doc] = []
        sources = 0
        for group_id in groups:
            group, parent = self.state.group(group_id)
            if group is None or group["school_id"] != school:
                continue
            stints = spans(group, parent, student)
            if not stints:
                continue
            key = (group_id, lo, hi)
            if key not in self.cache:
                self.cache[key] = sorted(self.touches.lessons_of(group_id, lo, hi), key=_order)
            mine = self.cache[key]
            if not any(start <= lo and (end is None or end >= hi) for start, end in stints):
                mine = [lesson for lesson in mine if any(
                    start <= lesson["day"] and (end is None or lesson["day"] < end)
                    for start, end in stints)]
            sources += bool(mine)
            found += mine
        return sorted(found, key=_order) if sources > 1 else found

    def write(self) -> None:
        t, r = self.touches, self.records
        subjects: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
        for (school, student, week, subject), position in t.subjects.items():
            subjects[(school, student, week)].append((subject, position))
        for school, student, week in sorted(set(t.weeks) | set(subjects) | set(t.diaries)):
            lessons = self.lessons(school, student, *week_bounds(week))
            key = f"{school}:{student}:{week}"
            if (school, student, week) in t.diaries:
                self._diary(key, school, student, week, lessons,
                            t.diaries[(school, student, week)])
            by_subject = self.tally(lessons, student)
            if (school, student, week) in t.weeks:
                total = Tally()
                for tally in by_subject.values():
                    total.merge(tally)
                position = t.weeks[(school, student, week)]
                if total.lessons or total.marks:
                    r.upsert("weekly_stats", key, school, student, WeeklyStatsPayload(
                        school_id=school, student_id=student, week=week, **total.line()),
                        position)
                else:
                    r.tombstone("weekly_stats", key, school, student, position)
            for subject, position in sorted(subjects.get((school, student, week), ())):
                found, sub_key = by_subject.get(subject), f"{key}:{subject}"
                if found and (found.lessons or found.marks):
                    r.upsert("weekly_subject_stats", sub_key, school, student,
                             WeeklySubjectStatsPayload(
                        school_id=school, student_id=student, week=week, subject_id=subject,
                        **found.line()), position)
                else:
                    r.tombstone("weekly_subject_stats", sub_key, school, student, position)
        self._periods()
        self._counts()

    def _diary(self, key: str, school: str, student: str, week: str, lessons: list[Doc],
               position: int) -> None:
        days: dict[str, list[DiaryLesson]] = {}
        for lesson in lessons:
            facts = self.fact(lesson)
            days.setdefault(lesson["day"], []).append(DiaryLesson(
                lesson_id=lesson["id"], number=lesson["number"], start=lesson["start"],
                end=lesson["end"], subject_id=lesson["subject_id"], group_id=lesson["group_id"],
                teacher_id=lesson["teacher_id"], substitute_id=lesson["substitute_id"],
                room=lesson["room"], topic=lesson["topic"], cancelled=lesson["cancelled"],
                marks=[DiaryMark(mark_id=mark_id, work_type_id=m["work_type_id"],
                                 value=m["value"], weight=m["weight"], late=m["late"])
                       for mark_id, m in facts.marks.get(student, ())],
                absence=attendance(lesson["attendance"].get(student)),
                homework=[DiaryHomework(homework_id=work_id, status=status)
                          for work_id, status in facts.homework.get(student, ())]))
        if not days:
            self.records.tombstone("diary", key, school, student, position)
            return
        self.records.upsert("diary", key, school, student, DiaryPayload(
            school_id=school, student_id=student, week=week,
            days=[DiaryDay(date=day, lessons=items) for day, items in days.items()]), position)

    def _periods(self) -> None:
        for (school, student, year, number), position in sorted(self.touches.periods.items()):
            key = f"{school}:{student}:{year}:{number}"
            periods = self.touches.periods_of(school, year)
            if number > len(periods):
                self.records.tombstone("period_stats", key, school, student, position)
                continue
            period = periods[number - 1]
            by_subject = self.tally(self.lessons(school, student, period["start"],
                                                 period["end"] + "~"), student)
            total = Tally()
            for tally in by_subject.values():
                total.merge(tally)
            if not (total.lessons or total.marks):
                self.records.tombstone("period_stats", key, school, student, position)
                continue
            self.records.upsert("period_stats", key, school, student, PeriodStatsPayload(
                school_id=school, student_id=student, academic_year=year, period=number,
                period_name=period["name"], start=period["start"], end=period["end"],
                total=StatsLine(**total.line()),
                subjects=[SubjectLine(subject_id=subject, **by_subject[subject].line())
                          for subject in sorted(by_subject)]), position)

    def _counts(self) -> None:
        for (group_id, subject, year, number), position in sorted(self.touches.counts.items()):
            group = self.state.docs.doc("group", group_id)
            key = f"{group_id}:{subject}:{year}:{number}"
            if group is None:
                continue
            periods = self.touches.periods_of(group["school_id"], year)
            if number > len(periods):
                self.records.tombstone("lesson_count", key, group["school_id"], None, position)
                continue
            period = periods[number - 1]
            count = sum(1 for lesson in self.touches.lessons_of(
                group_id, period["start"], period["end"] + "~")
                if lesson["subject_id"] == subject and not lesson["cancelled"])
            if not count:
                self.records.tombstone("lesson_count", key, group["school_id"], None, position)
                continue
            self.records.upsert("lesson_count", key, group["school_id"], None, LessonCountPayload(
                school_id=group["school_id"], group_id=group_id, subject_id=subject,
                academic_year=year, period=number, period_name=period["name"],
                start=period["start"], end=period["end"], lessons=count), position)
