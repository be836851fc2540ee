"""The lesson journal (marks, attendance) and the gradebooks (period, annual, final marks).

A lesson's marks are placed for the whole class in one request, all or none; the answer
names each mark's id and whether it was late. Two teachers saving the same journal at once:
one wins, the other gets 409 (or 412 with a stale If-Match); nothing is overwritten.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.auth import Role
from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep
from api.io import body, io
from api.journal_schemas import (
    ChangeMark,
    OverrideAttendance,
    PlaceMarks,
    RecordAttendance,
    RemoveGrade,
    RemoveMark,
    SetGrades,
    SetPeriodMarks,
    WithdrawAttendanceOverride,
)
from api.policy import Action, authorize, authorize_gradebook
from api.results import command_response
from api.schemas import CommandResult
from projections.affiliations import subgroups

router = APIRouter(tags=["marks"])
LESSON = "/v1/lessons/{lesson_id}"
GRADEBOOK = "/v1/classes/{class_id}/gradebooks/{subject_id}"


def _school_of_lesson(container: ServicesDep, lesson_id: UUID) -> str:
    """The school of a lesson, from the write side (commands must not trust a lagging view)."""
    return str(container.journal.get_lesson(lesson_id).school_id)


def _school_of_group(container: ServicesDep, group_id: UUID) -> str:
    return str(container.journal.get_group(group_id).school_id)


def _authorize_gradebook(
    caller: PrincipalDep, container: ServicesDep, class_id: UUID, subject_id: UUID
) -> None:
    """A gradebook's marks: its school's administrators, or a current teacher of the subject
    in the class or one of its subgroups (from the write side; subgroups from the view)."""
    school_id = _school_of_group(container, class_id)
    teachers: set[str] = set()
    if caller.role is Role.TEACHER:
        groups = [class_id, *map(UUID, subgroups(container.registries.store, school_id,
                                                 str(class_id)))]
        for group in groups:
            assignment = container.journal.get_teaching_assignment(group, subject_id)
            teachers |= {str(t) for t, stints in assignment.teachers.items()
                         if stints and stints[-1].end is None}
    authorize_gradebook(caller, school_id, teachers)


# --- marks --------------------------------------------------------------------------------


@router.post(LESSON + "/marks", **io(CommandResult, request=PlaceMarks))
def place_marks(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[PlaceMarks, Depends(body(PlaceMarks))],
) -> Response:
    """Marks for many students of one lesson in one request, all or none, each flagged late."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.place_marks(command, lesson_id, payload.marks, version)
    return command_response(outcome)


@router.patch(LESSON + "/marks/{mark_id}", **io(CommandResult, request=ChangeMark))
def change_mark(
    lesson_id: UUID, mark_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[ChangeMark, Depends(body(ChangeMark))],
) -> Response:
    """Change a mark's value, with a reason (If-Match: the lesson's version)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.change_mark(
        command, lesson_id, mark_id, payload.value, payload.reason, version
    )
    return command_response(outcome)


@router.post(LESSON + "/marks/{mark_id}/removal", **io(CommandResult, request=RemoveMark))
def remove_mark(
    lesson_id: UUID, mark_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[RemoveMark, Depends(body(RemoveMark))],
) -> Response:
    """Remove a mark, with a reason; the log keeps it (If-Match: the lesson's version)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.remove_mark(command, lesson_id, mark_id, payload.reason, version)
    return command_response(outcome)


# --- attendance ---------------------------------------------------------------------------


@router.post(LESSON + "/attendance", **io(CommandResult, request=RecordAttendance))
def record_attendance(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[RecordAttendance, Depends(body(RecordAttendance))],
) -> Response:
    """The teacher's attendance entries for many students («present» clears an absence)."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.record_attendance(
        command, lesson_id, payload.attendance, version
    )
    return command_response(outcome)


@router.put(
    LESSON + "/attendance/{student_id}/override", **io(CommandResult, request=OverrideAttendance)
)
def override_attendance(
    lesson_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[OverrideAttendance, Depends(body(OverrideAttendance))],
) -> Response:
    """A school administrator's correction; it wins over the teacher's entry, which is kept."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.override_attendance(
        command, lesson_id, student_id, payload.status, payload.reason, version
    )
    return command_response(outcome)


@router.post(
    LESSON + "/attendance/{student_id}/override/withdrawal",
    **io(CommandResult, request=WithdrawAttendanceOverride),
)
def withdraw_attendance_override(
    lesson_id: UUID, student_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[WithdrawAttendanceOverride, Depends(body(WithdrawAttendanceOverride))],
) -> Response:
    """Withdraw an administrator's override, with a reason: the teacher's entry counts again."""
    authorize(caller, Action.WRITE_JOURNAL, _school_of_lesson(container, lesson_id))
    outcome = container.journal.withdraw_attendance_override(
        command, lesson_id, student_id, payload.reason, version
    )
    return command_response(outcome)


# --- gradebooks ---------------------------------------------------------------------------


@router.post(GRADEBOOK + "/period-marks", **io(CommandResult, request=SetPeriodMarks))
def set_period_marks(
    class_id: UUID, subject_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetPeriodMarks, Depends(body(SetPeriodMarks))],
) -> Response:
    """Marks for an attestation period, from its end minus the year's lead days."""
    _authorize_gradebook(caller, container, class_id, subject_id)
    outcome = container.journal.set_period_marks(
        command, class_id, subject_id, payload.period, payload.marks, payload.reason, version
    )
    return command_response(outcome)


@router.post(GRADEBOOK + "/annual-marks", **io(CommandResult, request=SetGrades))
def set_annual_marks(
    class_id: UUID, subject_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetGrades, Depends(body(SetGrades))],
) -> Response:
    """Annual marks, from the last attestation period's end minus the lead days."""
    _authorize_gradebook(caller, container, class_id, subject_id)
    outcome = container.journal.set_annual_marks(
        command, class_id, subject_id, payload.marks, payload.reason, version
    )
    return command_response(outcome)


@router.post(GRADEBOOK + "/final-marks", **io(CommandResult, request=SetGrades))
def set_final_marks(
    class_id: UUID, subject_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetGrades, Depends(body(SetGrades))],
) -> Response:
    """Final (examination) marks for students enrolled in the class during the year."""
    _authorize_gradebook(caller, container, class_id, subject_id)
    outcome = container.journal.set_final_marks(
        command, class_id, subject_id, payload.marks, payload.reason, version
    )
    return command_response(outcome)


@router.post(GRADEBOOK + "/removals", **io(CommandResult, request=RemoveGrade))
def remove_grade(
    class_id: UUID, subject_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[RemoveGrade, Depends(body(RemoveGrade))],
) -> Response:
    """Remove a student's period, annual or final mark, with a reason."""
    _authorize_gradebook(caller, container, class_id, subject_id)
    outcome = container.journal.remove_grade(
        command, class_id, subject_id, payload.kind, payload.student_id, payload.reason,
        payload.period, version,
    )
    return command_response(outcome)
