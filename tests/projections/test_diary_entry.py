"""A diary entry's stored bytes: the shared JSON object and the students' pieces are those of
the week document's dictionaries, key for key (the entry builds them from structs)."""

from __future__ import annotations

from typing import Any

import msgspec

from projections.diary_weeks import assemble, entry

LESSON, SCHOOL, GROUP, CLASS = ("l" * 36, "s" * 36, "g" * 36, "c" * 36)
ANN, BOB, EVE = ("a" * 36, "b" * 36, "e" * 36)
NAMES = {"w1": "Ответ на уроке", "w2": None}


def lesson(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": LESSON, "school_id": SCHOOL, "class_id": CLASS, "group_id": GROUP,
        "subject_id": "subject", "teacher_id": "teacher", "substitute_id": None,
        "day": "2024-09-03", "original_day": "2024-09-02", "number": 2, "start": "09:25",
        "end": "10:10", "room": None, "topic": "Дроби \"и\" доли", "cancelled": False,
        "cancel_reason": None, "move_reason": "перенос",
        "changes": [{"kind": "move", "old": {"day": "2024-09-02"}}],
        "marks": {"m1": {"student_id": ANN, "work_type_id": "w1", "value": "5", "weight": "1.0",
                         "late": False},
                  "m2": {"student_id": BOB, "work_type_id": "w2", "value": "4+",
                         "weight": "2.5", "late": True},
                  "m3": {"student_id": ANN, "work_type_id": "w2", "value": "3", "weight": "1",
                         "late": False}},
        "attendance": {BOB: {"teacher": "absent", "override": None},
                       EVE: {"teacher": "absent", "override": "present"}},
        "homework": {"h1": {"id": "h1", "text": "§ 1", "file_ids": [], "due_date": "2024-09-05",
                            "due_lesson_id": None, "individual": False,
                            "duration_minutes": 30, "needs_checking": True,
                            "result_file_required": False,
                            "students": {ANN: "submitted", BOB: "assigned", EVE: "assigned"},
                            "comments": {}}},
    }
    doc.update(changes)
    return doc


def expected_week(doc: dict[str, Any], student: str) -> dict[str, Any]:
    """The student's lesson in the week document, as dictionaries."""
    marks = [{"mark_id": mark_id, "value": mark["value"], "work_type_id": mark["work_type_id"],
              "work_type": NAMES[mark["work_type_id"]], "weight": mark["weight"],
              "late": mark["late"]}
             for mark_id, mark in doc["marks"].items() if mark["student_id"] == student]
    works = [{"homework_id": w["id"], "text": w["text"], "file_ids": w["file_ids"],
              "due_date": w["due_date"], "due_lesson_id": w["due_lesson_id"],
              "individual": w["individual"], "status": w["students"][student],
              "comments": w["comments"].get(student, 0),
              "duration_minutes": w["duration_minutes"], "needs_checking": w["needs_checking"],
              "result_file_required": w["result_file_required"]}
             for w in doc["homework"].values() if student in w["students"]]
    entry_ = doc["attendance"].get(student) or {}
    status = entry_.get("override") or entry_.get("teacher")
    return {
        "lesson_id": doc["id"], "school_id": doc["school_id"], "number": doc["number"],
        "start": doc["start"], "end": doc["end"], "subject_id": doc["subject_id"],
        "subject": "Математика", "group_id": doc["group_id"], "group": "5А",
        "class_id": doc["class_id"], "teacher_id": doc["teacher_id"],
        "substitute_id": doc["substitute_id"], "room": doc["room"], "topic": doc["topic"],
        "cancelled": doc["cancelled"], "cancel_reason": doc["cancel_reason"],
        "moved_from": doc["original_day"], "move_reason": doc["move_reason"],
        "changes": doc["changes"], "homework": works, "marks": marks,
        "attendance": None if status in (None, "present") else status,
    }


def week_bytes(doc: dict[str, Any], student: str) -> bytes | None:
    piece = msgspec.json.encode(entry(doc, {"name": "5А"}, "Математика", NAMES))
    rows = [(0, GROUP, msgspec.json.encode([["2024-09-01", None]])), (1, GROUP, piece)]
    return assemble(student, "2024-W36", rows)


def test_each_students_lesson_is_the_week_documents_json_byte_for_byte() -> None:
    for doc in (lesson(), lesson(homework={}, marks={}, attendance={}),
                lesson(homework={"h1": {**lesson()["homework"]["h1"],
                                        "comments": {BOB: 2}}})):
        for student in (ANN, BOB, EVE):
            assert week_bytes(doc, student) == msgspec.json.encode({
                "student_id": student, "week": "2024-W36", "start": "2024-09-02",
                "end": "2024-09-08",
                "days": [{"date": "2024-09-03", "lessons": [expected_week(doc, student)]}]})
