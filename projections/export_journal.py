"""Export records of the school year and the journal, written event by event.

Subjects, work types, periods, lessons, lesson changes and their details, current marks,
absences, period and year marks, homework (and each student's status), lesson and homework
materials. Each is written when its event is applied, with that event's position; a removed
mark or a cleared absence leaves a tombstone. What the derived records (statistics, diaries,
lesson counts) must recompute is told to `Touches`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.work_types import DUE_ON_LESSON_DAY
from projections.documents import Row
from projections.export_derived import Touches
from projections.export_payloads import (
    AbsencePayload,
    HomeworkPayload,
    HomeworkStudentPayload,
    LessonChangeDetailPayload,
    LessonChangePayload,
    LessonPayload,
    MarkPayload,
    MaterialPayload,
    PeriodMarkPayload,
    YearMarkPayload,
)
from projections.export_records import Records
from projections.export_schemas import PeriodPayload, SubjectPayload, WorkTypePayload
from projections.journal_catalogues import GRADEBOOK, SUBJECTS, WORK_TYPES, YEAR
from projections.journal_events import ABSENT, CHANGE_KINDS, STEP_STATUS, attendance, iso, s, sid
from projections.journal_state import WORK, JournalState
from projections.rosters import Doc

SUBJECT, WORK_TYPE, FILE, MATERIALS = "subject", "work_type", "file", "materials"
_STRUCTURE = frozenset({"Lesson.Cancelled", "Lesson.Reinstated", "Lesson.Moved",
                        "Lesson.SubjectChanged"})  # change a lesson's place in the statistics


def lesson_payload(doc: Doc) -> LessonPayload:
    return LessonPayload(
        lesson_id=doc["id"], school_id=doc["school_id"], academic_year=doc["year"],
        class_id=doc["class_id"], group_id=doc["group_id"], subject_id=doc["subject_id"],
        teacher_id=doc["teacher_id"], substitute_id=doc["substitute_id"], day=doc["day"],
        original_day=doc["original_day"], number=doc["number"], start=doc["start"],
        end=doc["end"], room=doc["room"], topic=doc["topic"], cancelled=doc["cancelled"],
        cancel_reason=doc["cancel_reason"], move_reason=doc["move_reason"])


class JournalExport:
    def __init__(self, state: JournalState, records: Records, touches: Touches) -> None:
        self.state, self.docs, self.records, self.touches = state, state.docs, records, touches
        self.prior: Doc | None = None  # the lesson before a change: where it was

    def handlers(self) -> dict[str, Callable[[int, Any], None]]:
        """Event -> handler (made for a batch, not kept: the exporter would hold
        itself through its own bound methods, a cycle only the cyclic collector frees)."""
        return {
            "SubjectCatalogue.SubjectAdded": self._subject,
            "SubjectCatalogue.SubjectRenamed": self._subject,
            "SubjectCatalogue.SubjectRetired": self._subject,
            "WorkTypeCatalogue.Opened": self._work_types,
            "WorkTypeCatalogue.WorkTypeAdded": self._work_types,
            "WorkTypeCatalogue.WorkTypeChanged": self._work_types,
            "WorkTypeCatalogue.WorkTypeRetired": self._work_types,
            "AcademicYear.AttestationPeriodsSet": self._periods,
            "AcademicYear.StudyPeriodsSet": self._periods,
            "Lesson.Scheduled": self._lesson, "Lesson.TopicSet": self._lesson,
            **dict.fromkeys(CHANGE_KINDS, self._lesson),
            "Lesson.MarkPlaced": self._mark, "Lesson.MarkChanged": self._mark,
            "Lesson.MarkRemoved": self._mark,
            "Lesson.AttendanceRecorded": self._absence,
            "Lesson.AttendanceOverridden": self._absence,
            "Lesson.AttendanceOverrideWithdrawn": self._absence,
            "Gradebook.GradeSet": self._grade, "Gradebook.GradeRemoved": self._grade,
            "Homework.Assigned": self._homework, **dict.fromkeys(STEP_STATUS, self._work_step),
            "StoredFile.Uploaded": self._file, "LessonMaterials.Opened": self._materials,
            "LessonMaterials.Attached": self._materials,
            "LessonMaterials.Detached": self._materials,
        }

    def before(self, event: Any) -> None:
        """Where a lesson stood before its change, and how many periods a year had."""
        name = type(event).__qualname__
        self.prior = None
        if name in CHANGE_KINDS:
            doc = self.state.lesson(sid(event.originator_id))
            self.prior = dict(doc) if doc else None
        elif name.startswith("AcademicYear."):
            year = self.docs.doc(YEAR, sid(event.originator_id))
            self.prior = {"attestation": len(year["periods"]) if year else 0,
                          "study": len(year.get("study", ())) if year else 0}

    # --- catalogues and the calendar -------------------------------------------------------

    def _subject(self, position: int, e: Any) -> None:
        catalogue = self.docs.doc(SUBJECTS, sid(e.originator_id))
        subject = getattr(e, "subject", None) or getattr(e, "new", None)
        subject_id = sid(subject.id) if subject else sid(e.subject_id)
        row = self.docs.get(SUBJECT, subject_id)
        if catalogue is None or (subject is None and row is None):
            return
        doc = {"name": subject.name, "short_name": subject.short_name,
               "retired": subject.retired} if subject else dict(row.doc, retired=True)  # type: ignore[union-attr]
        self.docs.put(SUBJECT, subject_id, Row(doc=doc, school_id=catalogue["school_id"]))
        self.records.upsert("subject", subject_id, catalogue["school_id"], None, SubjectPayload(
            school_id=catalogue["school_id"], subject_id=subject_id, **doc), position)

    def _work_types(self, position: int, e: Any) -> None:
        school_id = s(getattr(e, "school_id", None)) or (
            self.docs.doc(WORK_TYPES, sid(e.originator_id)) or {}).get("school_id")
        if school_id is None:
            return
        found = list(getattr(e, "work_types", ())) or [
            t for t in (getattr(e, "work_type", None), getattr(e, "new", None)) if t]
        docs = {sid(t.id): {"name": t.name, "weight": str(t.weight), "scale": str(t.scale),
                            "built_in": s(t.built_in), "retired": t.retired} for t in found}
        if not found:
            row = self.docs.get(WORK_TYPE, sid(e.work_type_id))
            if row is None:
                return
            docs = {sid(e.work_type_id): dict(row.doc, retired=True)}
        for type_id, doc in docs.items():
            self.docs.put(WORK_TYPE, type_id, Row(doc=doc, school_id=school_id))
            self.records.upsert("work_type", type_id, school_id, None, WorkTypePayload(
                school_id=school_id, work_type_id=type_id,
                due_on_lesson_day=doc["built_in"] in DUE_ON_LESSON_DAY, **doc), position)

    def _periods(self, position: int, e: Any) -> None:
        row = self.docs.get(YEAR, sid(e.originator_id))
        if row is None:
            return
        doc, kind = row.doc, "attestation" if hasattr(e, "kind") else "study"
        if kind == "study":
            doc["study"] = [{"name": p.name, "start": p.start.isoformat(),
                             "end": p.end.isoformat()} for p in e.periods]
            self.docs.put(YEAR, sid(e.originator_id), row)
        periods = doc["periods"] if kind == "attestation" else doc["study"]
        prefix = f"{doc['school_id']}:{doc['year']}:{kind}"
        for number, period in enumerate(periods, 1):
            self.records.upsert("period", f"{prefix}:{number}", doc["school_id"], None,
                                PeriodPayload(
                school_id=doc["school_id"], academic_year=doc["year"], kind=kind,  # type: ignore[arg-type]
                attestation_kind=doc["kind"] if kind == "attestation" else None, number=number,
                **period), position)
        for number in range(len(periods) + 1, (self.prior or {}).get(kind, 0) + 1):
            self.records.delete("period", f"{prefix}:{number}", position)
        if kind == "attestation":
            self.touches.periods_changed(doc, position)

    # --- lessons ---------------------------------------------------------------------------

    def _lesson(self, position: int, e: Any) -> None:
        name = type(e).__qualname__
        doc = self.state.lesson(sid(e.originator_id))
        if doc is None:
            return
        self.records.upsert("lesson", doc["id"], doc["school_id"], None, lesson_payload(doc),
                            position)
        structure = name == "Lesson.Scheduled" or name in _STRUCTURE
        if self.prior is not None and name in _STRUCTURE:
            self.touches.lesson(self.prior, None, position, stats=True)
        self.touches.lesson(doc, None, position, stats=structure)
        change = CHANGE_KINDS.get(name)
        if change is None:
            return
        kind, old, new = change(e)
        change_id = f"{doc['id']}:{position}"
        self.records.upsert("lesson_change", change_id, doc["school_id"], None,
                            LessonChangePayload(
            change_id=change_id, lesson_id=doc["id"], school_id=doc["school_id"], kind=kind,
            reason=e.reason, actor=e.actor, at=iso(e.timestamp), day=doc["day"]), position)
        for field, value in new.items():
            self.records.upsert(
                "lesson_change_detail", f"{change_id}:{field}", doc["school_id"], None,
                LessonChangeDetailPayload(change_id=change_id, lesson_id=doc["id"], field=field,
                                          old=old.get(field), new=value), position)

    def _mark(self, position: int, e: Any) -> None:
        doc = self.state.lesson(sid(e.originator_id))
        if doc is None:
            return
        mark_id, student = sid(e.mark_id), sid(e.student_id)
        mark = doc["marks"].get(mark_id)
        if mark is None:
            self.records.delete("mark", mark_id, position)
        else:
            self.records.upsert("mark", mark_id, doc["school_id"], student, MarkPayload(
                mark_id=mark_id, lesson_id=doc["id"], school_id=doc["school_id"],
                student_id=student, group_id=doc["group_id"], subject_id=doc["subject_id"],
                day=doc["day"], work_type_id=mark["work_type_id"], value=mark["value"],
                weight=mark["weight"], placed_at=mark["at"], teacher_id=mark["teacher_id"]),
                position, late=mark["late"])
        self.touches.lesson(doc, (student,), position, stats=True)

    def _absence(self, position: int, e: Any) -> None:
        doc = self.state.lesson(sid(e.originator_id))
        if doc is None:
            return
        student = sid(e.student_id)
        key, status = f"{doc['id']}:{student}", attendance(doc["attendance"].get(student))
        if status in ABSENT:
            self.records.upsert("absence", key, doc["school_id"], student, AbsencePayload(
                lesson_id=doc["id"], school_id=doc["school_id"], student_id=student,
                group_id=doc["group_id"], subject_id=doc["subject_id"], day=doc["day"],
                status=status), position)  # type: ignore[arg-type]
        else:
            self.records.delete("absence", key, position)
        self.touches.lesson(doc, (student,), position, stats=True)

    def _grade(self, position: int, e: Any) -> None:
        book = self.docs.doc(GRADEBOOK, sid(e.originator_id))
        if book is None:
            return
        student, kind = sid(e.student_id), str(e.kind)
        scope = e.period if kind == "period" else kind
        value = book["grades"].get(f"period:{e.period}" if kind == "period" else kind,
                                   {}).get(student)
        where = (f"{book['class_id']}:{book['subject_id']}:{book['year']}:{scope}:{student}")
        entity = "period_mark" if kind == "period" else "year_mark"
        common = {"school_id": book["school_id"], "class_id": book["class_id"],
                  "subject_id": book["subject_id"], "academic_year": book["year"],
                  "student_id": student}
        if value is None:
            self.records.delete(entity, where, position)
        elif kind == "period":
            self.records.upsert(entity, where, book["school_id"], student, PeriodMarkPayload(
                period=e.period, value=value, **common), position)
        else:
            self.records.upsert(entity, where, book["school_id"], student, YearMarkPayload(
                kind=kind, value=value, **common), position)  # type: ignore[arg-type]

    # --- homework and materials ------------------------------------------------------------

    def _homework(self, position: int, e: Any) -> None:
        doc = self.state.lesson(sid(e.lesson_id))
        if doc is None:
            return
        work = doc["homework"][sid(e.originator_id)]
        self.records.upsert("homework", work["id"], doc["school_id"], None, HomeworkPayload(
            homework_id=work["id"], lesson_id=doc["id"], school_id=doc["school_id"],
            group_id=doc["group_id"], subject_id=doc["subject_id"],
            teacher_id=work["teacher_id"], text=work["text"], due_date=work["due_date"],
            due_lesson_id=work["due_lesson_id"], duration_minutes=work["duration_minutes"],
            work_type_id=work["work_type_id"], needs_checking=work["needs_checking"],
            result_file_required=work["result_file_required"], individual=work["individual"],
            published_at=work["published_at"], timeliness=work["timeliness"]),
            position, late=work["timeliness"] == "late")
        for student in work["students"]:
            self._student_work(doc, work, student, position)
        for file_id in work["file_ids"]:
            self._material(doc["school_id"], "homework", work["id"], doc["id"], file_id,
                           position)
        self.touches.lesson(doc, list(work["students"]), position, stats=False)

    def _work_step(self, position: int, e: Any) -> None:
        pointer = self.docs.doc(WORK, sid(e.originator_id))
        doc = self.state.lesson(pointer["lesson_id"]) if pointer else None
        if doc is not None:
            student = sid(e.student_id)
            self._student_work(doc, doc["homework"][sid(e.originator_id)], student, position)
            self.touches.lesson(doc, (student,), position, stats=False)

    def _student_work(self, lesson: Doc, work: Doc, student: str, position: int) -> None:
        self.records.upsert("homework_student", f"{work['id']}:{student}", lesson["school_id"],
                            student, HomeworkStudentPayload(
            homework_id=work["id"], school_id=lesson["school_id"], student_id=student,
            status=work["students"][student], comments=work["comments"].get(student, 0)),
            position)

    def _file(self, position: int, e: Any) -> None:
        self.docs.put(FILE, sid(e.originator_id), Row(
            doc={"name": e.name, "content_type": e.content_type, "size": e.size,
                 "sha256": e.sha256}, school_id=str(e.school_id)))

    def _materials(self, position: int, e: Any) -> None:
        pk = sid(e.originator_id)
        if hasattr(e, "lesson_id"):
            self.docs.put(MATERIALS, pk, Row(doc={"lesson_id": str(e.lesson_id)},
                                             school_id=str(e.school_id)))
            return
        row = self.docs.get(MATERIALS, pk)
        if row is None or row.school_id is None:
            return
        lesson_id = row.doc["lesson_id"]
        if hasattr(e, "file_ids"):
            for file_id in e.file_ids:
                self._material(row.school_id, "lesson", lesson_id, lesson_id, sid(file_id),
                               position)
        else:
            self.records.delete("material", f"lesson:{lesson_id}:{e.file_id}", position)

    def _material(self, school_id: str, owner: str, owner_id: str, lesson_id: str,
                  file_id: str, position: int) -> None:
        file = self.docs.doc(FILE, file_id) or {}
        self.records.upsert("material", f"{owner}:{owner_id}:{file_id}", school_id, None,
                            MaterialPayload(
            school_id=school_id, owner=owner, owner_id=owner_id, lesson_id=lesson_id,  # type: ignore[arg-type]
            file_id=file_id, name=file.get("name"), content_type=file.get("content_type"),
            size=file.get("size"), sha256=file.get("sha256")), position)
