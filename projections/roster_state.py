"""Who belongs where now, as the roster events say: kept inside a projection's own table.

Walls (who may read a wall) and chats (who is in a chat) both need it; each keeps its own
copy in its own table, so each can be rebuilt alone. `RosterState` applies events within a
batch and says what each one touched; `RosterReader` answers the same questions for queries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import msgspec

from domain.teaching import teaching_assignment_id
from projections.base import Positioned
from projections.documents import DocumentTable, Row
from projections.state import StateDocs
from projections.store import ViewStore

Scope = tuple[str, ...]  # ("group", id), ("school", id), ("teaching", group, subject), ...
ADMINISTRATIVE = {"administrator", "director", "deputy_director"}


class RosterView(ABC):
    """The questions; subclasses say where the documents come from."""

    @abstractmethod
    def doc(self, kind: str, pk: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def docs_by_ref(self, kind: str, ref: str) -> list[dict[str, Any]]: ...

    def _list(self, kind: str, pk: str, field: str) -> list[str]:
        found = self.doc(kind, pk)
        return list(found[field]) if found else []

    def staff(self, school_id: str) -> dict[str, list[str]]:
        """Person -> positions of everyone on the school's staff."""
        return {d["person_id"]: d["positions"] for d in self.docs_by_ref("staff", school_id)}

    def positions(self, school_id: str, person_id: str) -> list[str]:
        return self._list("staff", f"{school_id}:{person_id}", "positions")

    def group(self, group_id: str) -> dict[str, Any] | None:
        return self.doc("group", group_id)

    def groups_of(self, student_id: str) -> list[str]:
        return self._list("member", student_id, "groups")

    def representatives(self, student_id: str) -> list[str]:
        return self._list("reps", student_id, "representatives")

    def children(self, parent_id: str) -> list[str]:
        return self._list("children", parent_id, "children")

    def teachers(self, group_id: str, subject_id: str) -> list[str]:
        pk = str(teaching_assignment_id(UUID(group_id), UUID(subject_id)))
        return self._list("teaching", pk, "teachers")

    def name(self, kind: str, pk: str) -> str:
        found = self.doc(kind, pk)
        return str(found["name"]) if found else ""

    def profile(self, person_id: str) -> str | None:
        found = self.doc("profile", person_id)
        return found["profile_id"] if found else None

    def parents(self, group_id: str) -> set[str]:
        group = self.group(group_id)
        students = group["students"] if group else []
        return {rep for student in students for rep in self.representatives(student)}


def _reads(event: Any) -> list[tuple[str, str]]:
    """The documents applying a roster event reads: (kind, pk), to prefetch for a batch."""
    name, oid = type(event).__qualname__, str(event.originator_id)
    if name in ("School.StaffAppointed", "School.StaffDismissed"):
        return [("staff", f"{oid}:{event.person_id}")]
    if name in ("EduGroup.StudentEnrolled", "EduGroup.StudentLeft"):
        return [("group", oid), ("member", str(event.student_id))]
    if name == "EduGroup.HomeroomTeacherAssigned":
        return [("group", oid)]
    if name in ("Person.RepresentativeLinked", "Person.RepresentativeUnlinked"):
        return [("reps", oid), ("children", str(event.representative_id)), ("member", oid)]
    if name in ("TeachingAssignment.TeacherAssigned", "TeachingAssignment.TeacherRelieved"):
        return [("teaching", oid)]
    if name in ("SferumProfile.Linked", "SferumProfile.Unlinked"):
        return [("profile_of", oid)]
    return []


