"""The federal export's record schemas: msgspec structs, one per entity, published as JSON Schema.

A record is an envelope (`ExportRecord`: entity, natural key, operation, schema version, log
position, late flag, school) around a payload of its entity's struct. Payloads name other
records by id only (never by a display name), so renaming a subject touches one record.
Registry payloads are here; the journal's are in `export_payloads`.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import msgspec
from msgspec import Struct

from projections.export_payloads import (
    AbsencePayload,
    Day,
    DiaryPayload,
    HomeworkPayload,
    HomeworkStudentPayload,
    Id,
    LessonChangeDetailPayload,
    LessonChangePayload,
    LessonCountPayload,
    LessonPayload,
    MarkPayload,
    MaterialPayload,
    PeriodMarkPayload,
    PeriodStatsPayload,
    SystemEventPayload,
    WeeklyStatsPayload,
    WeeklySubjectStatsPayload,
    YearMarkPayload,
)

UPSERT, DELETE = 0, 1  # the data-mart loaders' sys_op


class ExportRecord(Struct, kw_only=True):
    """One line of a delta body (JSON Lines). `op` 0 upserts the payload, 1 deletes the key
    (payload null). `position`: the log position the record came from."""

    entity: str
    key: str
    op: Literal[0, 1]
    schema_version: int
    position: int
    late: bool
    school_id: Id
    payload: dict[str, Any] | None


class IdentityDocument(Struct, kw_only=True):
    kind: Literal["passport", "birth_certificate", "snils"]
    number: str
    series: str | None = None
    issued_on: Day | None = None
    issued_by: str | None = None


class SchoolPayload(Struct, kw_only=True):
    school_id: Id
    name: str
    time_zone: str
    shifts: int
    ogrn: str | None
    okpo: str | None
    inn: str | None
    kpp: str | None
    okopf: str | None
    founder: str | None
    okato: str | None
    oktmo: str | None
    phones: list[str]


class PersonPayload(Struct, kw_only=True):
    """Identification of a person in a school: full name, sex, birth date, one document."""

    school_id: Id
    person_id: Id
    last_name: str
    first_name: str
    middle_name: str | None
    sex: Literal["male", "female"] | None
    birth_date: Day | None
    document: IdentityDocument | None
    snils: str | None


class TeacherPayload(Struct, kw_only=True):
    school_id: Id
    person_id: Id
    positions: list[str]


class Stint(Struct, kw_only=True):
    start: Day
    end: Day | None  # exclusive; None while open


class StudentPayload(Struct, kw_only=True):
    school_id: Id
    person_id: Id
    group_id: Id
    class_id: Id
    group_kind: Literal["class", "subgroup"]
    academic_year: int
    stints: list[Stint]


class RepresentativePayload(Struct, kw_only=True):
    school_id: Id
    student_id: Id
    representative_id: Id
    kind: str


class ClassPayload(Struct, kw_only=True):
    school_id: Id
    group_id: Id
    academic_year: int
    name: str
    parallel: int
    kind: Literal["class", "subgroup"]
    parent_id: Id | None
    homeroom_teacher_id: Id | None


class SubjectPayload(Struct, kw_only=True):
    school_id: Id
    subject_id: Id
    name: str
    short_name: str | None
    retired: bool


class WorkTypePayload(Struct, kw_only=True):
    school_id: Id
    work_type_id: Id
    name: str
    weight: str
    scale: str
    built_in: str | None
    due_on_lesson_day: bool
    retired: bool


class PeriodPayload(Struct, kw_only=True):
    school_id: Id
    academic_year: int
    kind: Literal["attestation", "study"]
    attestation_kind: str | None
    number: int
    name: str
    start: Day
    end: Day


class Entity(NamedTuple):
    name: str
    payload: type[Struct]
    version: int
    key: str  # how the natural key is made
    seed: str  # the item of the seed's list («Какие данные должны регулярно передаваться»)


ENTITIES: dict[str, Entity] = {e.name: e for e in (
    Entity("school", SchoolPayload, 1, "school_id", "Школы; образовательные организации"),
    Entity("person", PersonPayload, 1, "school_id:person_id",
           "Данные для идентификации: ФИО, пол, дата рождения, документ"),
    Entity("teacher", TeacherPayload, 1, "school_id:person_id", "Учителя"),
    Entity("student", StudentPayload, 1, "group_id:person_id", "Обучающиеся"),
    Entity("legal_representative", RepresentativePayload, 1,
           "school_id:student_id:representative_id", "Законные представители"),
    Entity("class", ClassPayload, 1, "group_id", "Классы"),
    Entity("subject", SubjectPayload, 1, "subject_id", "Предметы"),
    Entity("work_type", WorkTypePayload, 1, "work_type_id", "(виды работ текущих отметок)"),
    Entity("period", PeriodPayload, 1, "school_id:academic_year:kind:number",
           "Аттестационные и учебные периоды"),
    Entity("lesson", LessonPayload, 1, "lesson_id", "Уроки"),
    Entity("lesson_change", LessonChangePayload, 1, "lesson_id:position",
           "Изменения к урокам"),
    Entity("lesson_change_detail", LessonChangeDetailPayload, 1, "lesson_id:position:field",
           "Детали изменений"),
    Entity("mark", MarkPayload, 1, "mark_id", "Текущие отметки"),
    Entity("period_mark", PeriodMarkPayload, 1,
           "class_id:subject_id:academic_year:period:student_id",
           "Отметки за аттестационный период"),
    Entity("year_mark", YearMarkPayload, 1, "class_id:subject_id:academic_year:kind:student_id",
           "Годовые и финальные отметки"),
    Entity("absence", AbsencePayload, 1, "lesson_id:student_id", "Пропуски уроков"),
    Entity("lesson_count", LessonCountPayload, 1, "group_id:subject_id:academic_year:period",
           "Количество уроков за период"),
    Entity("weekly_subject_stats", WeeklySubjectStatsPayload, 1,
           "school_id:student_id:week:subject_id", "Статистика по предмету (по неделям)"),
    Entity("weekly_stats", WeeklyStatsPayload, 1, "school_id:student_id:week",
           "Статистика по всем предметам (по неделям)"),
    Entity("period_stats", PeriodStatsPayload, 1, "school_id:student_id:academic_year:period",
           "Общая статистика по всем предметам для обучающегося за период"),
    Entity("homework", HomeworkPayload, 1, "homework_id", "Домашние задания"),
    Entity("homework_student", HomeworkStudentPayload, 1, "homework_id:student_id",
           "Домашние задания (статус у обучающегося)"),
    Entity("material", MaterialPayload, 1, "owner:owner_id:file_id",
           "Материалы к урокам и домашним заданиям"),
    Entity("diary", DiaryPayload, 1, "school_id:student_id:week", "Дневники"),
    Entity("system_event", SystemEventPayload, 1, "position:school_id", "События Системы"),
)}
VERSIONS = {name: entity.version for name, entity in ENTITIES.items()}
encode = msgspec.json.encode
_REF = "#/$defs/{name}"


def schema_document() -> dict[str, Any]:
    """Every entity's payload schema and the record envelope, as one JSON Schema document."""
    structs = [ExportRecord, *(entity.payload for entity in ENTITIES.values())]
    (record, *payloads), defs = msgspec.json.schema_components(structs, ref_template=_REF)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:zhurnal:federal-export",
        "title": "zhurnal federal export records",
        "description": "A delta body is gzip-compressed JSON Lines, one ExportRecord a line, "
                       "in log-position order; op 0 upserts the payload, op 1 deletes the key.",
        "record": record,
        "entities": {
            entity.name: {"schema_version": entity.version, "key": entity.key,
                          "seed": entity.seed, "payload": payload}
            for entity, payload in zip(ENTITIES.values(), payloads, strict=True)
        },
        "$defs": dict(sorted(defs.items())),
    }


def schema_json() -> bytes:
    """The document as committed in docs/export-schemas.json (stable, indented)."""
    return msgspec.json.format(msgspec.json.encode(schema_document()), indent=2) + b"\n"
