"""A synthetic region for the catch-up bench: schools, staff, classes, students, parents."""

from __future__ import annotations

import random
from datetime import date
from uuid import UUID

from domain import identifiers as ids
from domain.application import Journal
from domain.causation import Causation, acting
from domain.edugroup import EduGroup
from domain.journal import Command
from domain.person import (
    BirthCertificate,
    Documents,
    FullName,
    Passport,
    Person,
    RepresentativeKind,
    Sex,
)
from domain.school import Requisites, School, StaffPosition

LAST = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов")
FIRST = ("Артём", "Максим", "Иван", "Дмитрий", "Никита", "Егор", "Михаил", "Лев")
CLASS_LETTERS = "АБВГД"
YEAR = 2025
TODAY = date(2026, 1, 15)
ON = date(2025, 9, 1)


class Region:
    """Writes roughly `target` events through the journal, a class per `save()`."""

    def __init__(self, journal: Journal, seed: int = 1, class_size: int = 25) -> None:
        self.journal = journal
        self.rng = random.Random(seed)
        self.class_size = class_size
        self.commands = 0

    def name(self) -> FullName:
        return FullName(last=self.rng.choice(LAST), first=self.rng.choice(FIRST), middle=None)

    def child(self) -> Person:
        series, number = ids.make_birth_certificate(self.rng)
        documents = Documents(
            birth_certificate=BirthCertificate(series=series, number=number, issued_on=ON)
        )
        born = date(2010 + self.rng.randrange(8), 1 + self.rng.randrange(12), 1)
        return Person.register(self.name(), Sex.MALE, born, documents, TODAY)

    def adult(self) -> Person:
        series, number = ids.make_passport(self.rng)
        documents = Documents(passport=Passport(series=series, number=number, issued_on=ON))
        if self.rng.random() < 0.5:  # half the adults lack a document: identification gaps
            documents = Documents()
        return Person.register(self.name(), Sex.FEMALE, date(1985, 3, 8), documents, TODAY)

    def school(self, index: int) -> School:
        """A school through the command layer; every other one has all its requisites."""
        rng = self.rng
        requisites = Requisites(founder="Департамент образования")
        if index % 2 == 0:
            requisites = Requisites(
                ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
                kpp=ids.make_kpp(rng), okopf="75403", founder="Департамент образования",
                okato=ids.make_okato(rng), oktmo=ids.make_oktmo(rng),
                phones=(ids.make_phone(rng),),
            )
        outcome = self.journal.register_school(
            Command(actor="bench"), f"Школа №{index + 1}", "Europe/Moscow", 1 + index % 2,
            requisites,
        )
        self.commands += 1
        return self.journal.get_school(UUID(outcome.answer["id"]))

    def school_class(self, school: School, name: str, late: list[Person]) -> list[Person]:
        """A teacher, a class with its students and one parent each, saved atomically."""
        # The log order of real commands: people exist before they are linked or enrolled.
        teacher = self.adult()
        school.appoint_staff(teacher.id, StaffPosition.TEACHER)
        group = EduGroup.open_class(school.id, YEAR, name)
        group.assign_homeroom_teacher(teacher.id)
        people: list[Person] = [teacher]
        students: list[Person] = []
        for _ in range(self.class_size):
            student, parent = self.child(), self.adult()
            student.link_representative(parent.id, RepresentativeKind.MOTHER)
            group.enrol(student.id, ON)
            student.place_in_class(group.id, ON)
            people.append(parent)
            students.append(student)
        # Corrections of people registered earlier ride along: find() has work to do.
        for person in late:
            person.correct_personal_data(self.name(), person.sex, person.birth_date, TODAY)
        self.journal.save(*people, *students, school, group, *late)
        return students

    def generate(self, target: int, classes_per_school: int = 12) -> int:
        """Write at least `target` events; returns the log position reached."""
        position, index = 0, 0
        students: list[Person] = []
        with acting(Causation(actor="bench")):
            while position < target:
                school = self.school(index)
                for number in range(classes_per_school):
                    name = f"{1 + number % 11}{CLASS_LETTERS[number // 11]}"
                    late = students[-self.class_size:][:: 10]  # ~1 in 10 gets corrected
                    students = self.school_class(school, name, late)
                    position = self.journal.recorder.max_notification_id() or 0
                    if position >= target:
                        break
                index += 1
        return position
