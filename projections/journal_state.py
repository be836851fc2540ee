"""The journal as the read side keeps it: groups, lessons with their journal, homework, names.

Each journal projection keeps its own copy (its own table, so it rebuilds alone) and picks the
parts it needs. Applying a batch leaves, besides the documents, what it touched: lessons (all
their students, or some), the (group, day) places a lesson held, students whose roster moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from projections.base import Positioned
from projections.documents import Row
from projections.journal_catalogues import (
    GRADEBOOK,
    SUBJECTS,
    WORK_TYPES,
    YEAR,
    CatalogueHandlers,
)
from projections.journal_events import CHANGE_KINDS, COMMENTED, STEP_STATUS, hm, iso, s, sid
from projections.rosters import Doc, lesson_sort
from projections.state import StateDocs

ROSTER, LESSONS, JOURNAL, HOMEWORK = "roster", "lessons", "journal", "homework"
MARKS, ATTENDANCE = "marks", "attendance"  # the two halves of JOURNAL, for who needs one
NAMES, YEARS, GRADES, CHANGES = "names", "years", "grades", "changes"
GROUP, STUDENT, LESSON, WORK = "group", "student", "lesson", "homework"
# Called with the state and the event: plain functions, not bound methods kept on the state,
# which would make each batch's state (and every document it loaded) a reference cycle, freed
# only by the cyclic collector's walk over all of it instead of at once when the batch ends.
Handler = Callable[[Any, Any], None]
# Which documents an aggregate's events load, and the part that needs them.
_PREFETCH = {"Lesson": (LESSON, LESSONS), "EduGroup": (GROUP, ROSTER),
             "Homework": (WORK, HOMEWORK), "SubjectCatalogue": (SUBJECTS, NAMES),
             "WorkTypeCatalogue": (WORK_TYPES, NAMES), "AcademicYear": (YEAR, YEARS),
             "Gradebook": (GRADEBOOK, GRADES)}


def by_group(lesson: Doc) -> str:
    return str(lesson["group_id"])


class JournalState(CatalogueHandlers):
    def __init__(self, docs: StateDocs, parts: Iterable[str],
                 lesson_ref: Callable[[Doc], str] = by_group,
                 keep_mark: Callable[[str, str], bool] | None = None) -> None:
        """`keep_mark(school_id, work_type_id)`: which placed marks to keep (default all)."""
        self.docs, self.lesson_ref, self.keep_mark = docs, lesson_ref, keep_mark
        self.parts = frozenset(parts)
        if JOURNAL in self.parts:
            self.parts |= {MARKS, ATTENDANCE}
        self.touched: dict[str, set[str] | None] = {}  # lesson -> students (None: everyone)
        self.places: dict[str, set[tuple[str, str]]] = {}  # lesson -> (group, day) held
        self.roster_moves: dict[str, str] = {}  # student -> earliest day their roster moved
        self.renamed: set[tuple[str, str]] = set()  # (school, subject or work type) renamed
        self.pending: dict[str, Doc] = {}  # lessons changed, their rows built at `finish`
        self.handlers = {name: handler for part, handlers in self.HANDLERS.items()
                         if part in self.parts for name, handler in handlers.items()}
        # Per event class, looked up once: its handler, and what its events make prefetch.
        self._by_type: dict[type, Handler | None] = {}
        self._plans: dict[type, tuple[str, bool, bool] | None] = {}

    def apply_all(self, events: Sequence[Positioned]) -> None:
        self.prefetch(events)
        self.apply_each(events)
        self.finish()

    def apply_each(self, events: Sequence[Positioned]) -> None:
        """`apply` to each event, in order (inlined: it runs once per event per projection)."""
        by_type, handlers = self._by_type, self.handlers
        for _position, event in events:
            cls = type(event)
            try:
                handler = by_type[cls]
            except KeyError:
                handler = by_type[cls] = handlers.get(cls.__qualname__)
            if handler is not None:
                handler(self, event)

    def finish(self) -> None:
        """Put the changed lessons' rows (their ref and sort follow the lesson)."""
        for lesson_id, doc in self.pending.items():
            self.docs.put(LESSON, lesson_id, Row(
                doc=doc, school_id=doc["school_id"], ref=self.lesson_ref(doc),
                sort=lesson_sort(doc["day"], doc["number"]), flag=int(doc["cancelled"])))
        self.pending.clear()

    def apply(self, event: Any) -> bool:
        cls = type(event)
        try:
            handler = self._by_type[cls]
        except KeyError:
            handler = self._by_type[cls] = self.handlers.get(cls.__qualname__)
        if handler is not None:
            handler(self, event)
        return handler is not None

    def _plan(self, event: Any) -> tuple[str, bool, bool] | None:
        """(kind of the originator's document, has a student, is Homework.Assigned)."""
        name = type(event).__qualname__
        kind, part = _PREFETCH.get(name.partition(".")[0], ("", ""))
        if part not in self.parts or name not in self.handlers:
            return None
        return kind, kind == GROUP and hasattr(event, "student_id"), name == "Homework.Assigned"

    def prefetch(self, events: Sequence[Positioned]) -> None:
        wanted: dict[str, set[str]] = {}
        plans = self._plans
        for _position, event in events:
            cls = type(event)
            try:
                plan = plans[cls]
            except KeyError:
                plan = plans[cls] = self._plan(event)
            if plan is None:
                continue
            kind, student, assigned = plan
            found = wanted.get(kind)
            if found is None:
                found = wanted[kind] = set()
            found.add(sid(event.originator_id))
            if student:
                wanted.setdefault(STUDENT, set()).add(sid(event.student_id))
            if assigned:
                wanted.setdefault(LESSON, set()).add(sid(event.lesson_id))
        for kind, pks in wanted.items():
            self.docs.prefetch(kind, pks)
        pointers = (self.docs.doc(WORK, pk) for pk in wanted.get(WORK, ()))
        self.docs.prefetch(LESSON, {doc["lesson_id"] for doc in pointers if doc})

    # --- reading ---------------------------------------------------------------------

    def lesson(self, lesson_id: str) -> Doc | None:
        return self.pending.get(lesson_id) or self.docs.doc(LESSON, lesson_id)

    def group(self, group_id: str) -> tuple[Doc | None, Doc | None]:
        """A group and, for a subgroup, its class."""
        group = self.docs.doc(GROUP, group_id)
        return group, (self.docs.doc(GROUP, group["parent_id"]) if group else None)

    # --- groups and rosters ------------------------------------------------------------

    def _group_opened(self, e: Any) -> None:
        doc = {"id": sid(e.originator_id), "school_id": str(e.school_id), "year": e.academic_year,
               "name": e.name, "kind": str(e.kind), "parent_id": s(e.parent_id), "roster": {}}
        self.docs.put(GROUP, doc["id"], Row(doc=doc, school_id=doc["school_id"],
                                            ref=doc["parent_id"], sort=e.name))

    def _roster(self, e: Any) -> tuple[Row, list[list[Any]], str] | None:
        row = self.docs.get(GROUP, sid(e.originator_id))
        if row is None:
            return None
        student, day = sid(e.student_id), e.on.isoformat()
        self.roster_moves[student] = min(day, self.roster_moves.get(student, day))
        self.docs.put(GROUP, sid(e.originator_id), row)
        return row, row.doc["roster"].setdefault(student, []), student

    def _enrolled(self, e: Any) -> None:
        found = self._roster(e)
        if found is not None:
            row, stints, student = found
            stints.append([e.on.isoformat(), None])
            current = self.docs.get(STUDENT, student)
            groups = current.doc["groups"] if current else []
            if row.doc["id"] not in groups:
                groups.append(row.doc["id"])
            self.docs.put(STUDENT, student, Row(doc={"groups": groups}, school_id=row.school_id))

    def _left(self, e: Any) -> None:
        found = self._roster(e)
        if found is not None and found[1] and found[1][-1][1] is None:
            found[1][-1][1] = e.on.isoformat()

    # --- lessons -----------------------------------------------------------------------

    def put_lesson(self, doc: Doc) -> None:
        self.pending[doc["id"]] = doc

    def touch(self, doc: Doc, students: Iterable[str] | None) -> None:
        lesson_id = doc["id"]
        self._place(lesson_id, doc)
        if students is None:
            self.touched[lesson_id] = None
        elif lesson_id not in self.touched:
            self.touched[lesson_id] = set(students)
        else:
            known = self.touched[lesson_id]
            if known is not None:
                known.update(students)

    def _place(self, lesson_id: str, doc: Doc) -> None:
        places = self.places.get(lesson_id)
        if places is None:
            places = self.places[lesson_id] = set()
        places.add((doc["group_id"], doc["day"]))

    def _student_changed(self, doc: Doc, student: str) -> None:
        """`put_lesson` and `touch(doc, (student,))`: one per mark or attendance event, so
        without the tuple and the set it would build."""
        lesson_id = doc["id"]
        self.pending[lesson_id] = doc
        self._place(lesson_id, doc)
        touched = self.touched
        if lesson_id not in touched:
            touched[lesson_id] = {student}
        else:
            known = touched[lesson_id]
            if known is not None:
                known.add(student)

    def _scheduled(self, e: Any) -> None:
        day = e.day.isoformat()
        doc = {"id": sid(e.originator_id), "school_id": sid(e.school_id),
               "year": e.academic_year, "class_id": sid(e.class_id), "group_id": sid(e.group_id),
               "subject_id": sid(e.subject_id), "teacher_id": sid(e.teacher_id),
               "substitute_id": None, "day": day, "original_day": day, "number": e.number,
               "start": hm(e.start), "end": hm(e.end), "room": e.room, "topic": e.topic,
               "cancelled": False, "cancel_reason": None, "move_reason": None, "changes": [],
               "marks": {}, "attendance": {}, "homework": {}}
        self.put_lesson(doc)
        self.touch(doc, None)

    def _topic(self, e: Any) -> None:
        doc = self.lesson(sid(e.originator_id))
        if doc is not None:
            doc["topic"] = e.new_topic
            self.put_lesson(doc)
            self.touch(doc, None)

    def _changed(self, e: Any) -> None:
        doc = self.lesson(sid(e.originator_id))
        if doc is None:
            return
        kind, old, new = CHANGE_KINDS[type(e).__qualname__](e)
        self.touch(doc, None)
        doc.update(new)
        if kind in ("cancellation", "reinstatement"):
            doc["cancel_reason"] = e.reason if doc["cancelled"] else None
        elif kind == "move":
            doc["move_reason"] = e.reason if doc["day"] != doc["original_day"] else None
        if CHANGES in self.parts:
            doc["changes"].append({"kind": kind, "old": old, "new": new, "reason": e.reason,
                                   "actor": e.actor, "at": iso(e.timestamp)})
        self.put_lesson(doc)
        self.touch(doc, None)

    def _mark_placed(self, e: Any) -> None:
        doc = self.lesson(sid(e.originator_id))
        if doc is None:
            return
        work_type_id = sid(e.work_type_id)
        if self.keep_mark is not None and not self.keep_mark(doc["school_id"], work_type_id):
            return
        student = sid(e.student_id)
        doc["marks"][sid(e.mark_id)] = {
            "student_id": student, "work_type_id": work_type_id,
            "value": e.value, "weight": str(e.weight), "late": e.late, "at": iso(e.placed_at),
            "teacher_id": doc["substitute_id"] or doc["teacher_id"],
        }
        self._student_changed(doc, student)

    def _mark_changed(self, e: Any) -> None:
        doc = self.lesson(sid(e.originator_id))
        if doc is None:
            return
        mark_id = sid(e.mark_id)
        if self.keep_mark is not None and mark_id not in doc["marks"]:
            return  # a mark not kept
        doc["marks"][mark_id]["value"] = e.new_value
        self._student_changed(doc, sid(e.student_id))

    def _mark_removed(self, e: Any) -> None:
        doc = self.lesson(sid(e.originator_id))
        if doc is not None:
            doc["marks"].pop(sid(e.mark_id), None)
            self._student_changed(doc, sid(e.student_id))

    def _attendance(self, e: Any) -> None:
        doc = self.lesson(sid(e.originator_id))
        if doc is None:
            return
        name = type(e).__qualname__
        field = "teacher" if name == "Lesson.AttendanceRecorded" else "override"
        student = sid(e.student_id)
        entry = doc["attendance"].get(student)
        if entry is None:
            entry = doc["attendance"][student] = {"teacher": None, "override": None}
        entry[field] = None if name.endswith("Withdrawn") else str(e.new)
        self._student_changed(doc, student)

    # --- homework ----------------------------------------------------------------------

    def _assigned(self, e: Any) -> None:
        doc = self.lesson(sid(e.lesson_id))
        if doc is None:
            return
        homework_id, students = sid(e.originator_id), [sid(x) for x in e.student_ids]
        doc["homework"][homework_id] = {
            "id": homework_id, "text": e.text, "file_ids": [sid(x) for x in e.file_ids],
            "due_lesson_id": s(e.due_lesson_id), "due_date": e.due_date.isoformat(),
            "result_file_required": e.result_file_required,
            "duration_minutes": e.duration_minutes, "work_type_id": s(e.work_type_id),
            "needs_checking": e.needs_checking, "individual": e.individual,
            "published_at": iso(e.published_at), "timeliness": str(e.timeliness),
            "teacher_id": doc["substitute_id"] or doc["teacher_id"],
            "students": dict.fromkeys(students, "assigned"), "comments": {},
        }
        self.docs.put(WORK, homework_id, Row(doc={"lesson_id": doc["id"]},
                                             school_id=doc["school_id"], ref=doc["id"]))
        self.put_lesson(doc)
        self.touch(doc, students)

    def _work_step(self, e: Any) -> None:
        pointer = self.docs.doc(WORK, sid(e.originator_id))
        doc = self.lesson(pointer["lesson_id"]) if pointer else None
        if doc is None:
            return
        homework, student = doc["homework"][sid(e.originator_id)], sid(e.student_id)
        status = STEP_STATUS[type(e).__qualname__]
        if status is not None:
            homework["students"][student] = status
        if type(e).__qualname__ in COMMENTED:
            homework["comments"][student] = homework["comments"].get(student, 0) + 1
        self.put_lesson(doc)
        self.touch(doc, (student,))

    HANDLERS: ClassVar[dict[str, dict[str, Handler]]] = {  # part -> event -> handler
        ROSTER: {"EduGroup.Opened": _group_opened, "EduGroup.StudentEnrolled": _enrolled,
                 "EduGroup.StudentLeft": _left},
        LESSONS: {"Lesson.Scheduled": _scheduled, "Lesson.TopicSet": _topic,
                  **dict.fromkeys(CHANGE_KINDS, _changed)},
        MARKS: {"Lesson.MarkPlaced": _mark_placed, "Lesson.MarkChanged": _mark_changed,
                "Lesson.MarkRemoved": _mark_removed},
        ATTENDANCE: dict.fromkeys(("Lesson.AttendanceRecorded", "Lesson.AttendanceOverridden",
                                   "Lesson.AttendanceOverrideWithdrawn"), _attendance),
        HOMEWORK: {"Homework.Assigned": _assigned, **dict.fromkeys(STEP_STATUS, _work_step)},
        NAMES: CatalogueHandlers.CATALOGUES,
        YEARS: CatalogueHandlers.YEARS,
        GRADES: CatalogueHandlers.GRADES,
    }
