"""Distance learning tests' helpers: a school with people in it, fake platforms."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from uuid import UUID

from domain.application import Journal
from domain.integrations import Platform
from domain.journal import Command
from domain.person import Documents, FullName, RepresentativeKind, Sex
from domain.school import Requisites, StaffPosition
from domain.video_lessons import Conference, ConferenceRequest

YEAR = 2024
FIRST_DAY = date(2024, 9, 2)


@dataclass
class World:
    """School № 1: an administrator, two teachers; 5А (homeroom: the first teacher) with
    three students and a parent each; 5Б empty; the subject «Математика»."""

    journal: Journal
    school_id: UUID
    admin_id: UUID
    teacher_id: UUID
    other_teacher_id: UUID
    class_a: UUID
    class_b: UUID
    subject_id: UUID
    students: list[UUID] = field(default_factory=list)
    parents: dict[UUID, UUID] = field(default_factory=dict)  # student -> parent

    def as_(self, actor: UUID | str) -> Command:
        return Command(actor=str(actor))

    @property
    def admin(self) -> Command:
        return self.as_(self.admin_id)

    def person(self, last: str, first: str = "Тест") -> UUID:
        outcome = self.journal.register_person(
            self.as_("system"), FullName(last=last, first=first), Sex.FEMALE, date(1990, 1, 1),
            Documents())
        return UUID(outcome.answer["id"])

    def lesson(self, day: date = date(2024, 9, 3), number: int = 1,
               group_id: UUID | None = None, teacher_id: UUID | None = None) -> UUID:
        outcome = self.journal.create_lesson(
            self.admin, group_id or self.class_a, self.subject_id, teacher_id or self.teacher_id,
            day, number, time(8, 30), time(9, 15))
        return UUID(outcome.answer["id"])

    def enable(self, *platforms: Platform) -> None:
        for platform in platforms:
            self.journal.configure_integration(self.admin, self.school_id, platform, "org-1")


def build_world(journal: Journal, students: int = 3) -> World:
    system = Command(actor="system")
    school_id = UUID(journal.register_school(
        system, "Школа № 1", "Europe/Moscow", 1, Requisites()).answer["id"])
    world = World(journal, school_id, *(UUID(int=0),) * 6)
    world.admin_id = world.person("Директорова", "Анна")
    journal.appoint_staff(system, school_id, world.admin_id, StaffPosition.ADMINISTRATOR)
    world.teacher_id = world.person("Классная", "Мария")
    world.other_teacher_id = world.person("Предметник", "Пётр")
    for teacher in (world.teacher_id, world.other_teacher_id):
        journal.appoint_staff(system, school_id, teacher, StaffPosition.TEACHER)
    world.class_a = UUID(journal.open_class(world.admin, school_id, YEAR, "5А",
                                            world.teacher_id).answer["id"])
    world.class_b = UUID(journal.open_class(world.admin, school_id, YEAR, "5Б").answer["id"])
    for index in range(students):
        student = world.person(f"Ученик{index}")
        journal.enrol_student(world.admin, world.class_a, student, FIRST_DAY)
        parent = world.person(f"Родитель{index}")
        journal.link_representative(world.admin, student, parent, RepresentativeKind.MOTHER)
        world.students.append(student)
        world.parents[student] = parent
    world.subject_id = UUID(journal.add_subject(world.admin, school_id, "Математика")
                            .answer["subject_id"])
    return world


class FakeConferences:
    """A video platform that makes a call per request, and can be told to fail."""

    def __init__(self) -> None:
        self.created: list[ConferenceRequest] = []
        self.cancelled: list[tuple[Platform, str]] = []
        self.fail = False
        self._ids = itertools.count(1)

    def create(self, request: ConferenceRequest) -> Conference:
        if self.fail:
            raise ConnectionError("the platform is down")
        self.created.append(request)
        number = next(self._ids)
        return Conference(f"https://{request.platform.value}.example/call/{number}",
                          f"call-{number}")

    def cancel(self, platform: Platform, external_id: str) -> None:
        self.cancelled.append((platform, external_id))


@dataclass
class Remote:
    id: str
    title: str
    members: dict[str, bool] = field(default_factory=dict)


class FakeChatPlatform:
    """VK Messenger as far as the reconciler sees it; counts every change it is asked for."""

    def __init__(self) -> None:
        self.chats: dict[str, Remote] = {}
        self.changes: list[tuple[str, ...]] = []
        self.fail_adds = 0  # fail this many add_member calls, then work
        self._lock = threading.Lock()

    def find_chat(self, key: str) -> Remote | None:
        return self.chats.get(key)

    def create_chat(self, key: str, title: str) -> Remote:
        with self._lock:
            self.changes.append(("create", key))
            self.chats[key] = Remote(f"remote-{len(self.chats) + 1}", title)
            return self.chats[key]

    def _chat(self, chat_id: str) -> Remote:
        return next(chat for chat in self.chats.values() if chat.id == chat_id)

    def rename_chat(self, chat_id: str, title: str) -> None:
        self.changes.append(("rename", chat_id, title))
        self._chat(chat_id).title = title

    def members(self, chat_id: str) -> dict[str, bool]:
        return dict(self._chat(chat_id).members)

    def add_member(self, chat_id: str, profile_id: str, admin: bool) -> None:
        if self.fail_adds > 0:
            self.fail_adds -= 1
            raise ConnectionError("VK API timeout")
        self.changes.append(("add", chat_id, profile_id))
        self._chat(chat_id).members[profile_id] = admin

    def set_admin(self, chat_id: str, profile_id: str, admin: bool) -> None:
        self.changes.append(("admin", chat_id, profile_id))
        self._chat(chat_id).members[profile_id] = admin

    def remove_member(self, chat_id: str, profile_id: str) -> None:
        self.changes.append(("remove", chat_id, profile_id))
        del self._chat(chat_id).members[profile_id]

    def membership(self, key: str) -> dict[str, bool]:
        chat = self.chats.get(key)
        return dict(chat.members) if chat else {}


def by_kind(chats: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [chat for chat in chats if chat["kind"] == kind]
