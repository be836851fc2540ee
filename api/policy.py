"""Authorization in one place, deny by default: every route asks `authorize`."""

from __future__ import annotations

import logging
from collections.abc import Collection
from enum import StrEnum
from typing import Any, NoReturn, Protocol

from api.auth import Principal, Role
from api.problems import ProblemError

log = logging.getLogger("zhurnal.access")


class Action(StrEnum):
    MANAGE_SCHOOLS = "manage_schools"  # register schools (system administrator)
    MANAGE_SCHOOL = "manage_school"  # a school's requisites, staff, classes, roster
    MANAGE_PEOPLE = "manage_people"
    READ_REGISTRY = "read_registry"
    READ_OPERATIONS = "read_operations"  # projection status, lag
    SET_UP_SCHOOL_YEAR = "set_up_school_year"  # calendar, subjects, work types, assignments,
    # and lesson changes that reorganise the timetable (substitution, cancellation, move,
    # subject, room, time); the domain checks the administrator too
    WRITE_JOURNAL = "write_journal"  # scheduling lessons, topics, marks, attendance, homework
    # (the domain checks who: a teacher their own lessons and teaching assignments)
    WORK_ON_HOMEWORK = "work_on_homework"  # a student starts and submits their homework
    SHARE = "share"  # publish posts, upload files (the domain checks who may, and where)
    READ_SHARED = "read_shared"  # walls, files, lesson materials and video links (the views
    # check that the caller belongs to the school or class)
    TEACH_ONLINE = "teach_online"  # video lessons, lesson materials (the domain checks who)
    LINK_SFERUM = "link_sferum"  # link a Сферум study profile (one's own, or as an admin)
    READ_DIARY = "read_diary"  # a student's diary (see `authorize_student`)
    READ_JOURNAL = "read_journal"  # teacher journal grids and the lesson change feed
    READ_STATISTICS = "read_statistics"  # a student's or a class's statistics
    READ_COMPLIANCE = "read_compliance"  # deadline compliance of schools, teachers, classes
    READ_AUDIT = "read_audit"  # entity histories, activity, as-of views, the audit chain
    ERASE_PERSONAL_DATA = "erase_personal_data"  # crypto-shredding of a person (152-ФЗ)
    READ_EXPORT = "read_export"  # the federal export: deltas, acknowledgements, held, status


_DISTANCE: dict[Role, frozenset[Action]] = {
    Role.SCHOOL_ADMIN: frozenset(
        {Action.SHARE, Action.READ_SHARED, Action.TEACH_ONLINE, Action.LINK_SFERUM}),
    Role.TEACHER: frozenset(
        {Action.SHARE, Action.READ_SHARED, Action.TEACH_ONLINE, Action.LINK_SFERUM}),
    Role.STUDENT: frozenset({Action.SHARE, Action.READ_SHARED, Action.LINK_SFERUM}),
    Role.PARENT: frozenset({Action.READ_SHARED, Action.LINK_SFERUM}),
    Role.AUDITOR: frozenset({Action.READ_SHARED}),
}
_DISTANCE_ACTIONS = frozenset().union(*_DISTANCE.values())


def _allows_distance(principal: Principal, action: Action, school_id: str | None) -> bool:
    """Distance learning and communication: a role's actions, within its token's school."""
    if action not in _DISTANCE.get(principal.role, frozenset()):
        return False
    if principal.role is Role.SCHOOL_ADMIN:
        return school_id is None or school_id == principal.school_id
    return not (principal.school_id and school_id and school_id != principal.school_id)


_VIEWS: dict[Role, frozenset[Action]] = {
    Role.SCHOOL_ADMIN: frozenset({Action.READ_DIARY, Action.READ_JOURNAL, Action.READ_STATISTICS,
                                  Action.READ_COMPLIANCE}),
    Role.TEACHER: frozenset({Action.READ_DIARY, Action.READ_JOURNAL, Action.READ_STATISTICS}),
    Role.AUDITOR: frozenset({Action.READ_DIARY, Action.READ_JOURNAL, Action.READ_STATISTICS,
                             Action.READ_COMPLIANCE}),
}
_VIEW_ACTIONS = frozenset().union(*_VIEWS.values())


def _allows_views(principal: Principal, action: Action, school_id: str | None) -> bool:
    """Journal views: auditors everywhere, school staff in their token's school only.

    Students and parents read a student's views through `authorize_student`."""
    if action not in _VIEWS.get(principal.role, frozenset()):
        return False
    if principal.role is Role.AUDITOR:
        return True
    return school_id is not None and school_id == principal.school_id


def allows(principal: Principal, action: Action, school_id: str | None = None) -> bool:
    role = principal.role
    if role is Role.ADMIN:
        return True
    if action in _VIEW_ACTIONS:
        return _allows_views(principal, action, school_id)
    if action in _DISTANCE_ACTIONS:
        return _allows_distance(principal, action, school_id)
    in_school = school_id is not None and school_id == principal.school_id
    if role is Role.SCHOOL_ADMIN:
        school_actions = (Action.MANAGE_SCHOOL, Action.READ_REGISTRY, Action.SET_UP_SCHOOL_YEAR,
                          Action.WRITE_JOURNAL, Action.ERASE_PERSONAL_DATA)
        # People: anyone new (no school yet), or the people of their own school.
        people = action is Action.MANAGE_PEOPLE and (school_id is None or in_school)
        return (action in school_actions and in_school) or people
    if role is Role.TEACHER:
        # Which lessons a teacher may schedule and write is a rule of the domain (their
        # teaching assignments; the lessons they teach or substitute).
        return action is Action.WRITE_JOURNAL
    if role is Role.STUDENT:
        return action is Action.WORK_ON_HOMEWORK
    if role is Role.AUDITOR:
        return action in (Action.READ_REGISTRY, Action.READ_OPERATIONS, Action.READ_AUDIT)
    if role is Role.EXPORTER:  # the exporter reads the export only
        return action is Action.READ_EXPORT
    return False


