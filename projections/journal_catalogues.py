"""Names, attestation periods and gradebooks as the journal projections keep them."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, ClassVar
from uuid import UUID

from domain.subjects import SubjectCatalogue
from domain.work_types import BUILT_IN, WorkTypeCatalogue, built_in_work_type_id
from projections.documents import Row
from projections.journal_events import s
from projections.rosters import Doc
from projections.state import StateDocs

SUBJECTS, WORK_TYPES, YEAR, GRADEBOOK = "subjects", "work_types", "year", "gradebook"


@lru_cache(maxsize=1024)
def catalogue_ids(school_id: str) -> tuple[str, str]:
    school = UUID(school_id)
    return str(SubjectCatalogue.create_id(school)), str(WorkTypeCatalogue.create_id(school))


@lru_cache(maxsize=1024)
def built_in_types(school_id: str) -> dict[str, Doc]:
    """A school's built-in work types: their ids derive from the school, so are always known."""
    return {str(built_in_work_type_id(UUID(school_id), kind)):
            {"name": name, "weight": str(weight), "built_in": kind.value}
            for kind, name, weight in BUILT_IN}


class CatalogueHandlers:
    """Subjects and work types (names), academic years (periods), gradebooks (period marks)."""

    docs: StateDocs
    renamed: set[tuple[str, str]]

    def subject_name(self, school_id: str, subject_id: str) -> str | None:
        names = self.docs.doc(SUBJECTS, catalogue_ids(school_id)[0])
        return names["names"].get(subject_id) if names else None

    def work_type(self, school_id: str, work_type_id: str) -> Doc | None:
        types = self.docs.doc(WORK_TYPES, catalogue_ids(school_id)[1])
        found = types["types"].get(work_type_id) if types else None
        return found or built_in_types(school_id).get(work_type_id)

    def prefetch_names(self, school_ids: Any) -> None:
        ids = [catalogue_ids(school) for school in set(school_ids)]
        self.docs.prefetch(SUBJECTS, (subjects for subjects, _ in ids))
        self.docs.prefetch(WORK_TYPES, (types for _, types in ids))

    def _catalogue_opened(self, e: Any) -> None:
        school_id = str(e.school_id)
        if type(e).__qualname__.startswith("Subject"):
            self.docs.put(SUBJECTS, str(e.originator_id), Row(
                doc={"school_id": school_id, "names": {}}, school_id=school_id))
            return
        types = {str(t.id): {"name": t.name, "weight": str(t.weight),
                             "built_in": s(t.built_in)} for t in e.work_types}
        self.docs.put(WORK_TYPES, str(e.originator_id), Row(
            doc={"school_id": school_id, "types": types}, school_id=school_id))

    def _named(self, kind: str, e: Any, key: str, item_id: str, value: Any) -> None:
        row = self.docs.get(kind, str(e.originator_id))
        if row is not None:
            if item_id in row.doc[key] and row.doc[key][item_id] != value:
                self.renamed.add((row.doc["school_id"], item_id))
            row.doc[key][item_id] = value
            self.docs.put(kind, str(e.originator_id), row)

    def _subject(self, e: Any) -> None:
        subject = getattr(e, "subject", None) or e.new
        self._named(SUBJECTS, e, "names", str(subject.id), subject.name)

    def _work_type(self, e: Any) -> None:
        t = getattr(e, "work_type", None) or e.new
        self._named(WORK_TYPES, e, "types", str(t.id),
                    {"name": t.name, "weight": str(t.weight), "built_in": s(t.built_in)})

    def _year_opened(self, e: Any) -> None:
        school_id = str(e.school_id)
        self.docs.put(YEAR, str(e.originator_id), Row(
            doc={"school_id": school_id, "year": e.year, "kind": None, "periods": []},
            school_id=school_id, ref=school_id, sort=str(e.year)))

    def _periods(self, e: Any) -> None:
        row = self.docs.get(YEAR, str(e.originator_id))
        if row is not None:
            row.doc["kind"] = str(e.kind)
            row.doc["periods"] = [{"name": p.name, "start": p.start.isoformat(),
                                   "end": p.end.isoformat()} for p in e.periods]
            self.docs.put(YEAR, str(e.originator_id), row)

    def _gradebook_opened(self, e: Any) -> None:
        doc = {"school_id": str(e.school_id), "class_id": str(e.class_id),
               "subject_id": str(e.subject_id), "year": e.academic_year, "grades": {}}
        self.docs.put(GRADEBOOK, str(e.originator_id), Row(
            doc=doc, school_id=doc["school_id"], ref=f"{doc['class_id']}|{doc['subject_id']}"))

    def _grade(self, e: Any) -> None:
        row = self.docs.get(GRADEBOOK, str(e.originator_id))
        if row is not None:
            key = f"period:{e.period}" if e.period is not None else str(e.kind)
            marks = row.doc["grades"].setdefault(key, {})
            if type(e).__qualname__.endswith("GradeSet"):
                marks[str(e.student_id)] = e.new_value
            else:
                marks.pop(str(e.student_id), None)
            self.docs.put(GRADEBOOK, str(e.originator_id), row)

    # event -> handler, by part; plain functions called with the state (see JournalState)
    CATALOGUES: ClassVar[dict[str, Callable[[Any, Any], None]]] = {
        "SubjectCatalogue.Opened": _catalogue_opened,
        "SubjectCatalogue.SubjectAdded": _subject,
        "SubjectCatalogue.SubjectRenamed": _subject,
        "WorkTypeCatalogue.Opened": _catalogue_opened,
        "WorkTypeCatalogue.WorkTypeAdded": _work_type,
        "WorkTypeCatalogue.WorkTypeChanged": _work_type}
    YEARS: ClassVar[dict[str, Callable[[Any, Any], None]]] = {
        "AcademicYear.Opened": _year_opened, "AcademicYear.AttestationPeriodsSet": _periods}
    GRADES: ClassVar[dict[str, Callable[[Any, Any], None]]] = {
        "Gradebook.Opened": _gradebook_opened, "Gradebook.GradeSet": _grade,
        "Gradebook.GradeRemoved": _grade}
