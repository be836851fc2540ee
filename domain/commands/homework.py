"""Commands on homework: assigning it (its timing flagged) and each step of a student's work.

Attached files are checked as lesson materials are (`check_attachable`): present files of the
lesson's school, on its profile or on the page of the lesson's class; a student's result files
must also be their own uploads. An unknown, deleted or foreign file refuses the command,
naming the item (`file_ids[1]`), and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from uuid import UUID

from domain.commands.files import FileCommands
from domain.commands.support import answer, person_id, pinned_clock
from domain.deadlines import zone
from domain.errors import InvalidValue, RuleViolated
from domain.homework import Homework, HomeworkNotFound, HomeworkSpec
from domain.journal import Command, Decision, Outcome
from domain.lesson import Lesson


class HomeworkCommands(FileCommands):
    def get_homework(self, homework_id: UUID, expected_version: int | None = None) -> Homework:
        return self.load(Homework, homework_id, HomeworkNotFound, "homework", expected_version)

    def assign_homework(self, command: Command, lesson_id: UUID, spec: HomeworkSpec) -> Outcome:
        """By the lesson's teacher, substitute or an administrator; published now, and
        flagged on time, too early or late against the lesson's day. Its files: the school's
        or the lesson's class's, like lesson materials."""

        def decide() -> Decision:
            lesson = self.get_lesson(lesson_id)
            school = self.check_journal_keeper(command, lesson)
            self.check_attachable(school.id, spec.file_ids, lesson.class_id)
            if spec.work_type_id is not None:
                self.get_work_types(school.id).get(spec.work_type_id)
            due_date = self._due_date(lesson, spec)
            with pinned_clock() as now:
                homework = Homework.assign(lesson, spec, due_date, self.roster_of(lesson), now,
                                           zone(school.time_zone))
            return Decision(answer(homework, timeliness=homework.timeliness.value), [homework])

        return self.execute(command, "assign_homework", decide)

    def _due_date(self, lesson: Lesson, spec: HomeworkSpec) -> date:
        if spec.due_lesson_id is None:
            if spec.due_date is None:
                raise InvalidValue("due_date", "give a due lesson or a due date")
            return spec.due_date
        due = self.get_lesson(spec.due_lesson_id)
        if due.group_id != lesson.group_id or due.subject_id != lesson.subject_id:
            raise RuleViolated("homework is due at a lesson of the same group and subject",
                               {"due_lesson_id": "another group or subject"})
        if due.cancelled:
            raise RuleViolated("the due lesson is cancelled", {"due_lesson_id": "cancelled"})
        if spec.due_date is not None and spec.due_date != due.day:
            raise InvalidValue("due_date", "the due date is the due lesson's day")
        return due.day

    def _step(
        self, command: Command, name: str, homework_id: UUID, expected_version: int | None,
        step: Callable[[Homework], None],
    ) -> Outcome:
        def decide() -> Decision:
            homework = self.get_homework(homework_id, expected_version)
            step(homework)
            return Decision(answer(homework), [homework])

        return self.execute(command, name, decide)

    def _check_student(self, command: Command, student_id: UUID) -> None:
        if person_id(command.actor) != student_id:
            raise RuleViolated("only the student does their homework",
                               {"actor": "not the student"})

    def _check_teacher_of(self, command: Command, homework: Homework) -> None:
        self.check_journal_keeper(command, self.get_lesson(homework.lesson_id))

    def start_homework(
        self, command: Command, homework_id: UUID, student_id: UUID,
        expected_version: int | None = None,
    ) -> Outcome:
        """The student starts (or, after a return for rework, restarts) the work."""

        def step(homework: Homework) -> None:
            self._check_student(command, student_id)
            homework.start(student_id)

        return self._step(command, "start_homework", homework_id, expected_version, step)

    def submit_homework(
        self, command: Command, homework_id: UUID, student_id: UUID,
        file_ids: Sequence[UUID] = (), expected_version: int | None = None,
    ) -> Outcome:
        """The student hands in their work; the result files are ones they uploaded (to the
        page of the lesson's class)."""

        def step(homework: Homework) -> None:
            self._check_student(command, student_id)
            homework.work_of(student_id)
            class_id = self.get_lesson(homework.lesson_id).class_id
            for index, stored in enumerate(
                self.check_attachable(homework.school_id, file_ids, class_id)
            ):
                stored.check_uploaded_by(student_id, f"file_ids[{index}]")
            homework.submit(student_id, file_ids)

        return self._step(command, "submit_homework", homework_id, expected_version, step)

    def check_homework(
        self, command: Command, homework_id: UUID, student_id: UUID,
        expected_version: int | None = None,
    ) -> Outcome:
        """The teacher accepts the submitted work (a mark for it is `place_marks`)."""

        def step(homework: Homework) -> None:
            self._check_teacher_of(command, homework)
            homework.check(student_id)

        return self._step(command, "check_homework", homework_id, expected_version, step)

    def return_homework(
        self, command: Command, homework_id: UUID, student_id: UUID, comment: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """The teacher returns the submitted work for rework, saying what to redo."""

        def step(homework: Homework) -> None:
            self._check_teacher_of(command, homework)
            author = person_id(command.actor)
            assert author is not None  # a journal keeper is a person
            homework.return_for_rework(student_id, author, comment)

        return self._step(command, "return_homework", homework_id, expected_version, step)

    def comment_homework(
        self, command: Command, homework_id: UUID, student_id: UUID, text: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """A comment on a student's work, by that student or by the lesson's teacher."""

        def step(homework: Homework) -> None:
            author = person_id(command.actor)
            if author != student_id:
                self._check_teacher_of(command, homework)
            assert author is not None
            homework.comment(student_id, author, text)

        return self._step(command, "comment_homework", homework_id, expected_version, step)