class RosterState(RosterView):
    """The roster as of the event being applied, over a batch's document table.

    Given a `StateDocs`, `prefetch(events)` loads what a batch's events will read with one
    query per kind, instead of one round trip per document."""

    def __init__(self, docs: DocumentTable) -> None:
        self.docs = docs
        self.handlers: dict[str, Callable[[Any], list[Scope]]] = {
            "School.Registered": self._named("school"),
            "School.Renamed": self._named("school"),
            "School.StaffAppointed": self._staff,
            "School.StaffDismissed": self._staff,
            "EduGroup.Opened": self._group_opened,
            "EduGroup.HomeroomTeacherAssigned": self._homeroom,
            "EduGroup.StudentEnrolled": self._enrolled,
            "EduGroup.StudentLeft": self._left,
            "Person.RepresentativeLinked": self._rep_linked,
            "Person.RepresentativeUnlinked": self._rep_unlinked,
            "TeachingAssignment.Opened": self._teaching_opened,
            "TeachingAssignment.TeacherAssigned": self._teacher_assigned,
            "TeachingAssignment.TeacherRelieved": self._teacher_relieved,
            "SubjectCatalogue.SubjectAdded": self._subject,
            "SubjectCatalogue.SubjectRenamed": self._subject,
            "SferumProfile.Opened": self._profile_opened,
            "SferumProfile.Linked": self._profile,
            "SferumProfile.Unlinked": self._profile,
        }

    def prefetch(self, events: Sequence[Positioned]) -> None:
        wanted: dict[str, set[str]] = {}
        for _position, event in events:
            if type(event).__qualname__ in self.handlers:
                for kind, pk in _reads(event):
                    wanted.setdefault(kind, set()).add(pk)
        self.load(wanted)

    def load(self, wanted: dict[str, set[str]]) -> None:
        """Documents by kind, each kind in one query (when the table can: a StateDocs)."""
        if isinstance(self.docs, StateDocs):
            for kind, pks in sorted(wanted.items()):
                self.docs.prefetch(kind, pks)

    def apply(self, event: Any) -> list[Scope]:
        """Apply one event; the scopes it changed (empty: not a roster event)."""
        handler = self.handlers.get(type(event).__qualname__)
        return handler(event) if handler is not None else []

    def doc(self, kind: str, pk: str) -> dict[str, Any] | None:
        row = self.docs.get(kind, pk)
        return row.doc if row is not None else None

    def docs_by_ref(self, kind: str, ref: str) -> list[dict[str, Any]]:
        return [row.doc for _pk, row in self.docs.find(kind, ref)]

    def _put(self, kind: str, pk: str, doc: dict[str, Any], school_id: str | None = None,
             ref: str | None = None) -> None:
        self.docs.put(kind, pk, Row(doc=doc, school_id=school_id, ref=ref, sort=pk))

    def _edit_list(self, kind: str, pk: str, field: str, value: str, add: bool) -> None:
        items = [item for item in self._list(kind, pk, field) if item != value]
        if add:
            items.append(value)
        if items:
            self._put(kind, pk, {field: sorted(items)})
        else:
            self.docs.delete(kind, pk)

    def _named(self, kind: str) -> Callable[[Any], list[Scope]]:
        def apply(event: Any) -> list[Scope]:
            self._put(kind, str(event.originator_id), {"name": event.name})
            return [(kind, str(event.originator_id))]

        return apply

    def _staff(self, event: Any) -> list[Scope]:
        school_id, person_id = str(event.originator_id), str(event.person_id)
        positions = set(self.positions(school_id, person_id))
        if type(event).__qualname__.endswith("Appointed"):
            positions.add(str(event.position))
        else:
            positions.discard(str(event.position))
        pk = f"{school_id}:{person_id}"
        if positions:
            self._put("staff", pk, {"person_id": person_id, "positions": sorted(positions)},
                      school_id, ref=school_id)
        else:
            self.docs.delete("staff", pk)
        return [("school", school_id)]

    def _group_opened(self, event: Any) -> list[Scope]:
        group_id, school_id = str(event.originator_id), str(event.school_id)
        doc = {"id": group_id, "school_id": school_id, "kind": str(event.kind),
               "parent_id": str(event.parent_id) if event.parent_id else None,
               "name": event.name, "homeroom_teacher_id": None, "students": []}
        self._put("group", group_id, doc, school_id)
        return [("group", group_id)]

    def _change_group(self, event: Any, change: Callable[[dict[str, Any]], None]) -> list[Scope]:
        group_id = str(event.originator_id)
        doc = self.group(group_id)
        assert doc is not None, f"no group {group_id}"
        doc = dict(doc)
        change(doc)
        self._put("group", group_id, doc, doc["school_id"])
        return [("group", group_id)]

    def _homeroom(self, event: Any) -> list[Scope]:
        teacher = str(event.teacher_id) if event.teacher_id else None
        return self._change_group(event, lambda doc: doc.update(homeroom_teacher_id=teacher))

    def _enrolled(self, event: Any) -> list[Scope]:
        student = str(event.student_id)
        self._edit_list("member", student, "groups", str(event.originator_id), add=True)
        return self._change_group(event, lambda doc: doc.update(
            students=sorted({*doc["students"], student})))

    def _left(self, event: Any) -> list[Scope]:
        student = str(event.student_id)
        self._edit_list("member", student, "groups", str(event.originator_id), add=False)
        return self._change_group(event, lambda doc: doc.update(
            students=[s for s in doc["students"] if s != student]))

    def _rep(self, event: Any, add: bool) -> list[Scope]:
        student, rep = str(event.originator_id), str(event.representative_id)
        self._edit_list("reps", student, "representatives", rep, add)
        self._edit_list("children", rep, "children", student, add)
        return [("group", group) for group in self.groups_of(student)]

    def _rep_linked(self, event: Any) -> list[Scope]:
        return self._rep(event, add=True)

    def _rep_unlinked(self, event: Any) -> list[Scope]:
        return self._rep(event, add=False)

    def _teaching_opened(self, event: Any) -> list[Scope]:
        group, subject = str(event.group_id), str(event.subject_id)
        doc = {"group_id": group, "subject_id": subject, "teachers": []}
        self._put("teaching", str(event.originator_id), doc, str(event.school_id))
        return [("teaching", group, subject)]

    def _teaching(self, event: Any, add: bool) -> list[Scope]:
        pk = str(event.originator_id)
        doc = dict(self.doc("teaching", pk) or {})
        teachers = set(doc.get("teachers", [])) - {str(event.teacher_id)}
        doc["teachers"] = sorted(teachers | ({str(event.teacher_id)} if add else set()))
        self._put("teaching", pk, doc)
        return [("teaching", doc["group_id"], doc["subject_id"])]

    def _teacher_assigned(self, event: Any) -> list[Scope]:
        return self._teaching(event, add=True)

    def _teacher_relieved(self, event: Any) -> list[Scope]:
        return self._teaching(event, add=False)

    def _subject(self, event: Any) -> list[Scope]:
        subject = event.subject if hasattr(event, "subject") else event.new
        self._put("subject", str(subject.id), {"name": subject.name})
        return [("subject", str(subject.id))]

    def _profile_opened(self, event: Any) -> list[Scope]:
        self._put("profile_of", str(event.originator_id), {"person_id": str(event.person_id)})
        return []

    def _profile(self, event: Any) -> list[Scope]:
        found = self.doc("profile_of", str(event.originator_id))
        assert found is not None, f"no Сферум profile {event.originator_id}"
        person = str(found["person_id"])
        linked = type(event).__qualname__.endswith("Linked")
        self._put("profile", person, {"profile_id": event.profile_id if linked else None})
        return [("profile", person)]


class RosterReader(RosterView):
    """The same questions for a query, straight from the view table."""

    def __init__(self, store: ViewStore, table: str) -> None:
        self.store, self.table = store, table

    def doc(self, kind: str, pk: str) -> dict[str, Any] | None:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.table} WHERE kind = ? AND pk = ?", (kind, pk))
        return msgspec.json.decode(row[0]) if row else None

    def docs_by_ref(self, kind: str, ref: str) -> list[dict[str, Any]]:
        rows = self.store.fetchall(
            f"SELECT doc FROM {self.table} WHERE kind = ? AND ref = ? ORDER BY pk", (kind, ref))
        return [msgspec.json.decode(row[0]) for row in rows]

