"""Commands on a lesson's journal: marks and attendance.

Only the lesson's teacher, its substitute or a school administrator keeps the journal;
a mark or an absence is only for a student of the lesson's group on the lesson's day,
never on a cancelled lesson. A mark's lateness is judged in the school's time zone and
shifts at the instant it is placed, which is its event's timestamp.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from uuid import UUID, uuid4

from domain.commands.lessons import LessonCommands
from domain.commands.support import answer, fields_prefixed, fields_under, pinned_clock
from domain.deadlines import zone
from domain.errors import DomainError, InvalidValue
from domain.journal import Command, Decision, Outcome
from domain.lesson import Lesson
from domain.marks import Attendance, MarkEntry
from domain.work_types import WorkTypeCatalogue, validated_weight


class MarkCommands(LessonCommands):
    def place_marks(
        self, command: Command, lesson_id: UUID, marks: Sequence[MarkEntry],
        expected_version: int | None = None,
    ) -> Outcome:
        """Marks for many students of one lesson, all or none; each flagged late or not."""

        def decide() -> Decision:
            if not marks:
                raise InvalidValue("marks", "give at least one mark")
            lesson = self._lesson_and_around(lesson_id, expected_version)
            school = self.check_journal_keeper(command, lesson)
            work_types = self.get_work_types(school.id)
            roster = self.roster_of(lesson)
            placed = []
            two_shifts, tz = school.shifts == 2, zone(school.time_zone)
            with pinned_clock() as now:
                try:
                    for entry in marks:
                        work_type = work_types.get(entry.work_type_id)
                        mark = lesson.place_mark(
                            uuid4(), entry.student_id, work_type,
                            work_types.check_value(work_type, entry.value),
                            work_type.weight if entry.weight is None
                            else validated_weight(entry.weight),
                            now, roster, two_shifts, tz,
                        )
                        placed.append({"id": str(mark.id), "student_id": str(mark.student_id),
                                       "late": mark.late})
                except DomainError as error:  # the refused mark is the one after those placed
                    fields_prefixed(error, f"marks[{len(placed)}]")
                    raise
            # A school's first marks also record its built-in work types.
            aggregates = [lesson, work_types] if work_types.pending_events else [lesson]
            return Decision(answer(lesson, marks=placed), aggregates)

        return self.execute(command, "place_marks", decide)

    def _lesson_and_around(
        self, lesson_id: UUID, expected_version: int | None, needed: bool = True
    ) -> Lesson:
        """The lesson, brought up to date, with its school, work types and group: those only
        read, so lent from the cache unread (the decision may run twice). A cached lesson
        names them (they never change): one query; else two if `needed`, else one."""
        known = self.cached(lesson_id)
        self.read_ahead(lesson_id, unread=_around(known) if isinstance(known, Lesson) else ())
        lesson = self.get_lesson(lesson_id, expected_version)
        self.read_ahead(unread=_around(lesson), read_missing=needed)
        return lesson

    def _keep_journal(
        self, command: Command, name: str, lesson_id: UUID, expected_version: int | None,
        change: Callable[[Lesson], None], administrator_only: bool = False,
    ) -> Outcome:
        def decide() -> Decision:
            lesson = self._lesson_and_around(lesson_id, expected_version, needed=False)
            if administrator_only:
                self.check_administrator(command, self.get_school(lesson.school_id))
            else:
                self.check_journal_keeper(command, lesson)
            change(lesson)
            return Decision(answer(lesson), [lesson])

        return self.execute(command, name, decide)

    def change_mark(
        self, command: Command, lesson_id: UUID, mark_id: UUID, value: str, reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def change(lesson: Lesson) -> None:
            work_types = self.get_work_types(lesson.school_id)
            mark = lesson.mark(mark_id)
            work_type = work_types.work_types[mark.work_type_id]
            lesson.change_mark(mark_id, work_types.check_value(work_type, value), reason)

        return self._keep_journal(command, "change_mark", lesson_id, expected_version, change)

    def remove_mark(
        self, command: Command, lesson_id: UUID, mark_id: UUID, reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._keep_journal(command, "remove_mark", lesson_id, expected_version,
                                  lambda lesson: lesson.remove_mark(mark_id, reason))

    def record_attendance(
        self, command: Command, lesson_id: UUID, attendance: Mapping[UUID, Attendance],
        expected_version: int | None = None,
    ) -> Outcome:
        """The teacher's entries for many students (PRESENT clears an absence)."""

        def change(lesson: Lesson) -> None:
            roster = self.roster_of(lesson)
            for student_id, status in attendance.items():
                with fields_under(f"attendance[{student_id}]"):
                    lesson.record_attendance(student_id, status, roster)

        return self._keep_journal(command, "record_attendance", lesson_id, expected_version,
                                  change)

    def override_attendance(
        self, command: Command, lesson_id: UUID, student_id: UUID, status: Attendance,
        reason: str, expected_version: int | None = None,
    ) -> Outcome:
        """An administrator's correction; the teacher's entry is kept, the override wins."""
        return self._keep_journal(
            command, "override_attendance", lesson_id, expected_version,
            lambda lesson: lesson.override_attendance(student_id, status, reason,
                                                      self.roster_of(lesson)),
            administrator_only=True,
        )

    def withdraw_attendance_override(
        self, command: Command, lesson_id: UUID, student_id: UUID, reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._keep_journal(
            command, "withdraw_attendance_override", lesson_id, expected_version,
            lambda lesson: lesson.withdraw_attendance_override(student_id, reason),
            administrator_only=True,
        )


def _around(lesson: Lesson) -> tuple[UUID, UUID, UUID]:
    """What keeping a lesson's journal loads: its school, work types and group."""
    return lesson.school_id, WorkTypeCatalogue.create_id(lesson.school_id), lesson.group_id
