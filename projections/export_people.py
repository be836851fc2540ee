"""Export records of schools and people: school, person (identification), teacher, student,
legal representative, class; and the gates that hold a school or a person back.

A person is exported per school they belong to (as staff, as a student of one of its groups,
or as the representative of such a student): each school gets the person's identification
record. Held people and schools are still written; their gates keep them out of deltas.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import msgspec

from domain.errors import InvalidValue
from domain.person import Documents, FullName, Sex, identification_gaps
from domain.personal_data import ERASED_VALUES
from domain.school import Requisites, missing_requisites, validated_requisites
from projections.documents import Row
from projections.export_records import Records
from projections.export_schemas import (
    ClassPayload,
    IdentityDocument,
    PersonPayload,
    RepresentativePayload,
    SchoolPayload,
    Stint,
    StudentPayload,
    TeacherPayload,
)
from projections.journal_events import s, sid
from projections.journal_state import GROUP
from projections.rosters import Doc
from projections.state import StateDocs

SCHOOL, PERSON = "school", "person"
UNREGISTERED = "не зарегистрирован"
to_builtins = msgspec.to_builtins


def school_gaps(requisites: Doc) -> list[str]:
    """The seed's requisites the school lacks, and any that does not validate."""
    value = msgspec.convert(requisites, Requisites)
    gaps = missing_requisites(value)
    try:
        validated_requisites(value)
    except InvalidValue as error:
        gaps.append(f"неверное значение: {error.detail}")
    return gaps


def person_gaps(doc: Doc) -> list[str]:
    born = doc.get("birth_date")
    return identification_gaps(
        msgspec.convert(doc["name"], FullName), Sex(doc["sex"]) if doc.get("sex") else None,
        date.fromisoformat(born) if born else None, msgspec.convert(doc["documents"], Documents))


def one_document(documents: Doc) -> IdentityDocument | None:
    """The seed's one document: a passport or birth certificate with its issue date, or СНИЛС."""
    for kind in ("passport", "birth_certificate"):
        found = documents.get(kind)
        if found and found.get("issued_on"):
            return IdentityDocument(kind=kind, number=found["number"], series=found["series"],
                                    issued_on=found["issued_on"],
                                    issued_by=found.get("issued_by"))
    snils = documents.get("snils")
    return IdentityDocument(kind="snils", number=snils) if snils else None


def full_name(doc: Doc) -> str:
    name = doc.get("name") or {}
    return " ".join(filter(None, (name.get("last"), name.get("first"), name.get("middle"))))


