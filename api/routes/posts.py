"""Walls and posts («записи»): the school's wall and each class's wall, newest first.

The school's staff post on the school's wall; a class's homeroom teacher (or a school
administrator) on the class's wall, for the class or for its parents only. Everyone of the
school reads its wall; a class's students and parents read the class's wall (the parents
also the posts for parents); staff, administrators and auditors read all.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import CommandDep, IfMatchDep, PrincipalDep, ServicesDep, read_after
from api.distance_schemas import EditPost, PostView, PublishClassPost, PublishSchoolPost, WallPage
from api.io import body, encode, io
from api.policy import Action, authorize
from api.results import command_response
from api.schemas import CommandResult
from api.sharing import check_reader, walls
from domain.errors import GroupNotFound, SchoolNotFound
from domain.posts import PostNotFound

router = APIRouter(tags=["walls"])
Fresh = read_after("walls")
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("/v1/schools/{school_id}/wall",
             **io(CommandResult, request=PublishSchoolPost, status=201))
def publish_school_post(
    school_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[PublishSchoolPost, Depends(body(PublishSchoolPost))],
) -> Response:
    """Post on the school's wall, for everyone of the school (by its staff)."""
    authorize(caller, Action.SHARE, str(school_id))
    outcome = container.journal.publish_school_post(command, school_id, payload.text,
                                                    payload.file_ids)
    return command_response(outcome, 201)


@router.post("/v1/classes/{class_id}/wall",
             **io(CommandResult, request=PublishClassPost, status=201))
def publish_class_post(
    class_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[PublishClassPost, Depends(body(PublishClassPost))],
) -> Response:
    """Post on a class's wall, for the class or its parents (by its homeroom teacher)."""
    authorize(caller, Action.SHARE, str(container.journal.get_group(class_id).school_id))
    outcome = container.journal.publish_class_post(command, class_id, payload.text,
                                                   payload.audience, payload.file_ids)
    return command_response(outcome, 201)


@router.get("/v1/schools/{school_id}/wall", dependencies=[Fresh], **io(WallPage))
def school_wall(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """The school's wall, newest first."""
    authorize(caller, Action.READ_SHARED, str(school_id))
    queries = walls(container)
    if queries.roster.doc("school", str(school_id)) is None:
        raise SchoolNotFound(f"no school with id {school_id}")
    allowed = check_reader(caller, queries.roster, str(school_id))
    items, next_cursor = queries.wall(str(school_id), sorted(allowed & {"school"}), cursor,
                                      limit)
    return encode({"items": items, "next_cursor": next_cursor}, request=request)


@router.get("/v1/classes/{class_id}/wall", dependencies=[Fresh], **io(WallPage))
def class_wall(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """A class's wall, newest first: the posts for the class, and for parents to parents."""
    queries = walls(container)
    group = queries.roster.group(str(class_id))
    if group is None or group["kind"] != "class":
        raise GroupNotFound(f"no class with id {class_id}")
    authorize(caller, Action.READ_SHARED, group["school_id"])
    allowed = check_reader(caller, queries.roster, group["school_id"], str(class_id))
    audiences = sorted(allowed & {"class", "class_parents"})
    items, next_cursor = queries.wall(str(class_id), audiences, cursor, limit)
    return encode({"items": items, "next_cursor": next_cursor}, request=request)


@router.get("/v1/posts/{post_id}", dependencies=[Fresh], **io(PostView))
def get_post(
    post_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """One post; ETag is its version for If-Match."""
    queries = walls(container)
    post = queries.post(str(post_id))
    if post is None:
        raise PostNotFound(f"no post with id {post_id}")
    authorize(caller, Action.READ_SHARED, post["school_id"])
    class_id = post["wall_id"] if post["wall"] == "class" else None
    check_reader(caller, queries.roster, post["school_id"], class_id, post["audience"])
    return encode(post, headers={"ETag": f'"{post["version"]}"'}, request=request)


@router.patch("/v1/posts/{post_id}", **io(CommandResult, request=EditPost))
def edit_post(
    post_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep, payload: Annotated[EditPost, Depends(body(EditPost))],
) -> Response:
    """Correct a post's text (its author; If-Match supported)."""
    authorize(caller, Action.SHARE, str(container.journal.get_post(post_id).school_id))
    return command_response(container.journal.edit_post(command, post_id, payload.text, version))


@router.delete("/v1/posts/{post_id}", **io(CommandResult))
def remove_post(
    post_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    version: IfMatchDep,
    reason: Annotated[str, Query(max_length=500, description="why it is removed")] = "",
) -> Response:
    """Remove a post from its wall (its author or a school administrator)."""
    authorize(caller, Action.SHARE, str(container.journal.get_post(post_id).school_id))
    return command_response(container.journal.remove_post(command, post_id, reason, version))
