"""Turning a command's Outcome into its HTTP answer (position, ETag, replay header)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.responses import Response

from api.io import encode
from api.schemas import CommandResult, PlacedMark, Ref
from domain.deadlines import Timeliness
from domain.journal import Outcome


def _ref(answer: dict[str, Any]) -> Ref:
    return Ref(id=UUID(str(answer["id"])), version=int(answer["version"]))


def command_response(outcome: Outcome, status: int = 200) -> Response:
    answer = outcome.answer
    result = CommandResult(position=outcome.position, replayed=outcome.replayed)
    headers = {"X-Log-Position": str(outcome.position)}
    if "id" in answer:
        result.id = UUID(str(answer["id"]))
        result.version = int(answer["version"])
        headers["ETag"] = f'"{result.version}"'
    if "from" in answer:
        result.source, result.target = _ref(answer["from"]), _ref(answer["to"])
    _journal_details(result, answer)
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return encode(result, status, headers)


def _journal_details(result: CommandResult, answer: dict[str, Any]) -> None:
    """What the journal's commands answer beyond id and version."""
    if "marks" in answer:
        result.marks = [
            PlacedMark(id=UUID(str(mark["id"])), student_id=UUID(str(mark["student_id"])),
                       late=bool(mark["late"]))
            for mark in answer["marks"]
        ]
    if "lesson_ids" in answer:
        result.lesson_ids = [UUID(str(lesson_id)) for lesson_id in answer["lesson_ids"]]
        result.count = int(answer.get("count", len(result.lesson_ids)))
    if "subject_id" in answer:
        result.subject_id = UUID(str(answer["subject_id"]))
    if "work_type_id" in answer:
        result.work_type_id = UUID(str(answer["work_type_id"]))
    if "timeliness" in answer:
        result.timeliness = Timeliness(str(answer["timeliness"]))
