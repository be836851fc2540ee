"""Derived export records recomputed at the end of a batch for the keys it touched: weekly
statistics per subject and over all subjects, period statistics, lesson counts, diaries.

A student's lessons in a span are those of each of their groups (a subgroup's clipped to its
class's stints) on the days they were in it; a record with nothing left is a tombstone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from projections.export_derived import StatsKey, Touches
from projections.export_facts import (
    Block,
    Facts,
    block_of,
    encoded_list,
    facts_of,
    tally,
    total,
)
from projections.export_payloads import (
    DiaryDay,
    DiaryPayload,
    LessonCountPayload,
    PeriodStatsPayload,
    StatsLine,
    SubjectLine,
    WeeklyStatsPayload,
    WeeklySubjectStatsPayload,
)
from projections.export_records import Records
from projections.journal_state import STUDENT
from projections.rosters import Doc, Span, iso_week, spans, week_bounds

_order = itemgetter("day", "number", "start", "id")  # a lesson's place in a week


Days = list[tuple[str, list[Facts]]]  # a diary's days, each with its lessons' facts


class StudentSpan(NamedTuple):
    """A student's lessons in a span, a block per group; `groups` names the groups when each
    block is its group's whole one (so students of the same groups share them), else None."""

    blocks: list[Block]
    groups: tuple[str, ...] | None


def _place(entry: tuple[Doc, Facts]) -> Any:
    return _order(entry[0])


def _days(blocks: list[Block]) -> Days:
    """The blocks' lessons by day, in order (each block's are), with their facts."""
    found = [zip(block.lessons, block.facts, strict=True) for block in blocks if block.lessons]
    entries: Iterable[tuple[Doc, Facts]] = found[0] if len(found) == 1 else sorted(
        chain.from_iterable(found), key=_place)
    days: dict[str, list[Facts]] = {}
    for lesson, facts in entries:
        days.setdefault(lesson["day"], []).append(facts)
    return list(days.items())


