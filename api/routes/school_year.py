"""The school year: the academic calendar, subjects, work types and teaching assignments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep
from api.io import body, io
from api.journal_schemas import (
    AddSubject,
    AddWorkType,
    AllowPlusMinusMarks,
    AssignTeacher,
    ChangeWorkType,
    OpenAcademicYear,
    RelieveTeacher,
    RenameSubject,
    Retirement,
    SetAttestationPeriods,
    SetBellSchedule,
    SetHolidays,
    SetPeriodMarksLead,
    SetStudyPeriods,
)
from api.policy import Action, authorize
from api.results import command_response
from api.schemas import CommandResult

router = APIRouter(tags=["school year"])
SCHOOL = "/v1/schools/{school_id}"
YEAR = SCHOOL + "/years/{year}"


def _school_of(container: ServicesDep, group_id: UUID) -> str:
    """The school of a class or subgroup, from the write side."""
    return str(container.journal.get_group(group_id).school_id)


# --- the academic year --------------------------------------------------------------------


@router.post(SCHOOL + "/years", **io(CommandResult, request=OpenAcademicYear, status=201))
def open_academic_year(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[OpenAcademicYear, Depends(body(OpenAcademicYear))],
) -> Response:
    """Open an academic year: periods, holidays, bells per shift, period-mark lead days."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.open_academic_year(
        command, school_id, payload.year, payload.attestation_kind,
        payload.attestation_periods, payload.study_periods, payload.holidays, payload.bells,
        payload.period_marks_lead_days,
    )
    return command_response(outcome, 201)


@router.put(YEAR + "/attestation-periods", **io(CommandResult, request=SetAttestationPeriods))
def set_attestation_periods(
    school_id: UUID, year: int, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetAttestationPeriods, Depends(body(SetAttestationPeriods))],
) -> Response:
    """Replace the year's quarters, trimesters or half-years (If-Match supported)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.set_attestation_periods(
        command, school_id, year, payload.kind, payload.periods, version
    )
    return command_response(outcome)


@router.put(YEAR + "/study-periods", **io(CommandResult, request=SetStudyPeriods))
def set_study_periods(
    school_id: UUID, year: int, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetStudyPeriods, Depends(body(SetStudyPeriods))],
) -> Response:
    """Replace the year's study periods (If-Match supported)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.set_study_periods(
        command, school_id, year, payload.periods, version
    )
    return command_response(outcome)


@router.put(YEAR + "/holidays", **io(CommandResult, request=SetHolidays))
def set_holidays(
    school_id: UUID, year: int, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetHolidays, Depends(body(SetHolidays))],
) -> Response:
    """Replace the year's holidays (If-Match supported)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.set_holidays(command, school_id, year, payload.holidays, version)
    return command_response(outcome)


@router.put(YEAR + "/bells/{shift}", **io(CommandResult, request=SetBellSchedule))
def set_bell_schedule(
    school_id: UUID, year: int, shift: int, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetBellSchedule, Depends(body(SetBellSchedule))],
) -> Response:
    """Replace the bell schedule of a shift (1 or 2) (If-Match supported)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.set_bell_schedule(
        command, school_id, year, shift, payload.bells, version
    )
    return command_response(outcome)


@router.put(YEAR + "/period-marks-lead", **io(CommandResult, request=SetPeriodMarksLead))
def set_period_marks_lead_days(
    school_id: UUID, year: int, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[SetPeriodMarksLead, Depends(body(SetPeriodMarksLead))],
) -> Response:
    """How many days before a period's end its marks may be put (If-Match supported)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.set_period_marks_lead_days(
        command, school_id, year, payload.days, version
    )
    return command_response(outcome)


# --- subjects -----------------------------------------------------------------------------


@router.post(SCHOOL + "/subjects", **io(CommandResult, request=AddSubject, status=201))
def add_subject(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AddSubject, Depends(body(AddSubject))],
) -> Response:
    """Add a subject to the school's catalogue; the answer names its `subject_id`."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.add_subject(command, school_id, payload.name, payload.short_name)
    return command_response(outcome, 201)


