"""Two schools with everything a route can name, and request values for each route.

School 1 is "ours": its director, the teacher of 5А mathematics, a teacher who does not teach
5А (the stranger), students A and B of 5А with their parents PA and PB, a mark, homework,
posts, a file. School 2 is "theirs", with the same kinds of objects. A caller's "own" values
name school 1 and the caller's family; "foreign" values name what the caller must not reach:
student B and school 2's objects.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote
from uuid import UUID

import msgspec

from api.auth import Role
from domain.work_types import BuiltIn
from tests.conftest import Api
from tests.e2e.journal_setup import JournalSchool, ok, set_up_school
from tests.factories import adult

Ids = dict[str, str]


@dataclass
class Side:
    """One school's objects, by the names routes give their parameters."""

    school: JournalSchool
    ids: Ids = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)  # parents of students[0], students[1]


def _side(api: Api, storage_dir: Any) -> Side:
    s = set_up_school(api, students=2)
    side = Side(s)
    for student in s.students:
        parent = ok(api.post("/v1/people", adult(name={"last": "Родителева", "first": "Ю"})),
                    201)["id"]
        ok(api.post(f"/v1/people/{student}/representatives",
                    {"representative_id": parent, "kind": "mother"}))
        side.parents.append(parent)
    lesson = s.lessons[0]
    mark = ok(s.teacher.post(f"/v1/lessons/{lesson}/marks", {"marks": [s.mark(0, "4")]}))
    homework = ok(s.teacher.post(f"/v1/lessons/{lesson}/homework", {
        "text": "Упражнение 1", "due_lesson_id": s.lessons[1], "needs_checking": True}), 201)
    post = ok(s.director.post(f"/v1/schools/{s.school_id}/wall", {"text": "Собрание"}), 201)
    upload = s.teacher.request("POST", f"/v1/classes/{s.class_id}/files", content=b"%PDF-1",
                               headers={"Content-Type": "application/pdf",
                                        "X-File-Name": quote("Задание.pdf")})
    side.ids = {
        "school_id": s.school_id, "class_id": s.class_id, "group_id": s.class_id,
        "from_class_id": s.class_id, "to_class_id": s.class_id, "lesson_id": lesson,
        "student_id": s.students[0], "person_id": s.students[0],
        "representative_id": side.parents[0], "teacher_id": s.teacher_id,
        "substitute_id": s.substitute_id, "subject_id": s.subject_id,
        "work_type_id": s.work_type(BuiltIn.ANSWER), "mark_id": str(mark["marks"][0]["id"]),
        "homework_id": str(homework["id"]), "post_id": str(post["id"]),
        "file_id": str(upload.json().get("id", UUID(int=1))), "entity_id": lesson,
        "actor": s.teacher_id,
    }
    chats = ok(api.get(f"/v1/schools/{s.school_id}/chats?min_position={post['position']}"))
    side.ids["chat_id"] = chats["items"][0]["id"] if chats["items"] else str(UUID(int=2))
    return side


@dataclass
class World:
    api: Api
    ours: Side
    theirs: Side

    def own(self, role: Role, subject: str) -> Ids:
        ids = dict(self.ours.ids)
        if role in (Role.STUDENT, Role.PARENT, Role.TEACHER, Role.SCHOOL_ADMIN):
            ids["person_id"] = subject  # one's own Сферум profile and chats
        return ids

    def foreign(self, family: bool) -> Ids:
        """School 2's objects; for a student or a parent, student B of their own class."""
        ids = dict(self.theirs.ids)
        if family:
            ids.update(student_id=self.ours.school.students[1],
                       person_id=self.ours.school.students[1],
                       representative_id=self.ours.parents[1])
        return ids


def build(api: Api, storage_dir: Any) -> World:
    world = World(api, _side(api, storage_dir), _side(api, storage_dir))
    head = api.container.log_position()
    for name in api.container.projection_names():
        assert api.container.wait_for(name, head, 30), name
    return world


# --- values for a route's parameters and body --------------------------------------------

_QUERY: dict[str, str] = {
    "start": "2024-09-01", "end": "2024-12-31", "week": "2024-W36", "period": "1 четверть",
    "as_of": "2024-12-31", "position": "1", "reason": "проверка", "actor": "",
}
_AUDIT_QUERY = {"start": "2024-01-01T00:00:00Z", "end": "2030-01-01T00:00:00Z"}
_PATH: dict[str, str] = {"week": "2024-W36", "year": "2024", "shift": "1",
                         "platform": "sferum", "number": "1"}


def path_value(name: str, ids: Ids) -> str:
    return str(ids.get(name) or _PATH.get(name) or UUID(int=3))


def query_value(name: str, ids: Ids, path: str) -> str:
    if path.startswith("/v1/audit/") and name in _AUDIT_QUERY:
        return _AUDIT_QUERY[name]
    if name in ids:
        return str(ids[name])
    return _QUERY.get(name) or str(ids.get("actor"))


_STR = {"reason": "проверка", "comment": "переделать", "text": "текст", "name": "Тест",
        "period": "1 четверть", "value": "5", "profile_id": "vk-77", "organisation_id": "org-1",
        "legal_ground": "152-ФЗ", "act_reference": "Акт № 1", "topic": "Тема"}
_DATES = {"end": date(2024, 9, 8), "birth_date": date(2014, 1, 1), "due": date(2024, 9, 4)}


def value_of(kind: Any, name: str, ids: Ids) -> Any:
    """A value of a field's type; ids by the field's name."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return value_of(next(a for a in args if a is not type(None)), name, ids)
    if origin is typing.Literal:
        return args[0]
    if origin is typing.Annotated:
        return value_of(args[0], name, ids)
    if origin in (list, set, frozenset, tuple):
        return [] if name.endswith("ids") else [value_of(args[0], name, ids)]
    if origin is dict:
        return {value_of(args[0], "student_id", ids): value_of(args[1], "value", ids)}
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return struct_value(kind, ids)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(iter(kind)).value
    simple: dict[Any, Any] = {
        bool: True, int: 2024 if name == "year" else 1, Decimal: "1",
        time: "08:30:00", datetime: "2024-09-02T10:00:00+00:00",
        date: _DATES.get(name, date(2024, 9, 2)).isoformat(),
        UUID: ids.get(name) or ids.get("student_id"), str: _STR.get(name, "x"),
    }
    return simple.get(kind, "x")


def struct_value(struct: Any, ids: Ids) -> dict[str, Any]:
    hints = typing.get_type_hints(struct, include_extras=True)
    return {f.encode_name: value_of(hints[f.name], f.name, ids)
            for f in msgspec.structs.fields(struct) if f.required}
