"""Homework: assigning it for a lesson, and each step of a student's work on it.

A student starts, submits and comments on only their own work (their token's subject is
the student id in the path); the lesson's teacher checks it, returns it for rework and
comments on it.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.auth import Principal, Role
from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep
from api.io import body, io
from api.journal_schemas import (
    AssignHomework,
    CheckHomework,
    CommentHomework,
    ReturnHomework,
    StartHomework,
    SubmitHomework,
)
from api.policy import Action, authorize, refuse
from api.results import command_response
from api.schemas import CommandResult

router = APIRouter(tags=["homework"])
WORK = "/v1/homework/{homework_id}/students/{student_id}"


def _school_of_homework(container: ServicesDep, homework_id: UUID) -> str:
    """The school of a homework, from the write side."""
    return str(container.journal.get_homework(homework_id).school_id)


def _authorize_student(
    caller: Principal, container: ServicesDep, homework_id: UUID, student_id: UUID
) -> None:
    """A student works only on their own homework."""
    authorize(caller, Action.WORK_ON_HOMEWORK, _school_of_homework(container, homework_id))
    if caller.role is Role.STUDENT and caller.subject != str(student_id):
        refuse(caller, Action.WORK_ON_HOMEWORK, None, "a student works only on their own homework")


@router.post(
    "/v1/lessons/{lesson_id}/homework", **io(CommandResult, request=AssignHomework, status=201)
)
def assign_homework(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AssignHomework, Depends(body(AssignHomework))],
) -> Response:
    """Homework for the lesson's group or chosen students; the answer says if it was on time.
    Its `file_ids` are stored files of the school's or the lesson's class's «Файлы»."""
    school_id = str(container.journal.get_lesson(lesson_id).school_id)
    authorize(caller, Action.WRITE_JOURNAL, school_id)
    outcome = container.journal.assign_homework(command, lesson_id, payload)
    return command_response(outcome, 201)


@router.post(WORK + "/start", **io(CommandResult, request=StartHomework))
def start_homework(
    homework_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[StartHomework, Depends(body(StartHomework))],
) -> Response:
    """The student starts their work (or restarts it after a return for rework)."""
    _authorize_student(caller, container, homework_id, student_id)
    outcome = container.journal.start_homework(command, homework_id, student_id, version)
    return command_response(outcome)


@router.post(WORK + "/submission", **io(CommandResult, request=SubmitHomework))
def submit_homework(
    homework_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SubmitHomework, Depends(body(SubmitHomework))],
) -> Response:
    """The student submits their work with the ids of the files of the result: files they
    uploaded themselves to their class's «Файлы»."""
    _authorize_student(caller, container, homework_id, student_id)
    outcome = container.journal.submit_homework(
        command, homework_id, student_id, payload.file_ids, version
    )
    return command_response(outcome)


@router.post(WORK + "/check", **io(CommandResult, request=CheckHomework))
def check_homework(
    homework_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[CheckHomework, Depends(body(CheckHomework))],
) -> Response:
    """The teacher accepts the submitted work (a mark for it is placed on a lesson)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_homework(container, homework_id))
    outcome = container.journal.check_homework(command, homework_id, student_id, version)
    return command_response(outcome)


@router.post(WORK + "/return", **io(CommandResult, request=ReturnHomework))
def return_homework(
    homework_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[ReturnHomework, Depends(body(ReturnHomework))],
) -> Response:
    """The teacher returns the submitted work for rework, saying what to redo."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_homework(container, homework_id))
    outcome = container.journal.return_homework(
        command, homework_id, student_id, payload.comment, version
    )
    return command_response(outcome)


@router.post(WORK + "/comments", **io(CommandResult, request=CommentHomework))
def comment_homework(
    homework_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[CommentHomework, Depends(body(CommentHomework))],
) -> Response:
    """A comment on a student's work, by that student or by the lesson's teacher."""
    if caller.role is Role.STUDENT:
        _authorize_student(caller, container, homework_id, student_id)
    else:
        authorize(caller, Action.WRITE_JOURNAL, _school_of_homework(container, homework_id))
    outcome = container.journal.comment_homework(
        command, homework_id, student_id, payload.text, version
    )
    return command_response(outcome)