def authorize(principal: Principal, action: Action, school_id: str | None = None) -> None:
    """Refuse with 403 problem+json and a structured log line unless the policy allows."""
    if not allows(principal, action, school_id):
        refuse(principal, action, school_id)


def refuse(
    principal: Principal, action: Action, school_id: str | None = None, detail: str | None = None,
) -> NoReturn:
    """403 problem+json and the structured log line of every refusal."""
    log.warning(
        "access denied",
        extra={"subject": principal.subject, "role": principal.role.value,
               "action": action.value, "school_id": school_id},
    )
    raise ProblemError(
        403, "Forbidden", detail or f"the role {principal.role.value} may not {action.value}",
        "Forbidden",
    )


def authorize_in_any(principal: Principal, action: Action, schools: Collection[str]) -> None:
    """An action on a person: allowed in one of the schools the person belongs to (for a
    person of no school yet, only where no school is needed: admins, people managers)."""
    if any(allows(principal, action, school) for school in sorted(schools)):
        return
    if not schools and allows(principal, action, None):
        return
    refuse(principal, action, ",".join(sorted(schools)) or None)


def authorize_person(principal: Principal, person_id: str, schools: Collection[str],
                     represented: bool) -> None:
    """A person's registry record: the person, their representatives, the administrators
    of their schools, auditors and administrators."""
    if principal.role in (Role.STUDENT, Role.PARENT) and principal.subject == person_id:
        return
    if principal.role is Role.PARENT and represented:
        return
    if principal.role in (Role.STUDENT, Role.PARENT):
        refuse(principal, Action.READ_REGISTRY)
    authorize_in_any(principal, Action.READ_REGISTRY, schools)


def sees_documents(principal: Principal, schools: Collection[str]) -> bool:
    """Whole identity documents: administrators, and the administrators of the person's
    school; everyone else reads them masked."""
    return principal.role is Role.ADMIN or (
        principal.role is Role.SCHOOL_ADMIN and principal.school_id in schools)


def authorize_gradebook(principal: Principal, school_id: str, teachers: Collection[str]) -> None:
    """Period, annual and final marks: the school's administrators, or a teacher who teaches
    the subject to the class (or to one of its subgroups)."""
    authorize(principal, Action.WRITE_JOURNAL, school_id)
    if principal.role is Role.TEACHER and principal.subject not in teachers:
        refuse(principal, Action.WRITE_JOURNAL, school_id,
               "only a teacher of the subject in this class puts its marks")


class Documents(Protocol):
    """The registries, as the policy reads them (kind, pk -> document)."""

    def document(self, kind: str, pk: str) -> dict[str, Any] | None: ...


def student_class(registries: Documents, student_id: str) -> dict[str, Any] | None:
    """The student's current class (its group document), from the registries."""
    student = registries.document("student", student_id)
    return registries.document("group", student["class_id"]) if student else None


def teaches_in(registries: Documents, teacher_id: str, group: dict[str, Any]) -> bool:
    """Whether the teacher teaches in the group's class (the class itself or one of its
    subgroups, any subject, currently assigned) or is the class's homeroom teacher."""
    class_id = str(group["parent_id"] or group["id"])
    if registries.document("teaches_in", f"{teacher_id}:{class_id}"):
        return True
    homeroom = group if class_id == group["id"] else registries.document("group", class_id)
    return homeroom is not None and homeroom.get("homeroom_teacher_id") == teacher_id


def authorize_group(
    principal: Principal, action: Action, school_id: str, group_id: str, registries: Documents
) -> None:
    """A class's or subgroup's views: its school's staff, a teacher only in the classes they
    teach in or are the homeroom teacher of (DESIGN: "a teacher their groups")."""
    authorize(principal, action, school_id)
    if principal.role is Role.TEACHER:
        group = registries.document("group", group_id)
        if group is None or not teaches_in(registries, principal.subject, group):
            refuse(principal, action, school_id,
                   "a teacher reads the classes they teach in or are the homeroom teacher of")


def authorize_student(
    principal: Principal, action: Action, student_id: str, registries: Documents
) -> None:
    """A student's own views: the student, their legal representatives, the teachers of the
    student's class, the administrators of the student's school, auditors and
    administrators; no one else."""
    if principal.role is Role.STUDENT and principal.subject == student_id:
        return
    if principal.role is Role.PARENT:
        if registries.document("representative", f"{student_id}:{principal.subject}"):
            return
        authorize(principal, action, None)  # refused, and logged
    group = student_class(registries, student_id)
    school = str(group["school_id"]) if group else None
    authorize(principal, action, school)
    if principal.role is Role.TEACHER and (
            group is None or not teaches_in(registries, principal.subject, group)):
        refuse(principal, action, school,
               "a teacher reads the students of the classes they teach in")
