"""Helpers of the export tests: a school made complete, people identified, records read."""

from __future__ import annotations

import gzip
import random
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from domain import identifiers as ids
from domain.homework import HomeworkSpec
from domain.journal import Command
from domain.person import Documents
from domain.school import Requisites
from projections.export_records import RECORDS
from projections.store import ViewStore
from tests.domain.conftest import local
from tests.projections.term import MONDAY, Term, realistic_term, week_day

ADMIN = Command(actor="admin", at=local(date(2024, 9, 2), 8))


def complete_requisites(seed: int = 1) -> Requisites:
    rng = random.Random(seed)
    return Requisites(
        ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
        kpp=ids.make_kpp(rng), okopf="75403", founder="Департамент образования",
        okato=ids.make_okato(rng), oktmo=ids.make_oktmo(rng), phones=(ids.make_phone(rng),))


def complete_school(journal: Any, school_id: UUID, at: Any = None) -> int:
    """Fill in every requisite; the position of the change."""
    command = Command(actor="admin", at=at or local(date(2024, 9, 2), 8))
    return int(journal.update_school(command, school_id, None,
                                     requisites=complete_requisites()).position)


def identify(journal: Any, person_id: UUID, seed: int = 0) -> int:
    """Give the person a СНИЛС: complete identification; the position of the change."""
    snils = ids.make_snils(random.Random(f"{person_id}{seed}"))
    return int(journal.update_person(ADMIN, person_id, None,
                                     documents=Documents(snils=snils)).position)


def identify_all(journal: Any, people: list[UUID]) -> None:
    for person in people:
        identify(journal, person)


def records(store: ViewStore, entity: str | None = None,
            table: str = RECORDS) -> dict[tuple[str, str], dict[str, Any]]:
    """The current records as {(entity, key): row}, payloads decoded."""
    where, params = ("WHERE entity = ?", (entity,)) if entity else ("", ())
    found = {}
    for row in store.fetchall(
        f"SELECT entity, key, school_id, person_id, op, version, position, late, payload "
        f"FROM {table} {where}", params,
    ):
        entity_, key, school, person, op, version, position, late, payload = row
        found[(str(entity_), str(key))] = {
            "school_id": school, "person_id": person, "op": int(op), "version": int(version),
            "position": int(position), "late": bool(late),
            "payload": msgspec.json.decode(payload) if payload else None}
    return found


def body_lines(body: bytes) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in gzip.decompress(body).splitlines() if line]


def everyone(term: Any) -> list[UUID]:
    """Every person of the term's school."""
    school = term.school
    people = {school.admin_id, school.teacher_id, school.substitute_id, *school.students,
              term.parent, *term.journal.get_group(term.other_class).members}
    return sorted(people, key=str)


def upload(term: Any, name: str = "Задание.pdf") -> UUID:
    """A file of the school, uploaded by its teacher."""
    from domain.files import FileOwner, OwnerKind

    school = term.school
    command = school.as_(school.teacher_id)
    owner = FileOwner(OwnerKind.SCHOOL, school.school_id)
    reserved = term.journal.reserve_upload(command, owner, name, "application/pdf", 100)
    term.journal.complete_upload(command, reserved, 100, "a" * 64)
    return UUID(str(reserved.file_id))


def full_term(journal: Any) -> Term:
    """The realistic term of a complete school, everyone identified, with lesson and homework
    materials and year marks: every entity of the export has records."""
    term = realistic_term(journal)
    school = term.school
    complete_school(journal, school.school_id)
    identify_all(journal, everyone(term))
    teacher = school.as_(school.teacher_id, local(MONDAY, 10))
    lesson = term.lesson(school.class_id, week_day(4, 1), 1)
    journal.attach_lesson_materials(teacher, lesson, [upload(term, "Конспект.pdf")])
    journal.assign_homework(school.as_(school.teacher_id, local(week_day(4, 1), 15)), lesson,
                            HomeworkSpec(text="с файлом", due_date=week_day(4, 3),
                                         file_ids=(upload(term),)))
    s0, s1 = school.students[:2]
    journal.set_final_marks(school.admin, school.class_id, school.subject_id, {s0: "5"})
    journal.set_annual_marks(school.as_(school.admin_id, local(date(2025, 5, 30), 10)),
                             school.class_id, school.subject_id, {s0: "5", s1: "4"})
    return term
