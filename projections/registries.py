"""Registries: schools, people, staff, students with their class, representatives, classes,
and which classes each teacher teaches in (for the access policy).

Also the export-readiness facts: a school's missing requisites, a person's identification gaps.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import msgspec

from domain.person import Documents, FullName, Sex, identification_gaps
from domain.personal_data import ERASED_VALUES
from domain.school import Requisites, missing_requisites
from projections.base import Positioned, Projection
from projections.documents import DocumentTable, Row
from projections.store import Tx

to_builtins = msgspec.to_builtins


def _name_sort(doc: dict[str, Any]) -> str:
    name = doc.get("name") or {}
    return " ".join(filter(None, (name.get("last"), name.get("first"), name.get("middle"))))


class Registries(Projection):
    name = "registries"
    version = 2  # 2: teaching assignments ("assignment", "teaches_in")

    def table_names(self) -> Sequence[str]:
        return ("view_registry",)

    def index_names(self) -> Sequence[str]:
        return DocumentTable.index_names(self.table("view_registry"))

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in DocumentTable.ddl(self.table("view_registry")):
            tx.execute(statement)

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = DocumentTable(tx, self.table("view_registry"))
        handlers = self._handlers()
        for _position, event in events:
            handler = handlers.get(type(event).__qualname__)
            if handler is not None:
                handler(docs, event)
        docs.flush()

    def _handlers(self) -> dict[str, Callable[[DocumentTable, Any], None]]:
        return {
            "School.Registered": self._school_registered,
            "School.RequisitesChanged": self._school_changed,
            "School.Renamed": self._school_changed,
            "School.TimeZoneChanged": self._school_changed,
            "School.ShiftsChanged": self._school_changed,
            "School.StaffAppointed": self._staff_appointed,
            "School.StaffDismissed": self._staff_dismissed,
            "Person.Registered": self._person_registered,
            "Person.PersonalDataCorrected": self._person_changed,
            "Person.DocumentsRecorded": self._person_changed,
            "Person.RepresentativeLinked": self._representative_linked,
            "Person.RepresentativeUnlinked": self._representative_unlinked,
            "Person.PlacedInClass": self._touch_person,
            "Person.ReleasedFromClass": self._touch_person,
            "Person.PersonalDataErased": self._person_erased,
            "EduGroup.Opened": self._group_opened,
            "EduGroup.HomeroomTeacherAssigned": self._homeroom_assigned,
            "EduGroup.StudentEnrolled": self._student_enrolled,
            "EduGroup.StudentLeft": self._student_left,
            "TeachingAssignment.Opened": self._assignment_opened,
            "TeachingAssignment.TeacherAssigned": self._teacher_assigned,
            "TeachingAssignment.TeacherRelieved": self._teacher_relieved,
        }

    # Schools -----------------------------------------------------------------

    def _school_registered(self, docs: DocumentTable, event: Any) -> None:
        doc = {
            "id": str(event.originator_id), "name": event.name, "time_zone": event.time_zone,
            "shifts": event.shifts, "requisites": to_builtins(event.requisites),
        }
        self._put_school(docs, doc, event)

    def _school_changed(self, docs: DocumentTable, event: Any) -> None:
        row = docs.get("school", str(event.originator_id))
        assert row is not None
        doc = dict(row.doc)
        for field in ("name", "time_zone", "shifts"):
            if hasattr(event, field):
                doc[field] = getattr(event, field)
        if hasattr(event, "requisites"):
            doc["requisites"] = to_builtins(event.requisites)
        self._put_school(docs, doc, event)

    def _put_school(self, docs: DocumentTable, doc: dict[str, Any], event: Any) -> None:
        missing = missing_requisites(msgspec.convert(doc["requisites"], Requisites))
        doc.update(missing=missing, ready=not missing, version=event.originator_version)
        school_id = str(event.originator_id)
        docs.put(
            "school", school_id,
            Row(doc=doc, school_id=school_id, sort=doc["name"], flag=int(not missing)),
        )

    def _staff_appointed(self, docs: DocumentTable, event: Any) -> None:
        school_id, person_id = str(event.originator_id), str(event.person_id)
        pk = f"{school_id}:{person_id}"
        row = docs.get("staff", pk)
        positions = set(row.doc["positions"]) if row else set()
        positions.add(str(event.position))
        person = docs.get("person", person_id)
        doc = {"school_id": school_id, "person_id": person_id, "positions": sorted(positions)}
        docs.put(
            "staff", pk,
            Row(doc=doc, school_id=school_id, ref=person_id,
                sort=_name_sort(person.doc) if person else ""),
        )
        self._school_version(docs, event)

    def _staff_dismissed(self, docs: DocumentTable, event: Any) -> None:
        school_id, person_id = str(event.originator_id), str(event.person_id)
        pk = f"{school_id}:{person_id}"
        row = docs.get("staff", pk)
        if row is not None:
            positions = set(row.doc["positions"]) - {str(event.position)}
            if positions:
                doc = dict(row.doc, positions=sorted(positions))
                docs.put("staff", pk,
                         Row(doc=doc, school_id=school_id, ref=person_id, sort=row.sort))
            else:
                docs.delete("staff", pk)
        self._school_version(docs, event)

    def _school_version(self, docs: DocumentTable, event: Any) -> None:
        row = docs.get("school", str(event.originator_id))
        if row is not None:
            row.doc["version"] = event.originator_version
            docs.put("school", str(event.originator_id), row)

    # People ------------------------------------------------------------------

    def _person_registered(self, docs: DocumentTable, event: Any) -> None:
        doc = {
            "id": str(event.originator_id), "name": to_builtins(event.name),
            "sex": event.sex, "birth_date": to_builtins(event.birth_date),
            "documents": to_builtins(event.documents), "representatives": {},
        }
        self._put_person(docs, doc, event)

    def _person_changed(self, docs: DocumentTable, event: Any) -> None:
        row = docs.get("person", str(event.originator_id))
        assert row is not None
        doc = dict(row.doc)
        if hasattr(event, "documents"):
            doc["documents"] = to_builtins(event.documents)
        else:
            doc.update(
                name=to_builtins(event.name), sex=event.sex,
                birth_date=to_builtins(event.birth_date),
            )
        self._put_person(docs, doc, event)
        # Names are sorted on in the staff and student registries.
        person_id = str(event.originator_id)
        for kind in ("staff", "student"):
            for pk, other in docs.find(kind, person_id):
                docs.put(kind, pk, Row(doc=other.doc, school_id=other.school_id, ref=other.ref,
                                       sort=_student_sort(other.doc, doc) if kind == "student"
                                       else _name_sort(doc)))

    def _touch_person(self, docs: DocumentTable, event: Any) -> None:
        row = docs.get("person", str(event.originator_id))
        if row is not None:
            row.doc["version"] = event.originator_version
            docs.put("person", str(event.originator_id), row)

    def _put_person(self, docs: DocumentTable, doc: dict[str, Any], event: Any) -> None:
        gaps = identification_gaps(
            msgspec.convert(doc["name"], FullName),
            Sex(doc["sex"]) if doc.get("sex") else None,
            event.birth_date if hasattr(event, "birth_date") else _date(doc.get("birth_date")),
            msgspec.convert(doc["documents"], Documents),
        )
        doc.update(gaps=gaps, ready=not gaps, version=event.originator_version)
        docs.put(
            "person", str(event.originator_id),
            Row(doc=doc, sort=_name_sort(doc), flag=int(not gaps)),
        )

    def _person_erased(self, docs: DocumentTable, event: Any) -> None:
        """Crypto-shredding: the person reads as erased, here and in every row sorted by
        their name (staff, student, and representative rows)."""
        person_id = str(event.originator_id)
        row = docs.get("person", person_id)
        doc = dict(row.doc) if row else {"id": person_id, "sex": None, "representatives": {}}
        doc.update(copy.deepcopy(ERASED_VALUES), erased=True, gaps=[ERASED_GAP], ready=False,
                   version=event.originator_version)
        docs.put("person", person_id, Row(doc=doc, sort=_name_sort(doc), flag=0))
        for kind in ("staff", "student"):
            for pk, other in docs.find(kind, person_id):
                docs.put(kind, pk, Row(doc=other.doc, school_id=other.school_id, ref=other.ref,
                                       sort=_student_sort(other.doc, doc) if kind == "student"
                                       else _name_sort(doc)))
        suffix = f":{person_id}"
        stored = docs.tx.fetchall(
            f"SELECT pk FROM {docs.table} WHERE kind = 'representative' AND pk LIKE ?",
            (f"%{suffix}",))
        pending = [pk for (kind, pk) in docs.rows if kind == "representative"]
        for pk in sorted({str(pk) for (pk,) in stored} | set(pending)):
            link = docs.get("representative", pk)
            if link is not None and pk.endswith(suffix):
                docs.put("representative", pk, Row(doc=link.doc, ref=link.ref,
                                                    sort=_name_sort(doc)))

    def _representative_linked(self, docs: DocumentTable, event: Any) -> None:
        student_id, rep_id = str(event.originator_id), str(event.representative_id)
        doc = {"student_id": student_id, "representative_id": rep_id, "kind": str(event.kind)}
        rep = docs.get("person", rep_id)
        docs.put(
            "representative", f"{student_id}:{rep_id}",
            Row(doc=doc, ref=student_id, sort=_name_sort(rep.doc) if rep else ""),
        )
        self._touch_person(docs, event)

    def _representative_unlinked(self, docs: DocumentTable, event: Any) -> None:
        docs.delete("representative", f"{event.originator_id}:{event.representative_id}")
        self._touch_person(docs, event)

    # Classes and roster ------------------------------------------------------

    def _group_opened(self, docs: DocumentTable, event: Any) -> None:
        group_id = str(event.originator_id)
        doc = {
            "id": group_id, "school_id": str(event.school_id),
            "academic_year": event.academic_year, "name": event.name,
            "parallel": event.parallel, "kind": str(event.kind),
            "parent_id": str(event.parent_id) if event.parent_id else None,
            "homeroom_teacher_id": None, "roster": [], "version": event.originator_version,
        }
        docs.put(
            "group", group_id,
            Row(doc=doc, school_id=doc["school_id"], sort=_group_sort(doc)),
        )

    def _group(self, docs: DocumentTable, event: Any) -> tuple[str, Row]:
        group_id = str(event.originator_id)
        row = docs.get("group", group_id)
        assert row is not None
        row.doc["version"] = event.originator_version
        return group_id, row

    def _homeroom_assigned(self, docs: DocumentTable, event: Any) -> None:
        group_id, row = self._group(docs, event)
        row.doc["homeroom_teacher_id"] = str(event.teacher_id) if event.teacher_id else None
        docs.put("group", group_id, row)

    def _student_enrolled(self, docs: DocumentTable, event: Any) -> None:
        group_id, row = self._group(docs, event)
        student_id = str(event.student_id)
        row.doc["roster"].append(
            {"student_id": student_id, "start": event.on.isoformat(), "end": None}
        )
        docs.put("group", group_id, row)
        if row.doc["kind"] == "class":
            person = docs.get("person", student_id)
            doc = {
                "person_id": student_id, "class_id": group_id, "class_name": row.doc["name"],
                "academic_year": row.doc["academic_year"], "since": event.on.isoformat(),
            }
            docs.put(
                "student", student_id,
                Row(doc=doc, school_id=row.school_id, ref=student_id,
                    sort=_student_sort(doc, person.doc if person else {})),
            )

    def _student_left(self, docs: DocumentTable, event: Any) -> None:
        group_id, row = self._group(docs, event)
        student_id = str(event.student_id)
        for stint in reversed(row.doc["roster"]):
            if stint["student_id"] == student_id and stint["end"] is None:
                stint["end"] = event.on.isoformat()
                break
        docs.put("group", group_id, row)
        current = docs.get("student", student_id)
        if row.doc["kind"] == "class" and current and current.doc["class_id"] == group_id:
            docs.delete("student", student_id)

    # Teaching ----------------------------------------------------------------

    def _assignment_opened(self, docs: DocumentTable, event: Any) -> None:
        group_id = str(event.group_id)
        group = docs.get("group", group_id)
        parent = group.doc["parent_id"] if group else None
        doc = {"group_id": group_id, "subject_id": str(event.subject_id),
               "class_id": parent or group_id}
        docs.put("assignment", str(event.originator_id),
                 Row(doc=doc, school_id=str(event.school_id)))

    def _teacher_assigned(self, docs: DocumentTable, event: Any) -> None:
        self._teaching(docs, event, add=True)

    def _teacher_relieved(self, docs: DocumentTable, event: Any) -> None:
        self._teaching(docs, event, add=False)

    def _teaching(self, docs: DocumentTable, event: Any, add: bool) -> None:
        """`teaches_in` {teacher}:{class}: the subjects the teacher currently teaches in the
        class or its subgroups, by group; gone when they teach nothing there."""
        assignment = docs.get("assignment", str(event.originator_id))
        assert assignment is not None
        teacher_id, class_id = str(event.teacher_id), assignment.doc["class_id"]
        group_id, subject_id = assignment.doc["group_id"], assignment.doc["subject_id"]
        pk = f"{teacher_id}:{class_id}"
        row = docs.get("teaches_in", pk)
        groups: dict[str, list[str]] = dict(row.doc["groups"]) if row else {}
        subjects = set(groups.get(group_id, ())) - {subject_id}
        groups[group_id] = sorted(subjects | ({subject_id} if add else set()))
        groups = {group: subjects for group, subjects in groups.items() if subjects}
        if groups:
            doc = {"teacher_id": teacher_id, "class_id": class_id, "groups": groups}
            docs.put("teaches_in", pk,
                     Row(doc=doc, school_id=assignment.school_id, ref=teacher_id, sort=pk))
        else:
            docs.delete("teaches_in", pk)


ERASED_GAP = "персональные данные удалены"


def _group_sort(doc: dict[str, Any]) -> str:
    return f"{doc['academic_year']}|{doc['parallel']:02d}|{doc['name']}"


def _student_sort(student: dict[str, Any], person: dict[str, Any]) -> str:
    return f"{student.get('class_name', '')}|{_name_sort(person)}"


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value
