"""Turning a command's Outcome into its HTTP answer (position, ETag, replay header)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.responses import Response

from api.io import encode
from api.schemas import CommandResult, Ref
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
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return encode(result, status, headers)
