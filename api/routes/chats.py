"""Сферум: a person's study profile, and the chats the roster puts them in.

Linking a profile is what adds a person to their chats (the teachers' room, their class's,
their class's parents', a class's chat in a subject); the membership follows the roster and
a worker brings it to the platform.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.auth import Principal, Role
from api.deps import CommandDep, PrincipalDep, ServicesDep, read_after, schools_of
from api.distance_schemas import ChatList, ChatView, LinkSferumProfile
from api.io import body, encode, io
from api.policy import Action, authorize, authorize_in_any, refuse
from api.results import command_response
from api.schemas import CommandResult
from api.sharing import chats, check_reader, walls
from domain.errors import NotFound

router = APIRouter(tags=["Сферум"])
Fresh = read_after("chats")


def _check_self_or_admin(caller: Principal, person_id: UUID, container: ServicesDep) -> None:
    """A person's own profile and chats; administrators may act for anyone, a school's
    administrators for the people of their school."""
    authorize(caller, Action.LINK_SFERUM)
    if caller.subject != str(person_id) and caller.role not in (Role.ADMIN, Role.SCHOOL_ADMIN):
        refuse(caller, Action.LINK_SFERUM, None, "only the person links their own Сферум profile")
    if caller.subject != str(person_id) and caller.role is Role.SCHOOL_ADMIN:
        authorize_in_any(caller, Action.MANAGE_SCHOOL,
                         schools_of(container, caller, str(person_id)))


@router.put("/v1/people/{person_id}/sferum-profile",
            **io(CommandResult, request=LinkSferumProfile))
def link_profile(
    person_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    payload: Annotated[LinkSferumProfile, Depends(body(LinkSferumProfile))],
) -> Response:
    """Link the person's Сферум study profile (VK ID): they join their chats."""
    _check_self_or_admin(caller, person_id, container)
    return command_response(container.journal.link_sferum_profile(
        command, person_id, payload.profile_id))


@router.delete("/v1/people/{person_id}/sferum-profile", **io(CommandResult))
def unlink_profile(
    person_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """Unlink the profile: the person leaves their chats."""
    _check_self_or_admin(caller, person_id, container)
    return command_response(container.journal.unlink_sferum_profile(command, person_id, reason))


@router.get("/v1/people/{person_id}/chats", dependencies=[Fresh], **io(ChatList))
def person_chats(
    person_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """The chats the person belongs in (`in_chat`: has a profile, so is a member)."""
    _check_self_or_admin(caller, person_id, container)
    return encode({"items": chats(container).chats_of_person(str(person_id))}, request=request)


@router.get("/v1/schools/{school_id}/chats", dependencies=[Fresh], **io(ChatList))
def school_chats(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """Every chat of the school, with how many of its people are in it (staff only)."""
    authorize(caller, Action.READ_SHARED, str(school_id))
    check_reader(caller, walls(container).roster, str(school_id), audience="class_parents")
    return encode({"items": chats(container).chats_of_school(str(school_id))}, request=request)


@router.get("/v1/chats/{chat_id}", dependencies=[Fresh], **io(ChatView))
def get_chat(
    chat_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """A chat and its people: who is wanted in it, who is its admin (staff only)."""
    found = chats(container).chat(str(chat_id))
    if found is None or found["school_id"] is None:
        raise NotFound(f"no chat with id {chat_id}")
    authorize(caller, Action.READ_SHARED, found["school_id"])
    check_reader(caller, walls(container).roster, found["school_id"], audience="class_parents")
    return encode(found, request=request)