class PeopleExport:
    def __init__(self, docs: StateDocs, records: Records) -> None:
        self.docs, self.records = docs, records
        self.dirty: set[tuple[str, str]] = set()  # gates to write at the end of the batch

    def handlers(self) -> dict[str, Callable[[int, Any], None]]:
        """Event -> handler (made for a batch, not kept: the exporter would hold
        itself through its own bound methods, a cycle only the cyclic collector frees)."""
        return {
            "School.Registered": self._school, "School.RequisitesChanged": self._school,
            "School.Renamed": self._school, "School.TimeZoneChanged": self._school,
            "School.ShiftsChanged": self._school,
            "School.StaffAppointed": self._staff, "School.StaffDismissed": self._staff,
            "Person.Registered": self._person, "Person.PersonalDataCorrected": self._person,
            "Person.DocumentsRecorded": self._person,
            "Person.RepresentativeLinked": self._linked,
            "Person.RepresentativeUnlinked": self._unlinked,
            "Person.PersonalDataErased": self._erased,
            "EduGroup.Opened": self._group, "EduGroup.HomeroomTeacherAssigned": self._group,
            "EduGroup.StudentEnrolled": self._member, "EduGroup.StudentLeft": self._member,
        }

    # --- schools -------------------------------------------------------------------------

    def _school(self, position: int, e: Any) -> None:
        school_id = sid(e.originator_id)
        row = self.docs.get(SCHOOL, school_id)
        doc: Doc = row.doc if row else {"id": school_id, "missing": ["?"]}
        was_ready = not doc["missing"]
        for field in ("name", "time_zone", "shifts"):
            if hasattr(e, field):
                doc[field] = getattr(e, field)
        if hasattr(e, "requisites"):
            doc["requisites"] = to_builtins(e.requisites)
        doc["missing"] = school_gaps(doc["requisites"])
        self.docs.put(SCHOOL, school_id, Row(doc=doc, school_id=school_id))
        self.dirty.add((SCHOOL, school_id))
        r = doc["requisites"]
        self.records.upsert("school", school_id, school_id, None, SchoolPayload(
            school_id=school_id, name=doc["name"], time_zone=doc["time_zone"],
            shifts=doc["shifts"], **{k: r.get(k) for k in (
                "ogrn", "okpo", "inn", "kpp", "okopf", "founder", "okato", "oktmo")},
            phones=list(r.get("phones", ()))), position)
        if not was_ready and not doc["missing"]:
            self.records.open_gate(SCHOOL, school_id, position)

    def _staff(self, position: int, e: Any) -> None:
        school_id, person_id = sid(e.originator_id), sid(e.person_id)
        row = self.person(person_id)
        held = set(row.doc["staff"].get(school_id, ()))
        if type(e).__qualname__.endswith("Appointed"):
            held.add(str(e.position))
            self.join(row, school_id, "staff", position)
        else:
            held.discard(str(e.position))
        row.doc["staff"][school_id] = sorted(held)
        self.docs.put(PERSON, person_id, row)
        key = f"{school_id}:{person_id}"
        if held:
            self.records.upsert("teacher", key, school_id, person_id, TeacherPayload(
                school_id=school_id, person_id=person_id, positions=sorted(held)), position)
        else:
            self.records.delete("teacher", key, position)

    # --- people --------------------------------------------------------------------------

    def person(self, person_id: str) -> Row:
        """A person's document; one named before it was registered gets a placeholder."""
        row = self.docs.get(PERSON, person_id)
        if row is None:
            row = Row(doc={"id": person_id, "gaps": [UNREGISTERED], "schools": {}, "staff": {},
                           "representatives": {}})
            self.dirty.add((PERSON, person_id))
        return row

    def _person(self, position: int, e: Any) -> None:
        person_id = sid(e.originator_id)
        row = self.person(person_id)
        doc = row.doc
        was_ready = not doc["gaps"]
        if hasattr(e, "documents"):
            doc["documents"] = to_builtins(e.documents)
        if hasattr(e, "name"):
            doc.update(name=to_builtins(e.name), sex=s(e.sex), birth_date=to_builtins(e.birth_date))
        doc["gaps"] = person_gaps(doc)
        self.docs.put(PERSON, person_id, row)
        self.dirty.add((PERSON, person_id))
        for school_id in doc["schools"]:
            self.emit_person(doc, school_id, position)
        if was_ready != (not doc["gaps"]) and not doc["gaps"]:
            self.records.open_gate(PERSON, person_id, position)

    def _erased(self, position: int, e: Any) -> None:
        """Crypto-shredding: the receivers delete the person's identification (tombstones,
        through a gate left open for them); every record about the person moves up to here,
        so the live rows equal those a replay (which reads the person as erased) gives."""
        row = self.person(sid(e.originator_id))
        doc = row.doc
        doc.update(copy.deepcopy(ERASED_VALUES), erased=True, gaps=[])
        self.docs.put(PERSON, doc["id"], row)
        self.dirty.add((PERSON, doc["id"]))
        for school_id in doc["schools"]:
            self.records.tombstone("person", f"{school_id}:{doc['id']}", school_id, doc["id"],
                                   position)
        self.records.open_gate(PERSON, doc["id"], position)

    def emit_person(self, doc: Doc, school_id: str, position: int) -> None:
        if "name" not in doc or doc.get("erased"):
            return  # not registered yet (its registration emits it), or erased
        name = doc["name"]
        self.records.upsert("person", f"{school_id}:{doc['id']}", school_id, doc["id"],
                            PersonPayload(
            school_id=school_id, person_id=doc["id"], last_name=name["last"],
            first_name=name["first"], middle_name=name.get("middle"), sex=doc["sex"],
            birth_date=doc["birth_date"], document=one_document(doc["documents"]),
            snils=doc["documents"].get("snils")), position)

    def join(self, row: Row, school_id: str, role: str, position: int) -> None:
        """The person belongs to the school (in `role`): its first time emits their record."""
        doc = row.doc
        roles = doc["schools"].setdefault(school_id, [])
        if not roles:
            self.emit_person(doc, school_id, position)
            self.dirty.add((PERSON, doc["id"]))
        if role not in roles:
            roles.append(role)
            roles.sort()
        self.docs.put(PERSON, doc["id"], row)
        if role == "student":
            for rep_id, kind in doc["representatives"].items():
                self._represent(doc["id"], rep_id, kind, school_id, position)

    def _represent(self, student_id: str, rep_id: str, kind: str, school_id: str,
                   position: int) -> None:
        self.join(self.person(rep_id), school_id, "representative", position)
        self.records.upsert(
            "legal_representative", f"{school_id}:{student_id}:{rep_id}", school_id, rep_id,
            RepresentativePayload(school_id=school_id, student_id=student_id,
                                  representative_id=rep_id, kind=kind), position)

    def _student_schools(self, doc: Doc) -> list[str]:
        return [school for school, roles in doc["schools"].items() if "student" in roles]

    def _linked(self, position: int, e: Any) -> None:
        row = self.person(sid(e.originator_id))
        rep_id, kind = sid(e.representative_id), str(e.kind)
        row.doc["representatives"][rep_id] = kind
        self.docs.put(PERSON, row.doc["id"], row)
        for school_id in self._student_schools(row.doc):
            self._represent(row.doc["id"], rep_id, kind, school_id, position)

    def _unlinked(self, position: int, e: Any) -> None:
        row = self.docs.get(PERSON, sid(e.originator_id))
        if row is None:
            return
        rep_id = sid(e.representative_id)
        row.doc["representatives"].pop(rep_id, None)
        self.docs.put(PERSON, row.doc["id"], row)
        for school_id in self._student_schools(row.doc):
            self.records.delete("legal_representative",
                                f"{school_id}:{row.doc['id']}:{rep_id}", position)

    # --- classes and rosters (after the journal state applied the event) -----------------

    def _group(self, position: int, e: Any) -> None:
        row = self.docs.get(GROUP, sid(e.originator_id))
        if row is None:
            return
        doc = row.doc
        if hasattr(e, "parallel"):
            doc["parallel"], doc["homeroom"] = e.parallel, None
        else:
            doc["homeroom"] = s(e.teacher_id)
        self.docs.put(GROUP, doc["id"], row)
        self.records.upsert("class", doc["id"], doc["school_id"], None, ClassPayload(
            school_id=doc["school_id"], group_id=doc["id"], academic_year=doc["year"],
            name=doc["name"], parallel=doc["parallel"], kind=doc["kind"],
            parent_id=doc["parent_id"], homeroom_teacher_id=doc["homeroom"]), position)

    def _member(self, position: int, e: Any) -> None:
        group = self.docs.doc(GROUP, sid(e.originator_id))
        if group is None:
            return
        student_id, school_id = sid(e.student_id), group["school_id"]
        self.join(self.person(student_id), school_id, "student", position)
        stints = [Stint(start=start, end=end) for start, end in group["roster"][student_id]]
        self.records.upsert("student", f"{group['id']}:{student_id}", school_id, student_id,
                            StudentPayload(
            school_id=school_id, person_id=student_id, group_id=group["id"],
            class_id=group["parent_id"] or group["id"], group_kind=group["kind"],
            academic_year=group["year"], stints=stints), position)

    # --- gates ---------------------------------------------------------------------------

    def gate_rows(self) -> list[tuple[str, str, bool, str, list[str], list[str]]]:
        rows: list[tuple[str, str, bool, str, list[str], list[str]]] = []
        for kind, gate_id in sorted(self.dirty):
            doc = self.docs.doc(kind, gate_id)
            if doc is None:
                continue
            if kind == SCHOOL:
                rows.append((kind, gate_id, not doc["missing"], doc["name"], doc["missing"], []))
            else:
                rows.append((kind, gate_id, not doc["gaps"], full_name(doc), doc["gaps"],
                             sorted(doc["schools"])))
        self.dirty.clear()
        return rows