class Summaries:
    def __init__(self, touches: Touches, records: Records) -> None:
        self.touches, self.records, self.state = touches, records, touches.state
        self.blocks: dict[tuple[str, str, str], Block] = {}
        self.loaded: dict[tuple[str, str, str], list[Doc]] = {}  # (group, lo, hi): unsorted
        self.facts: dict[str, Facts] = {}
        self.days: dict[tuple[tuple[str, ...], str, str], Days] = {}  # by groups, lo, hi
        self.stints: dict[str, list[tuple[str, str, list[Span]]]] = {}

    def fact(self, lesson: Doc) -> Facts:
        found = self.facts.get(lesson["id"])
        if found is None:
            found = self.facts[lesson["id"]] = facts_of(lesson)
        return found

    def block(self, group_id: str, lo: str, hi: str) -> Block:
        key = (group_id, lo, hi)
        found = self.blocks.get(key)
        if found is None:
            lessons = self.loaded.pop(key, None)
            if lessons is None:
                lessons = self.touches.lessons_of(group_id, lo, hi)
            found = self.blocks[key] = block_of(sorted(lessons, key=_order), self.fact)
        return found

    def load_weeks(self, keys: list[StatsKey]) -> None:
        """Each group's lessons in the weeks its students need, read in one range (not one
        range a week: each read walks all the group's lessons), then split by week."""
        weeks: dict[str, set[str]] = defaultdict(set)
        for _school, student, week in keys:
            for group_id, _group_school, _stints in self._stints(student):
                weeks[group_id].add(week)
        for group_id, needed in weeks.items():
            by_week: dict[str, list[Doc]] = {week: [] for week in needed}
            for lesson in self.touches.lessons_of(group_id, week_bounds(min(needed))[0],
                                                  week_bounds(max(needed))[1]):
                found = by_week.get(iso_week(lesson["day"]))
                if found is not None:
                    found.append(lesson)
            for week, lessons in by_week.items():
                self.loaded[(group_id, *week_bounds(week))] = lessons

    def _stints(self, student: str) -> list[tuple[str, str, list[Span]]]:
        """The student's groups with their school and the student's stints in them: each
        week of the student's needs them, and they stay as they are while the batch writes."""
        found = self.stints.get(student)
        if found is None:
            found = self.stints[student] = []
            for group_id in (self.state.docs.doc(STUDENT, student) or {"groups": []})["groups"]:
                group, parent = self.state.group(group_id)
                stints = spans(group, parent, student) if group is not None else []
                if group is not None and stints:
                    found.append((group_id, group["school_id"], stints))
        return found

    def span(self, school: str, student: str, lo: str, hi: str) -> StudentSpan:
        """The student's lessons in the school with lo <= day < hi, a block per group: the
        group's, or for a student in it part of the span, the share of their days."""
        found: list[Block] = []
        groups: list[str] | None = []
        for group_id, group_school, stints in self._stints(student):
            if group_school != school:
                continue
            block = self.block(group_id, lo, hi)
            if not any(start <= lo and (end is None or end >= hi) for start, end in stints):
                block = block_of([lesson for lesson in block.lessons if any(
                    start <= lesson["day"] and (end is None or lesson["day"] < end)
                    for start, end in stints)], self.fact)
                groups = None
            elif groups is not None:
                groups.append(group_id)
            found.append(block)
        return StudentSpan(found, None if groups is None else tuple(groups))

    def diary_days(self, span: StudentSpan, lo: str, hi: str) -> Days:
        if span.groups is None:
            return _days(span.blocks)
        key = (span.groups, lo, hi)
        found = self.days.get(key)
        if found is None:
            found = self.days[key] = _days(span.blocks)
        return found

    def write(self) -> None:
        t, r = self.touches, self.records
        subjects: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
        for (school, student, week, subject), position in t.subjects.items():
            subjects[(school, student, week)].append((subject, position))
        keys = sorted(set(t.weeks) | set(subjects) | set(t.diaries))
        self.load_weeks(keys)
        for index, (school, student, week) in enumerate(keys):
            if index % 1000 == 0:
                r.spill()
            span = self.span(school, student, *week_bounds(week))
            key = f"{school}:{student}:{week}"
            if (school, student, week) in t.diaries:
                self._diary(key, school, student, week,
                            self.diary_days(span, *week_bounds(week)),
                            t.diaries[(school, student, week)])
            by_subject = tally(span.blocks, student)
            if (school, student, week) in t.weeks:
                line = total(by_subject)
                position = t.weeks[(school, student, week)]
                if line.lessons or line.marks:
                    r.upsert("weekly_stats", key, school, student, WeeklyStatsPayload(
                        school_id=school, student_id=student, week=week, **line.line()),
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

    def _diary(self, key: str, school: str, student: str, week: str, days: Days,
               position: int) -> None:
        if not days:
            self.records.tombstone("diary", key, school, student, position)
            return
        self.records.upsert("diary", key, school, student, DiaryPayload(
            school_id=school, student_id=student, week=week,
            days=[DiaryDay(date=day, lessons=encoded_list([facts.diary(student)
                                                           for facts in lessons]))
                  for day, lessons in days]), position)

    def _periods(self) -> None:
        for index, ((school, student, year, number), position) in enumerate(
                sorted(self.touches.periods.items())):
            if index % 1000 == 0:
                self.records.spill()
            key = f"{school}:{student}:{year}:{number}"
            periods = self.touches.periods_of(school, year)
            if number > len(periods):
                self.records.tombstone("period_stats", key, school, student, position)
                continue
            period = periods[number - 1]
            by_subject = tally(self.span(school, student, period["start"], period["end"] + "~")
                               .blocks, student)
            line = total(by_subject)
            if not (line.lessons or line.marks):
                self.records.tombstone("period_stats", key, school, student, position)
                continue
            self.records.upsert("period_stats", key, school, student, PeriodStatsPayload(
                school_id=school, student_id=student, academic_year=year, period=number,
                period_name=period["name"], start=period["start"], end=period["end"],
                total=StatsLine(**line.line()),
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
            count = self.block(group_id, period["start"], period["end"] + "~").held.get(subject, 0)
            if not count:
                self.records.tombstone("lesson_count", key, group["school_id"], None, position)
                continue
            self.records.upsert("lesson_count", key, group["school_id"], None, LessonCountPayload(
                school_id=group["school_id"], group_id=group_id, subject_id=subject,
                academic_year=year, period=number, period_name=period["name"],
                start=period["start"], end=period["end"], lessons=count), position)
