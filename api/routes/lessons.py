"""Lessons: one at a time or from a weekly timetable, every change, bulk cancellation.

Every lesson command answers with the lesson's new version as its ETag; a change accepts it
back as If-Match (412 when stale). Scheduling lessons and setting a topic may be attempted by
the school's administrators and by teachers (WRITE_JOURNAL): the domain lets a teacher
schedule only their own lessons of their teaching assignments and set the topic of lessons
they teach or substitute. Every other change reorganises the school's timetable and is the
administration's (SET_UP_SCHOOL_YEAR, and the domain checks the administrator).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep
from api.io import body, io
from api.journal_schemas import (
    CancelLessons,
    ChangeLessonSubject,
    ChangeLessonTime,
    ChangeRoom,
    CreateLesson,
    GenerateLessons,
    LessonChange,
    MoveLesson,
    SetLessonTopic,
    SubstituteTeacher,
)
from api.policy import Action, authorize
from api.results import command_response
from api.schemas import CommandResult

router = APIRouter(tags=["lessons"])
CHANGES = "/v1/lessons/{lesson_id}/changes"


def _school_of_group(container: ServicesDep, group_id: UUID) -> str:
    """The school of a class or subgroup, from the write side."""
    return str(container.journal.get_group(group_id).school_id)


def _school_of_lesson(container: ServicesDep, lesson_id: UUID) -> str:
    """The school of a lesson, from the write side (commands must not trust a lagging view)."""
    return str(container.journal.get_lesson(lesson_id).school_id)


@router.post("/v1/lessons", **io(CommandResult, request=CreateLesson, status=201))
def create_lesson(
    caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[CreateLesson, Depends(body(CreateLesson))],
) -> Response:
    """Schedule one lesson of a class or subgroup; no time given: the bell schedule's (a
    teacher: a lesson of their own, of a subject they are assigned in that group)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_group(container, payload.group_id))
    outcome = container.journal.create_lesson(
        command, payload.group_id, payload.subject_id, payload.teacher_id, payload.day,
        payload.number, payload.start, payload.end, payload.room, payload.topic, payload.shift,
    )
    return command_response(outcome, 201)


@router.post(
    "/v1/classes/{class_id}/lessons", **io(CommandResult, request=GenerateLessons, status=201)
)
def generate_lessons(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[GenerateLessons, Depends(body(GenerateLessons))],
) -> Response:
    """Lessons of a class and its subgroups for a date range from a weekly timetable (a
    teacher: only slots of their own teaching assignments)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_group(container, class_id))
    outcome = container.journal.generate_lessons(
        command, class_id, payload.start, payload.end, payload.slots
    )
    return command_response(outcome, 201)


@router.post(
    "/v1/classes/{class_id}/lessons/cancellations", **io(CommandResult, request=CancelLessons)
)
def cancel_lessons(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[CancelLessons, Depends(body(CancelLessons))],
) -> Response:
    """Cancel every lesson of a class (or one subgroup) in a date range, e.g. a quarantine."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_group(container, class_id))
    outcome = container.journal.cancel_lessons(
        command, class_id, payload.start, payload.end, payload.reason
    )
    return command_response(outcome)


@router.post(CHANGES + "/substitution", **io(CommandResult, request=SubstituteTeacher))
def substitute_teacher(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[SubstituteTeacher, Depends(body(SubstituteTeacher))],
) -> Response:
    """Another teacher takes the lesson; `substitute_id` null: its own teacher again."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.substitute_teacher(
        command, lesson_id, payload.substitute_id, payload.reason, version
    )
    return command_response(outcome)


@router.post(CHANGES + "/cancellation", **io(CommandResult, request=LessonChange))
def cancel_lesson(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[LessonChange, Depends(body(LessonChange))],
) -> Response:
    """Cancel a lesson that has no marks, with a reason; its place is freed."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.cancel_lesson(command, lesson_id, payload.reason, version)
    return command_response(outcome)


@router.post(CHANGES + "/reinstatement", **io(CommandResult, request=LessonChange))
def reinstate_lesson(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[LessonChange, Depends(body(LessonChange))],
) -> Response:
    """Undo a cancellation, if the lesson's place is still free."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.reinstate_lesson(command, lesson_id, payload.reason, version)
    return command_response(outcome)


@router.post(CHANGES + "/room", **io(CommandResult, request=ChangeRoom))
def change_room(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[ChangeRoom, Depends(body(ChangeRoom))],
) -> Response:
    """Move the lesson to another room (null: no room), with a reason."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.change_room(
        command, lesson_id, payload.room, payload.reason, version
    )
    return command_response(outcome)


@router.post(CHANGES + "/time", **io(CommandResult, request=ChangeLessonTime))
def change_lesson_time(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[ChangeLessonTime, Depends(body(ChangeLessonTime))],
) -> Response:
    """Another lesson number and/or time; no time given: the bell schedule's."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.change_lesson_time(
        command, lesson_id, payload.number, payload.reason, payload.start, payload.end,
        payload.shift, version,
    )
    return command_response(outcome)


@router.post(CHANGES + "/subject", **io(CommandResult, request=ChangeLessonSubject))
def change_lesson_subject(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep,
    payload: Annotated[ChangeLessonSubject, Depends(body(ChangeLessonSubject))],
) -> Response:
    """Another subject for a lesson that has no marks, with a reason."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.change_lesson_subject(
        command, lesson_id, payload.subject_id, payload.reason, version
    )
    return command_response(outcome)


@router.post(CHANGES + "/move", **io(CommandResult, request=MoveLesson))
def move_lesson(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[MoveLesson, Depends(body(MoveLesson))],
) -> Response:
    """Move a lesson that has no marks to another day (and optionally number and time)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of_lesson(container, lesson_id))
    outcome = container.journal.move_lesson(
        command, lesson_id, payload.day, payload.reason, payload.number, payload.start,
        payload.end, payload.shift, version,
    )
    return command_response(outcome)


@router.put("/v1/lessons/{lesson_id}/topic", **io(CommandResult, request=SetLessonTopic))
def set_lesson_topic(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[SetLessonTopic, Depends(body(SetLessonTopic))],
) -> Response:
    """The lesson's topic, by its teacher, substitute or an administrator (null clears it)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.set_lesson_topic(command, lesson_id, payload.topic, version)
    return command_response(outcome)