@router.put(SCHOOL + "/subjects/{subject_id}", **io(CommandResult, request=RenameSubject))
def rename_subject(
    school_id: UUID, subject_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[RenameSubject, Depends(body(RenameSubject))],
) -> Response:
    """Rename a subject (If-Match: the catalogue's version)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.rename_subject(
        command, school_id, subject_id, payload.name, payload.short_name, version
    )
    return command_response(outcome)


@router.post(
    SCHOOL + "/subjects/{subject_id}/retirement", **io(CommandResult, request=Retirement)
)
def retire_subject(
    school_id: UUID, subject_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, payload: Annotated[Retirement, Depends(body(Retirement))],
) -> Response:
    """Retire a subject, with a reason: no new lessons or assignments in it."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.retire_subject(command, school_id, subject_id, payload.reason)
    return command_response(outcome)


# --- work types ---------------------------------------------------------------------------


@router.post(SCHOOL + "/work-types", **io(CommandResult, request=AddWorkType, status=201))
def add_work_type(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AddWorkType, Depends(body(AddWorkType))],
) -> Response:
    """Add a work type (weight and scale); the answer names its `work_type_id`."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.add_work_type(
        command, school_id, payload.name, payload.weight, payload.scale
    )
    return command_response(outcome, 201)


@router.patch(SCHOOL + "/work-types/{work_type_id}", **io(CommandResult, request=ChangeWorkType))
def change_work_type(
    school_id: UUID, work_type_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, version: IfMatchDep,
    payload: Annotated[ChangeWorkType, Depends(body(ChangeWorkType))],
) -> Response:
    """Rename or reweigh a work type (If-Match: the catalogue's version)."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.change_work_type(
        command, school_id, work_type_id, payload.name, payload.weight, version
    )
    return command_response(outcome)


@router.post(
    SCHOOL + "/work-types/{work_type_id}/retirement", **io(CommandResult, request=Retirement)
)
def retire_work_type(
    school_id: UUID, work_type_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep, payload: Annotated[Retirement, Depends(body(Retirement))],
) -> Response:
    """Retire a work type, with a reason."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.retire_work_type(command, school_id, work_type_id,
                                                 payload.reason)
    return command_response(outcome)


@router.put(SCHOOL + "/plus-minus-marks", **io(CommandResult, request=AllowPlusMinusMarks))
def allow_plus_minus_marks(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AllowPlusMinusMarks, Depends(body(AllowPlusMinusMarks))],
) -> Response:
    """The school's option of marks like «5-» and «4+» on the five-point scale."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, str(school_id))
    outcome = container.journal.allow_plus_minus_marks(command, school_id, payload.allowed)
    return command_response(outcome)


# --- teaching assignments -----------------------------------------------------------------


@router.post(
    "/v1/classes/{class_id}/teaching-assignments", **io(CommandResult, request=AssignTeacher)
)
def assign_teacher(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AssignTeacher, Depends(body(AssignTeacher))],
) -> Response:
    """A teacher teaches a subject to a class or subgroup from a date."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of(container, class_id))
    outcome = container.journal.assign_teacher(
        command, class_id, payload.subject_id, payload.teacher_id, payload.on
    )
    return command_response(outcome)


@router.post(
    "/v1/classes/{class_id}/teaching-assignments/reliefs",
    **io(CommandResult, request=RelieveTeacher),
)
def relieve_teacher(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[RelieveTeacher, Depends(body(RelieveTeacher))],
) -> Response:
    """A teacher stops teaching a subject to a class or subgroup on a date, with a reason."""
    authorize(caller, Action.SET_UP_SCHOOL_YEAR, _school_of(container, class_id))
    outcome = container.journal.relieve_teacher(
        command, class_id, payload.subject_id, payload.teacher_id, payload.on, payload.reason
    )
    return command_response(outcome)
