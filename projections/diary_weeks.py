"""The diary's week documents, rebuilt from the journal state for a set of (student, week).

A batch rebuilds many weeks that share lessons (a class's 25 students see the same lesson),
so each lesson is encoded once: its shared part, and each student's marks and homework; a
student's entry is those pieces of JSON joined (`msgspec.Raw`), never a dict to re-encode.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from projections.documents import Row
from projections.journal_events import attendance
from projections.journal_state import GROUP, LESSON, STUDENT, JournalState
from projections.rosters import Doc, day_key, iso_week, spans, week_bounds
from projections.state import StateDocs

WEEK = "week"
Key = tuple[str, str]  # (student, week)
# A lesson's JSON without its closing brace; each student's homework, marks and attendance.
Shared = tuple[bytes, dict[str, bytes], dict[str, bytes], dict[str, bytes]]
_encode = msgspec.json.encode
_NONE = b"[]"


def _order(lesson: Doc) -> tuple[str, int, str, str]:
    return lesson["day"], lesson["number"], lesson["start"], lesson["id"]


class WeekBuilder:
    """Writes (or deletes, when empty) the week documents of the dirty (student, week)."""

    def __init__(self, state: JournalState, weeks: StateDocs) -> None:
        self.state, self.weeks = state, weeks
        self.lessons: dict[tuple[str, str], list[Doc]] = {}  # (group, week) -> lessons
        self.shared: dict[str, Shared] = {}  # lesson -> its part shared by every student
        self.groups: dict[str, tuple[Doc | None, Doc | None]] = {}
        self.names: dict[tuple[str, str], str | None] = {}

    def rebuild(self, dirty: set[Key]) -> None:
        docs = self.state.docs
        docs.prefetch(STUDENT, {student for student, _ in dirty})
        wanted: dict[str, set[str]] = {}
        for student, week in dirty:
            for group_id in self._groups(student):
                wanted.setdefault(group_id, set()).add(week)
        docs.prefetch(GROUP, wanted)
        docs.prefetch(GROUP, {group["parent_id"] for group, _ in map(self._group, wanted)
                              if group and group["parent_id"]})
        for group_id, group_weeks in wanted.items():
            lo, hi = week_bounds(min(group_weeks))[0], week_bounds(max(group_weeks))[1]
            for _pk, row in docs.in_range(LESSON, group_id, day_key(lo), day_key(hi)):
                self.lessons.setdefault((group_id, iso_week(row.doc["day"])), []).append(row.doc)
        for lessons in self.lessons.values():
            lessons.sort(key=_order)
        self.state.prefetch_names({doc["school_id"] for rows in self.lessons.values()
                                   for doc in rows})
        for student, week in sorted(dirty):
            self._write(student, week)

    def _groups(self, student: str) -> list[str]:
        doc = self.state.docs.doc(STUDENT, student)
        return list(doc["groups"]) if doc else []

    def _group(self, group_id: str) -> tuple[Doc | None, Doc | None]:
        if group_id not in self.groups:
            self.groups[group_id] = self.state.group(group_id)
        return self.groups[group_id]

    def _write(self, student: str, week: str) -> None:
        entries: list[tuple[Doc, msgspec.Raw]] = []
        sources = 0
        monday, next_monday = week_bounds(week)
        for group_id in self._groups(student):
            group, parent = self._group(group_id)
            lessons = self.lessons.get((group_id, week), ())
            if group is None or not lessons:
                continue
            stints = spans(group, parent, student)
            if any(lo <= monday and (hi is None or hi >= next_monday) for lo, hi in stints):
                inside = list(lessons)  # a member all week
            else:
                inside = [lesson for lesson in lessons if any(
                    lo <= lesson["day"] and (hi is None or lesson["day"] < hi)
                    for lo, hi in stints)]
            entries += [(lesson, self._entry(lesson, student, group)) for lesson in inside]
            sources += bool(inside)
        pk = f"{student}:{week}"
        if not entries:
            self.weeks.delete(WEEK, pk)
            return
        if sources > 1:  # a class and its subgroups: merge their (sorted) lessons
            entries.sort(key=lambda item: _order(item[0]))
        days: dict[str, list[msgspec.Raw]] = {}
        for lesson, entry in entries:
            days.setdefault(lesson["day"], []).append(entry)
        doc = {"student_id": student, "week": week, "start": monday,
               "end": (date.fromisoformat(monday) + timedelta(days=6)).isoformat(),
               "days": [{"date": day, "lessons": lessons} for day, lessons in days.items()]}
        school_id = entries[0][0]["school_id"]
        self.weeks.put(WEEK, pk, Row(doc=doc, school_id=school_id, ref=student, sort=week))

    def _entry(self, lesson: Doc, student: str, group: Doc) -> msgspec.Raw:
        base, marks, homework, present = self._shared(lesson, group)
        return msgspec.Raw(b"".join((
            base, b',"homework":', homework.get(student, _NONE), b',"marks":',
            marks.get(student, _NONE), b',"attendance":', present.get(student, b"null"), b"}")))

    def _name(self, school_id: str, item_id: str, work_type: bool = False) -> str | None:
        key = (school_id, item_id)
        if key not in self.names:
            if work_type:
                self.names[key] = (self.state.work_type(school_id, item_id) or {}).get("name")
            else:
                self.names[key] = self.state.subject_name(school_id, item_id)
        return self.names[key]

    def _shared(self, lesson: Doc, group: Doc) -> Shared:
        found = self.shared.get(lesson["id"])
        if found is not None:
            return found
        school_id = lesson["school_id"]
        marks: dict[str, list[Doc]] = {}
        for mark_id, mark in lesson["marks"].items():
            marks.setdefault(mark["student_id"], []).append({
                "mark_id": mark_id, "value": mark["value"], "work_type_id": mark["work_type_id"],
                "work_type": self._name(school_id, mark["work_type_id"], work_type=True),
                "weight": mark["weight"], "late": mark["late"]})
        homework: dict[str, list[Doc]] = {}
        for work in lesson["homework"].values():
            for student, status in work["students"].items():
                homework.setdefault(student, []).append({
                    "homework_id": work["id"], "text": work["text"],
                    "file_ids": work["file_ids"], "due_date": work["due_date"],
                    "due_lesson_id": work["due_lesson_id"], "individual": work["individual"],
                    "status": status, "comments": work["comments"].get(student, 0),
                    "duration_minutes": work["duration_minutes"],
                    "needs_checking": work["needs_checking"],
                    "result_file_required": work["result_file_required"]})
        moved = lesson["day"] != lesson["original_day"]
        base = {
            "lesson_id": lesson["id"], "school_id": school_id, "number": lesson["number"],
            "start": lesson["start"], "end": lesson["end"], "subject_id": lesson["subject_id"],
            "subject": self._name(school_id, lesson["subject_id"]),
            "group_id": lesson["group_id"], "group": group["name"],
            "class_id": lesson["class_id"], "teacher_id": lesson["teacher_id"],
            "substitute_id": lesson["substitute_id"], "room": lesson["room"],
            "topic": lesson["topic"], "cancelled": lesson["cancelled"],
            "cancel_reason": lesson["cancel_reason"],
            "moved_from": lesson["original_day"] if moved else None,
            "move_reason": lesson["move_reason"], "changes": lesson["changes"],
        }
        shared = (_encode(base)[:-1], {k: _encode(v) for k, v in marks.items()},
                  {k: _encode(v) for k, v in homework.items()},
                  {k: _encode(attendance(v)) for k, v in lesson["attendance"].items()})
        self.shared[lesson["id"]] = shared
        return shared
