"""Commands on lessons: scheduling one, generating a timetable, and every lesson change.

Who may do what is decided here, not by the API's policy:
- a school administrator schedules any lesson of the school and makes every change;
- a teacher schedules (one by one, or from a weekly timetable) only lessons they teach
  themselves, of a subject they are assigned to teach the group on each lesson's day
  (`TeachingAssignment`);
- the topic is set by the lesson's teacher, its substitute or an administrator;
- a substitution, a cancellation (also in bulk), a reinstatement, a move to another day, and
  a change of subject, room or time reorganise the school's timetable: administrators only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from typing import NamedTuple
from uuid import UUID

from domain.calendar import AcademicYear, AcademicYearNotFound, Bell, check_in_year
from domain.commands.calendar import CalendarCommands
from domain.commands.catalogue import CatalogueCommands
from domain.commands.support import answer, fields_under, person_id
from domain.edugroup import EduGroup, GroupKind
from domain.errors import InvalidValue, RuleViolated
from domain.journal import Command, Decision, Outcome
from domain.lesson import Lesson, LessonNotFound
from domain.schedule import ClassSchedule, TimetableSlot
from domain.school import School, StaffPosition
from domain.teaching import TeachingAssignment

ADMINISTRATIVE = (
    StaffPosition.ADMINISTRATOR, StaffPosition.DIRECTOR, StaffPosition.DEPUTY_DIRECTOR
)


class _SlotPlan(NamedTuple):
    """A timetable slot checked once: its group, its bell, who teaches it on a given day, and
    (for a teacher who plans their own lessons) the assignment each lesson is checked with."""

    slot: TimetableSlot
    group: EduGroup
    bell: Bell
    teacher_on: Callable[[date], UUID]
    assignment: TeachingAssignment | None


class LessonCommands(CatalogueCommands, CalendarCommands):
    def get_lesson(self, lesson_id: UUID, expected_version: int | None = None) -> Lesson:
        return self.load(Lesson, lesson_id, LessonNotFound, "lesson", expected_version)

    def get_schedule(self, school_id: UUID, class_id: UUID) -> ClassSchedule:
        return self.load_or_open(
            ClassSchedule, ClassSchedule.create_id(class_id), "class schedule",
            lambda: ClassSchedule(school_id=school_id, class_id=class_id),
        )

    def roster_of(self, lesson: Lesson) -> set[UUID]:
        """The lesson's class or subgroup on the lesson's day."""
        return self.get_group(lesson.group_id).roster_on(lesson.day)

    @staticmethod
    def is_administrator(school: School, actor: UUID | None) -> bool:
        """An administrator, director or deputy director of the school (a person)."""
        return actor is not None and any(school.employs(actor, p) for p in ADMINISTRATIVE)

    def check_administrator(self, command: Command, school: School) -> None:
        if not self.is_administrator(school, person_id(command.actor)):
            raise RuleViolated("only a school administrator may do this",
                               {"actor": "not an administrator of the school"})

    def lesson_planner(self, command: Command, school: School) -> UUID | None:
        """Who schedules lessons: None for a school administrator (any lesson of the school);
        otherwise the acting teacher of the school, who schedules only their own lessons."""
        actor = person_id(command.actor)
        if self.is_administrator(school, actor):
            return None
        if actor is None or not school.employs(actor, StaffPosition.TEACHER):
            raise RuleViolated(
                "only a school administrator, or a teacher for their own teaching assignments, "
                "schedules lessons", {"actor": "not an administrator or teacher of the school"})
        return actor

    @staticmethod
    def check_own_lesson(
        planner: UUID, assignment: TeachingAssignment, teacher_id: UUID, day: date
    ) -> None:
        """A teacher schedules a lesson they teach, of a subject they are assigned to teach
        the group on that day."""
        if teacher_id != planner:
            raise RuleViolated(
                "a teacher schedules only the lessons they teach: another teacher's lessons are "
                "scheduled by an administrator",
                {"teacher_id": "another teacher (only an administrator schedules their lessons)"})
        if not assignment.teaches(planner, day):
            raise RuleViolated(
                f"on {day:%d.%m.%Y} the teacher is not assigned to teach this subject to the "
                "group: a teacher schedules only lessons of their own teaching assignments "
                "(an administrator schedules the others, or assigns the teacher)",
                {"subject_id": f"the teacher is not assigned to this subject in the group on "
                               f"{day:%d.%m.%Y}"})

    def check_journal_keeper(self, command: Command, lesson: Lesson) -> School:
        """The lesson's teacher, its substitute, or a school administrator; returns the school."""
        school = self.get_school(lesson.school_id)
        actor = person_id(command.actor)
        if actor is None or not lesson.teaches(actor):
            self.check_administrator(command, school)
        return school

    def lesson_times(
        self, school_id: UUID, academic_year: int, shift: int, number: int,
        start: time | None, end: time | None,
    ) -> tuple[time, time]:
        """The times given, or the bell schedule's for that lesson number and shift."""
        if start is not None and end is not None:
            return start, end
        if start is not None or end is not None:
            raise InvalidValue("start" if start is None else "end",
                               "give both start and end, or neither for the bell schedule")
        try:
            bell = self.get_academic_year(school_id, academic_year).bell(shift, number)
        except AcademicYearNotFound:
            bell = None
        if bell is None:
            raise InvalidValue("start", f"no bell for lesson {number} in shift {shift}: "
                                        "give the time")
        return bell.start, bell.end

    def create_lesson(
        self, command: Command, group_id: UUID, subject_id: UUID, teacher_id: UUID, day: date,
        number: int, start: time | None = None, end: time | None = None,
        room: str | None = None, topic: str | None = None, shift: int = 1,
    ) -> Outcome:
        """One lesson of a class or subgroup; no time given: the bell schedule's. By a school
        administrator, or by the teacher of a subject they are assigned in the group."""

        def decide() -> Decision:
            group = self.get_group(group_id)
            self.get_subjects(group.school_id).get(subject_id)
            self.check_teacher(group.school_id, teacher_id)
            planner = self.lesson_planner(command, self.get_school(group.school_id))
            if planner is not None:
                assignment = self.get_teaching_assignment(group.id, subject_id)
                self.check_own_lesson(planner, assignment, teacher_id, day)
            times = self.lesson_times(group.school_id, group.academic_year, shift, number,
                                      start, end)
            lesson = Lesson.schedule(
                group.school_id, group.academic_year, _class_of(group), group.id, subject_id,
                teacher_id, day, number, *times, room=room, topic=topic,
            )
            schedule = self.get_schedule(group.school_id, lesson.class_id)
            schedule.place(lesson.id, group.id, day, number)
            return Decision(answer(lesson), [lesson, schedule])

        return self.execute(command, "create_lesson", decide)

    def generate_lessons(
        self, command: Command, class_id: UUID, start: date, end: date,
        slots: Sequence[TimetableSlot],
    ) -> Outcome:
        """Lessons of a class and its subgroups from a weekly timetable, holidays and days
        outside the study periods skipped; all saved at once. By a school administrator, or by
        a teacher for the slots of their own assignments (each lesson theirs on its day)."""

        def decide() -> Decision:
            klass = self.get_group(class_id)
            if klass.kind is not GroupKind.CLASS:
                raise RuleViolated("a timetable is for a class", {"class_id": "a subgroup"})
            planner = self.lesson_planner(command, self.get_school(klass.school_id))
            year = self.get_academic_year(klass.school_id, klass.academic_year)
            _check_range(year, start, end)
            plan = [self._slot_plan(klass, year, slot, f"slots[{i}]", planner) for i, slot in
                    enumerate(slots)]
            schedule = self.get_schedule(klass.school_id, klass.id)
            lessons = []
            for day in (start + timedelta(days=n) for n in range((end - start).days + 1)):
                if not year.is_study_day(day):
                    continue
                for index, (slot, group, bell, teacher_on, assignment) in enumerate(plan):
                    if slot.weekday != day.isoweekday():
                        continue
                    with fields_under(f"slots[{index}]"):
                        teacher_id = teacher_on(day)
                        if planner is not None and assignment is not None:
                            self.check_own_lesson(planner, assignment, teacher_id, day)
                        lesson = Lesson.schedule(
                            klass.school_id, klass.academic_year, klass.id, group.id,
                            slot.subject_id, teacher_id, day, slot.number, bell.start,
                            bell.end, room=slot.room,
                        )
                        schedule.place(lesson.id, group.id, day, slot.number)
                    lessons.append(lesson)
            ids = [str(lesson.id) for lesson in lessons]
            return Decision({"lesson_ids": ids, "count": len(ids)}, [*lessons, schedule])

        return self.execute(command, "generate_lessons", decide)

    def _slot_plan(
        self, klass: EduGroup, year: AcademicYear, slot: TimetableSlot, where: str,
        planner: UUID | None,
    ) -> _SlotPlan:
        """A slot checked once: its group, its bell, and who teaches it on a given day."""
        with fields_under(where):
            if not 1 <= slot.weekday <= 7:
                raise InvalidValue("weekday", "an ISO weekday: 1 (Monday) to 7 (Sunday)")
            group = klass if slot.group_id in (None, klass.id) else self.get_group(slot.group_id)
            if group.id != klass.id and group.parent_id != klass.id:
                raise RuleViolated("a slot is for the class or one of its subgroups",
                                   {"group_id": "not a subgroup of the class"})
            self.get_subjects(klass.school_id).get(slot.subject_id)
            bell = year.bell(slot.shift, slot.number)
            if bell is None:
                raise InvalidValue("number", f"no bell for lesson {slot.number} in shift "
                                             f"{slot.shift}")
            assignment = None
            if slot.teacher_id is None or planner is not None:
                assignment = self.get_teaching_assignment(group.id, slot.subject_id)
            if slot.teacher_id is not None:
                self.check_teacher(klass.school_id, slot.teacher_id)
                teacher_id = slot.teacher_id
                return _SlotPlan(slot, group, bell, lambda day: teacher_id, assignment)
            assigned = assignment
            assert assigned is not None
            return _SlotPlan(slot, group, bell, lambda day: _assigned_teacher(assigned, day),
                             assignment)

    def _change(
        self, command: Command, name: str, lesson_id: UUID, expected_version: int | None,
        change: Callable[[Lesson], None], reschedule: bool = False, by_keeper: bool = False,
    ) -> Outcome:
        """A change to one lesson, by a school administrator (`by_keeper`: also by the
        lesson's teacher or substitute); one that moves or cancels it also updates the
        schedule."""

        def decide() -> Decision:
            lesson = self.get_lesson(lesson_id, expected_version)
            if by_keeper:
                self.check_journal_keeper(command, lesson)
            else:
                self.check_administrator(command, self.get_school(lesson.school_id))
            change(lesson)
            if not reschedule:
                return Decision(answer(lesson), [lesson])
            schedule = self.get_schedule(lesson.school_id, lesson.class_id)
            if lesson.cancelled:
                schedule.release(lesson.id)
            else:
                schedule.place(lesson.id, lesson.group_id, lesson.day, lesson.number)
            return Decision(answer(lesson), [lesson, schedule])

        return self.execute(command, name, decide)

    def substitute_teacher(
        self, command: Command, lesson_id: UUID, substitute_id: UUID | None, reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """Another teacher takes the lesson; None: back to the lesson's own teacher."""

        def change(lesson: Lesson) -> None:
            if substitute_id is not None:
                self.check_teacher(lesson.school_id, substitute_id, "substitute_id")
            lesson.substitute(substitute_id, reason)

        return self._change(command, "substitute_teacher", lesson_id, expected_version, change)

    def cancel_lesson(
        self, command: Command, lesson_id: UUID, reason: str, expected_version: int | None = None
    ) -> Outcome:
        return self._change(command, "cancel_lesson", lesson_id, expected_version,
                            lambda lesson: lesson.cancel(reason), reschedule=True)

    def cancel_lessons(
        self, command: Command, group_id: UUID, start: date, end: date, reason: str
    ) -> Outcome:
        """Cancel the lessons of a class and its subgroups (or of one subgroup) from `start`
        to `end`, all in one save."""

        def decide() -> Decision:
            group = self.get_group(group_id)
            self.check_administrator(command, self.get_school(group.school_id))
            if end < start:
                raise InvalidValue("end", "the range ends on or after its start")
            schedule = self.get_schedule(group.school_id, _class_of(group))
            lessons = []
            for lesson_id in schedule.lessons_between(start, end):
                lesson = self.get_lesson(lesson_id)
                if group.kind is GroupKind.CLASS or lesson.group_id == group.id:
                    with fields_under(f"lessons[{lesson_id}]"):
                        lesson.cancel(reason)
                    schedule.release(lesson.id)
                    lessons.append(lesson)
            ids = [str(lesson.id) for lesson in lessons]
            return Decision({"lesson_ids": ids, "count": len(ids)}, [*lessons, schedule])

        return self.execute(command, "cancel_lessons", decide)

    def reinstate_lesson(
        self, command: Command, lesson_id: UUID, reason: str, expected_version: int | None = None
    ) -> Outcome:
        """Undo a cancellation, if the lesson's place in the timetable is still free."""

        return self._change(command, "reinstate_lesson", lesson_id, expected_version,
                            lambda lesson: lesson.reinstate(reason), reschedule=True)

    def change_room(
        self, command: Command, lesson_id: UUID, room: str | None, reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(command, "change_room", lesson_id, expected_version,
                            lambda lesson: lesson.change_room(room, reason))

    def change_lesson_time(
        self, command: Command, lesson_id: UUID, number: int, reason: str,
        start: time | None = None, end: time | None = None, shift: int = 1,
        expected_version: int | None = None,
    ) -> Outcome:
        """Another lesson number and/or time; no time given: the bell schedule's."""

        def change(lesson: Lesson) -> None:
            times = self.lesson_times(lesson.school_id, lesson.academic_year, shift, number,
                                      start, end)
            lesson.change_time(number, *times, reason)

        return self._change(command, "change_lesson_time", lesson_id, expected_version, change,
                            reschedule=True)

    def change_lesson_subject(
        self, command: Command, lesson_id: UUID, subject_id: UUID, reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def change(lesson: Lesson) -> None:
            self.get_subjects(lesson.school_id).get(subject_id)
            lesson.change_subject(subject_id, reason)

        return self._change(command, "change_lesson_subject", lesson_id, expected_version, change)

    def move_lesson(
        self, command: Command, lesson_id: UUID, day: date, reason: str,
        number: int | None = None, start: time | None = None, end: time | None = None,
        shift: int = 1, expected_version: int | None = None,
    ) -> Outcome:
        """To another day, optionally another number and time (a second change event)."""

        def change(lesson: Lesson) -> None:
            lesson.move(day, reason)
            if number is not None or start is not None or end is not None:
                new_number = lesson.number if number is None else number
                times = self.lesson_times(lesson.school_id, lesson.academic_year, shift,
                                          new_number, start, end)
                lesson.change_time(new_number, *times, reason)

        return self._change(command, "move_lesson", lesson_id, expected_version, change,
                            reschedule=True)

    def set_lesson_topic(
        self, command: Command, lesson_id: UUID, topic: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        """By the lesson's teacher, its substitute or a school administrator."""
        return self._change(command, "set_lesson_topic", lesson_id, expected_version,
                            lambda lesson: lesson.set_topic(topic), by_keeper=True)


def _class_of(group: EduGroup) -> UUID:
    return group.parent_id or group.id


def _check_range(year: AcademicYear, start: date, end: date) -> None:
    if end < start:
        raise InvalidValue("end", "the range ends on or after its start")
    check_in_year(start, year.year, "start")
    check_in_year(end, year.year, "end")


def _assigned_teacher(assignment: TeachingAssignment, day: date) -> UUID:
    teachers = assignment.teachers_on(day)
    if len(teachers) != 1:
        raise RuleViolated(
            f"{'no teacher is' if not teachers else 'several teachers are'} assigned to the "
            f"subject in the group on {day:%d.%m.%Y}: name the slot's teacher",
            {"teacher_id": "no single assigned teacher"},
        )
    return next(iter(teachers))
