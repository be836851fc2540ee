"""Homework for a lesson, for its group or chosen students, and each student's workflow.

assigned -> in progress -> submitted -> checked, or submitted -> returned for rework ->
in progress again. Every action, and every comment of a teacher or a student, is an event.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.deadlines import Timeliness, homework_timeliness
from domain.errors import InvalidValue, NotFound, RuleViolated
from domain.lesson import Lesson

MAX_DURATION_MINUTES = 600


class HomeworkNotFound(NotFound):
    pass


class WorkStatus(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CHECKED = "checked"
    RETURNED = "returned"  # for rework


class Comment(msgspec.Struct, frozen=True):
    author_id: UUID
    text: str


class StudentWork(msgspec.Struct, frozen=True, kw_only=True):
    status: WorkStatus = WorkStatus.ASSIGNED
    file_ids: tuple[UUID, ...] = ()
    comments: tuple[Comment, ...] = ()


class HomeworkSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What the teacher gives: due at a later lesson (`due_lesson_id`) or on `due_date`."""

    text: str
    file_ids: tuple[UUID, ...] = ()
    due_lesson_id: UUID | None = None
    due_date: date | None = None
    result_file_required: bool = False
    duration_minutes: int | None = None
    work_type_id: UUID | None = None
    needs_checking: bool = False
    student_ids: tuple[UUID, ...] = ()  # empty: the whole group; else individual


def validated_spec(spec: HomeworkSpec, lesson: Lesson, due_date: date, roster: Set[UUID]) -> None:
    if not spec.text.strip():
        raise InvalidValue("text", "homework needs a text")
    if due_date < lesson.day:
        raise InvalidValue("due_date", "homework is due on or after its lesson")
    minutes = spec.duration_minutes
    if minutes is not None and not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise InvalidValue("duration_minutes", f"1 to {MAX_DURATION_MINUTES} minutes")
    for index, student_id in enumerate(spec.student_ids):
        if student_id not in roster:
            raise RuleViolated("individual homework is for students of the group",
                               {f"student_ids[{index}]": "not in the group on the lesson date"})
    if not roster:
        raise RuleViolated("the group has no students on the lesson date", {"lesson_id": "empty"})


class Homework(JournalAggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event("Assigned")
    def __init__(
        self, school_id: UUID, lesson_id: UUID, group_id: UUID, subject_id: UUID,
        text: str, file_ids: tuple[UUID, ...], due_lesson_id: UUID | None, due_date: date,
        result_file_required: bool, duration_minutes: int | None, work_type_id: UUID | None,
        needs_checking: bool, individual: bool, student_ids: tuple[UUID, ...],
        published_at: datetime, timeliness: Timeliness,
    ) -> None:
        self.school_id, self.lesson_id = school_id, lesson_id
        self.group_id, self.subject_id = group_id, subject_id
        self.text, self.file_ids = text, file_ids
        self.due_lesson_id, self.due_date = due_lesson_id, due_date
        self.result_file_required = result_file_required
        self.duration_minutes = duration_minutes
        self.work_type_id, self.needs_checking = work_type_id, needs_checking
        self.individual = individual
        self.published_at, self.timeliness = published_at, timeliness
        self.works = {student_id: StudentWork() for student_id in student_ids}

    @classmethod
    def assign(
        cls, lesson: Lesson, spec: HomeworkSpec, due_date: date, roster: Set[UUID],
        published_at: datetime, tz: ZoneInfo,
    ) -> Homework:
        """For the lesson's group on its day, or for chosen students; the timing flagged."""
        if lesson.cancelled:
            raise RuleViolated("the lesson is cancelled: no homework", {"lesson_id": "cancelled"})
        validated_spec(spec, lesson, due_date, roster)
        students = tuple(dict.fromkeys(spec.student_ids)) or tuple(sorted(roster, key=str))
        return cls(
            school_id=lesson.school_id, lesson_id=lesson.id, group_id=lesson.group_id,
            subject_id=lesson.subject_id, text=spec.text.strip(), file_ids=spec.file_ids,
            due_lesson_id=spec.due_lesson_id, due_date=due_date,
            result_file_required=spec.result_file_required,
            duration_minutes=spec.duration_minutes, work_type_id=spec.work_type_id,
            needs_checking=spec.needs_checking, individual=bool(spec.student_ids),
            student_ids=students, published_at=published_at,
            timeliness=homework_timeliness(lesson.day, published_at, tz),
        )

    def work_of(self, student_id: UUID) -> StudentWork:
        work = self.works.get(student_id)
        if work is None:
            raise RuleViolated("the homework is not assigned to this student",
                               {"student_id": "not assigned"})
        return work

    def _check_status(self, student_id: UUID, allowed: Sequence[WorkStatus], action: str) -> None:
        status = self.work_of(student_id).status
        if status not in allowed:
            raise RuleViolated(f"homework that is {status.value} cannot be {action}",
                               {"status": status.value})

    def _put(self, student_id: UUID, **changes: object) -> None:
        self.works[student_id] = msgspec.structs.replace(self.works[student_id], **changes)

    def start(self, student_id: UUID) -> None:
        self._check_status(student_id, (WorkStatus.ASSIGNED, WorkStatus.RETURNED), "started")
        self._work_started(student_id=student_id)

    @event("WorkStarted")
    def _work_started(self, student_id: UUID) -> None:
        self._put(student_id, status=WorkStatus.IN_PROGRESS)

    def submit(self, student_id: UUID, file_ids: Sequence[UUID]) -> None:
        self._check_status(student_id, (WorkStatus.IN_PROGRESS,), "submitted")
        if self.result_file_required and not file_ids:
            raise RuleViolated("this homework needs a file with the result",
                               {"file_ids": "a result file is required"})
        self._work_submitted(student_id=student_id, file_ids=tuple(file_ids))

    @event("WorkSubmitted")
    def _work_submitted(self, student_id: UUID, file_ids: tuple[UUID, ...]) -> None:
        self._put(student_id, status=WorkStatus.SUBMITTED, file_ids=file_ids)

    def check(self, student_id: UUID) -> None:
        self._check_status(student_id, (WorkStatus.SUBMITTED,), "checked")
        self._work_checked(student_id=student_id)

    @event("WorkChecked")
    def _work_checked(self, student_id: UUID) -> None:
        self._put(student_id, status=WorkStatus.CHECKED)

    def return_for_rework(self, student_id: UUID, author_id: UUID, comment: str) -> None:
        self._check_status(student_id, (WorkStatus.SUBMITTED,), "returned for rework")
        if not comment.strip():
            raise InvalidValue("comment", "say what to rework")
        self._returned_for_rework(student_id=student_id, author_id=author_id,
                                  comment=comment.strip())

    @event("ReturnedForRework")
    def _returned_for_rework(self, student_id: UUID, author_id: UUID, comment: str) -> None:
        work = self.works[student_id]
        self._put(student_id, status=WorkStatus.RETURNED,
                  comments=(*work.comments, Comment(author_id, comment)))

    def comment(self, student_id: UUID, author_id: UUID, text: str) -> None:
        self.work_of(student_id)
        if not text.strip():
            raise InvalidValue("text", "a comment needs a text")
        self._comment_added(student_id=student_id, author_id=author_id, text=text.strip())

    @event("CommentAdded")
    def _comment_added(self, student_id: UUID, author_id: UUID, text: str) -> None:
        work = self.works[student_id]
        self._put(student_id, comments=(*work.comments, Comment(author_id, text)))
