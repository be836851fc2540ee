"""Distance lessons: a school's video platforms, a lesson's video link and its materials.

A teacher plans a video lesson on a lesson page; the school's platform (Сферум or Microsoft
Teams, set up by its administrator) makes the call and the link appears in the lesson for
the class. A school without the integration gets the seed's error (422); with several
platforms and none named, 422 asking to choose. Deleting the link removes it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import CommandDep, PrincipalDep, ServicesDep, read_after
from api.distance_schemas import (
    AttachMaterials,
    ConfigureIntegration,
    LessonOnline,
    PlanVideoLesson,
    VideoLessonPlanned,
)
from api.io import body, encode, io
from api.policy import Action, authorize
from api.problems import ProblemError
from api.results import command_response
from api.schemas import CommandResult, Page
from api.sharing import check_reader, conferences, distance, walls
from domain.errors import GroupNotFound, InvalidValue, NotFound
from domain.integrations import Platform
from domain.journal import Outcome
from domain.video_lessons import ConferencePlatform

log = logging.getLogger("zhurnal.video")
router = APIRouter(tags=["distance learning"])
Fresh = read_after("distance")


def _school_of_lesson(container: ServicesDep, lesson_id: UUID) -> str:
    return str(container.journal.get_lesson(lesson_id).school_id)


@router.put("/v1/schools/{school_id}/integrations/{platform}",
            **io(CommandResult, request=ConfigureIntegration))
def configure_integration(
    school_id: UUID, platform: Platform, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep,
    payload: Annotated[ConfigureIntegration, Depends(body(ConfigureIntegration))],
) -> Response:
    """Set up a video platform for the school (its administrator or the support)."""
    authorize(caller, Action.MANAGE_SCHOOL, str(school_id))
    return command_response(container.journal.configure_integration(
        command, school_id, platform, payload.organisation_id))


@router.delete("/v1/schools/{school_id}/integrations/{platform}", **io(CommandResult))
def remove_integration(
    school_id: UUID, platform: Platform, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep,
) -> Response:
    """Switch a video platform off for the school."""
    authorize(caller, Action.MANAGE_SCHOOL, str(school_id))
    return command_response(container.journal.remove_integration(command, school_id, platform))


@router.get("/v1/schools/{school_id}/integrations", dependencies=[Fresh], **io(Page))
def integrations(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """The school's configured video platforms."""
    authorize(caller, Action.READ_SHARED, str(school_id))
    check_reader(caller, walls(container).roster, str(school_id), audience="class_parents")
    return encode({"items": distance(container).integrations(str(school_id))}, request=request)


def _planned(outcome: Outcome) -> Response:
    answer = outcome.answer
    result = VideoLessonPlanned(position=outcome.position, id=UUID(answer["id"]),
                                version=answer["version"], platform=Platform(answer["platform"]),
                                url=answer["url"], replayed=outcome.replayed)
    headers = {"X-Log-Position": str(outcome.position), "ETag": f'"{result.version}"'}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return encode(result, 201, headers)


@router.post("/v1/lessons/{lesson_id}/video-lesson",
             **io(VideoLessonPlanned, request=PlanVideoLesson, status=201))
def plan_video_lesson(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[PlanVideoLesson, Depends(body(PlanVideoLesson))],
) -> Response:
    """«Запланировать дистанционный урок»: the platform makes the call, the link goes on
    the lesson (its teacher, substitute or a school administrator)."""
    authorize(caller, Action.TEACH_ONLINE, _school_of_lesson(container, lesson_id))
    journal = container.journal
    replay = journal.replayed(command, "plan_video_lesson")
    if replay is not None:
        return _planned(replay)
    request = journal.video_lesson_request(command, lesson_id, payload.platform)
    platform = conferences(container)
    try:
        conference = platform.create(request)
    except Exception as error:
        log.exception("the %s platform refused a call for lesson %s", request.platform,
                      lesson_id)
        raise ProblemError(502, "The video platform did not answer",
                           f"the {request.platform.value} platform could not create the call: "
                           f"{type(error).__name__}; retry later", "PlatformUnavailable",
                           headers={"Retry-After": "30"}) from None
    try:
        outcome = journal.plan_video_lesson(command, request, conference)
    except Exception:
        _cancel(platform, request.platform, conference.external_id)
        raise
    if outcome.replayed:  # a concurrent retry with the same key recorded its call first
        _cancel(platform, request.platform, conference.external_id)
    return _planned(outcome)


def _cancel(platform: ConferencePlatform, which: Platform, external_id: str) -> None:
    try:
        platform.cancel(which, external_id)
    except Exception:
        log.exception("could not cancel the %s call %s", which.value, external_id)


@router.delete("/v1/lessons/{lesson_id}/video-lesson", **io(CommandResult))
def remove_video_lesson(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """Delete the lesson's video link (the call is cancelled on the platform too)."""
    authorize(caller, Action.TEACH_ONLINE, _school_of_lesson(container, lesson_id))
    outcome = container.journal.remove_video_lesson(command, lesson_id, reason)
    if not outcome.replayed:
        _cancel(conferences(container), Platform(outcome.answer["platform"]),
                str(outcome.answer["external_id"]))
    return command_response(outcome)


@router.post("/v1/lessons/{lesson_id}/materials", **io(CommandResult, request=AttachMaterials))
def attach_materials(
    lesson_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[AttachMaterials, Depends(body(AttachMaterials))],
) -> Response:
    """Attach files of the school or of the lesson's class as the lesson's materials."""
    authorize(caller, Action.TEACH_ONLINE, _school_of_lesson(container, lesson_id))
    return command_response(container.journal.attach_lesson_materials(
        command, lesson_id, payload.file_ids))


@router.delete("/v1/lessons/{lesson_id}/materials/{file_id}", **io(CommandResult))
def detach_material(
    lesson_id: UUID, file_id: UUID, caller: PrincipalDep, container: ServicesDep,
    command: CommandDep,
) -> Response:
    """Take a file off the lesson's materials (the file itself stays)."""
    authorize(caller, Action.TEACH_ONLINE, _school_of_lesson(container, lesson_id))
    return command_response(container.journal.detach_lesson_material(command, lesson_id,
                                                                     file_id))


@router.get("/v1/lessons/{lesson_id}/online", dependencies=[Fresh], **io(LessonOnline))
def lesson_online(
    lesson_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """The lesson's video link («Войти») and its materials, for its class."""
    found = distance(container).lesson(str(lesson_id))
    if found is None:
        raise NotFound(f"the lesson {lesson_id} has no video lesson or materials")
    authorize(caller, Action.READ_SHARED, found["school_id"])
    check_reader(caller, walls(container).roster, found["school_id"], found["class_id"])
    return encode(found, request=request)


@router.get("/v1/classes/{class_id}/video-lessons", dependencies=[Fresh], **io(Page))
def class_video_lessons(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    start: Annotated[date, Query(description="first day")],
    end: Annotated[date | None, Query(description="last day (default: a week on)")] = None,
) -> Response:
    """The class's lessons with a video link between two days, by start time."""
    last = end or start + timedelta(days=6)
    if last < start or (last - start).days > 92:
        raise InvalidValue("end", "on or after start, at most 93 days")
    roster = walls(container).roster
    group = roster.group(str(class_id))
    if group is None or group["kind"] != "class":
        raise GroupNotFound(f"no class with id {class_id}")
    authorize(caller, Action.READ_SHARED, group["school_id"])
    check_reader(caller, roster, group["school_id"], str(class_id))
    items = distance(container).video_lessons(
        str(class_id), start.isoformat(), (last + timedelta(days=1)).isoformat())
    return encode({"items": items}, request=request)
