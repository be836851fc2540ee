"""`python -m bench.export [--db sqlite|postgres|both] [--classes N] [--records N]`: the federal
export projector catching up over a generated school year (records emitted per second), then
sealing one delta and serving it; then the same for a delta of `--records` records (the
year's records cloned under new keys, as many as it takes)."""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from api.app import create_app
from api.auth import LocalTokens, Role
from bench.common import Target, kinds, load, print_table, rate, scratch
from domain import identifiers as ids
from domain.calendar import AcademicYear, AttestationKind, Period
from domain.causation import Causation, acting
from domain.edugroup import EduGroup
from domain.gradebook import Gradebook
from domain.homework import Homework, HomeworkSpec
from domain.lesson import Lesson
from domain.marks import Attendance
from domain.person import BirthCertificate, Documents, FullName, Person, Sex
from domain.school import Requisites, School, StaffPosition
from domain.subjects import SubjectCatalogue
from domain.work_types import BuiltIn, Scale, WorkType, WorkTypeCatalogue, built_in_work_type_id
from projections.export_deltas import body, seal
from projections.export_projector import Export
from projections.export_records import RECORDS
from projections.runner import ProjectionRunner, read_position, write_position

YEAR, FIRST = 2025, date(2025, 9, 1)
MOSCOW = ZoneInfo("Europe/Moscow")
QUARTERS = (Period("1 четверть", date(2025, 9, 1), date(2025, 10, 26)),
            Period("2 четверть", date(2025, 11, 5), date(2025, 12, 28)),
            Period("3 четверть", date(2026, 1, 12), date(2026, 3, 22)),
            Period("4 четверть", date(2026, 4, 1), date(2026, 5, 24)))
SUBJECTS = ("Математика", "Русский язык", "Литература", "История", "Биология")
TIMES = [(clock(8 + n, 0), clock(8 + n, 45)) for n in range(5)]


def _person(rng: random.Random, born: date) -> Person:
    series, number = ids.make_birth_certificate(rng)
    documents = Documents(birth_certificate=BirthCertificate(series=series, number=number,
                                                             issued_on=born + timedelta(30)))
    return Person.register(FullName(last=f"Фамилия{rng.randrange(999)}", first="Имя"),
                           Sex.MALE, born, documents, date(2026, 1, 1))


def generate_year(journal: Any, classes: int, seed: int = 1) -> int:
    """A complete school, `classes` classes of 25, a year of lessons with marks, absences,
    homework and quarter marks; saved a class-week at a time. Returns the log position."""
    rng = random.Random(seed)
    with acting(Causation(actor="bench", at=datetime(2025, 8, 25, 9, tzinfo=MOSCOW))):
        school = School.register("Школа № 1", "Europe/Moscow", 1, Requisites(
            ogrn=ids.make_ogrn(rng), okpo=ids.make_okpo(rng), inn=ids.make_inn10(rng),
            kpp=ids.make_kpp(rng), okopf="75403", founder="Департамент образования",
            okato=ids.make_okato(rng), oktmo=ids.make_oktmo(rng), phones=("+74951234567",)))
        teacher = _person(rng, date(1980, 1, 1))
        school.appoint_staff(teacher.id, StaffPosition.TEACHER)
        year = AcademicYear.open(school.id, YEAR)
        year.set_attestation_periods(AttestationKind.QUARTERS, QUARTERS)
        catalogue = SubjectCatalogue(school_id=school.id)
        subjects = [catalogue.add(uuid4(), name).id for name in SUBJECTS]
        journal.save(teacher, school, year, catalogue, WorkTypeCatalogue.open(school.id))
        groups = []
        for number in range(classes):
            group = EduGroup.open_class(school.id, YEAR, f"{5 + number % 6}{'АБВГД'[number // 6]}")
            children = [_person(rng, date(2014, 1 + n % 12, 1)) for n in range(25)]
            for child in children:
                group.enrol(child.id, FIRST)
            journal.save(*children, group)
            groups.append((group, [child.id for child in children]))
    answer = WorkType(id=built_in_work_type_id(school.id, BuiltIn.ANSWER), name="Ответ на уроке",
                      weight=Decimal(1), scale=Scale.FIVE_POINT, built_in=BuiltIn.ANSWER)
    monday = FIRST
    while monday < QUARTERS[-1].end:
        for group, students in groups:
            _week(journal, rng, school.id, group.id, students, subjects, teacher.id, answer,
                  monday)
        monday += timedelta(days=7)
    with acting(Causation(actor="bench", at=datetime(2026, 5, 25, 12, tzinfo=MOSCOW))):
        for group, students in groups:
            books = [Gradebook(school_id=school.id, class_id=group.id, subject_id=s,
                               academic_year=YEAR) for s in subjects]
            for book in books:
                for period in QUARTERS:
                    for student in students:
                        book.set_period_mark(period.name, period.end, period.end, student,
                                             rng.choice("345"), set(students))
            journal.save(*books)
    return int(journal.recorder.max_notification_id() or 0)


def _week(journal: Any, rng: random.Random, school: Any, group: Any, students: list[Any],
          subjects: list[Any], teacher: Any, answer: WorkType, monday: date) -> None:
    lessons, works = [], []
    roster = set(students)
    for weekday in range(5):
        day = monday + timedelta(days=weekday)
        if not any(p.covers(day) for p in QUARTERS):
            continue
        at = datetime.combine(day, clock(12), tzinfo=MOSCOW)
        with acting(Causation(actor=str(teacher), at=at)):
            for number, (start, end) in enumerate(TIMES, 1):
                lesson = Lesson.schedule(school, YEAR, group, group,
                                         subjects[(weekday + number) % len(subjects)], teacher,
                                         day, number, start, end)
                for student in rng.sample(students, 3):
                    late = rng.random() < 0.1
                    lesson.place_mark(uuid4(), student, answer, rng.choice("2345"), Decimal(1),
                                      at + timedelta(hours=10 if late else 0), roster, False,
                                      MOSCOW)
                if number % 3 == 0:
                    lesson.record_attendance(rng.choice(students), Attendance.ABSENT, roster)
                if number % 2 == 0:
                    works.append(Homework.assign(lesson, HomeworkSpec(text=f"№ {number}"),
                                                 day + timedelta(days=2), roster, at, MOSCOW))
                lessons.append(lesson)
    if lessons:
        journal.save(*lessons, *works)


def _serve(container: Any, number: int, sha256: str) -> tuple[float, float, int]:
    """Seconds to read the body from the database, and to download it over HTTP."""
    from fastapi.testclient import TestClient

    began = time.perf_counter()
    size = sum(len(part) for part in body(container.views, number))
    read = time.perf_counter() - began
    tokens = LocalTokens("bench-" * 8)
    headers = {"Authorization": "Bearer " + tokens.mint("bench", Role.EXPORTER)}
    with TestClient(create_app(container, tokens)) as client:
        began = time.perf_counter()
        got = client.get(f"/v1/export/deltas/{number}/body", headers=headers)
        served = time.perf_counter() - began
    assert got.status_code == 200 and len(got.content) == size
    assert hashlib.sha256(got.content).hexdigest() == sha256
    return read, served, size


def _clone(container: Any, records: int) -> int:
    """Copies of the year's records under new keys, at one new position, up to `records`."""
    views = container.views
    have = _number(views, f"SELECT COUNT(*) FROM {RECORDS}")
    position = max(_number(views, f"SELECT MAX(position) FROM {RECORDS}"),
                   read_position(views, "export")) + 1
    copies = 0
    while have * copies < records:
        copies += 1
        with views.transaction() as tx:
            tx.execute(f"INSERT INTO {RECORDS} (entity, key, school_id, person_id, op, version, "
                       f"position, late, payload) SELECT entity, key || ':copy{copies}', "
                       f"school_id, person_id, op, version, ?, late, payload FROM {RECORDS} "
                       "WHERE key NOT LIKE ?", (position, "%:copy%"))
    with views.transaction() as tx:
        write_position(tx, "export", position, Export.version)
    return have * copies


def _number(views: Any, sql: str) -> int:
    row = views.fetchone(sql)
    return int(row[0] or 0) if row else 0


def measure(target: Target, args: argparse.Namespace) -> None:
    container = target.container(args.batch)
    try:
        began = time.perf_counter()
        events = generate_year(container.journal, args.classes)
        made = time.perf_counter() - began
        runner = ProjectionRunner(container.journal.recorder,  # type: ignore[arg-type]
                                  container.journal.mapper, container.views, [Export()],
                                  batch_size=args.batch)
        began = time.perf_counter()
        runner.catch_up()
        caught = time.perf_counter() - began
        count = _number(container.views, f"SELECT COUNT(*) FROM {RECORDS}")
        rows = [("catch-up (export projector only)", f"{caught:.2f}", f"{count:,}",
                 rate(count, caught) + " records/s, " + rate(events, caught) + " events/s")]
        for label, extra in (("year", 0), ("cloned", args.records)):
            if extra:
                if extra <= count:
                    continue
                _clone(container, extra)
            began = time.perf_counter()
            sealed = seal(container.views)
            assert sealed is not None
            sealing = time.perf_counter() - began
            read, served, size = _serve(container, sealed.number, sealed.sha256)
            rows += [(f"seal delta {sealed.number} ({label})", f"{sealing:.2f}",
                      f"{sealed.records:,}", rate(sealed.records, sealing) + " records/s, "
                      f"{size / 2**20:.1f} MiB gzip"),
                     ("read its body from the database", f"{read:.2f}", f"{sealed.records:,}",
                      rate(sealed.records, read) + " records/s"),
                     (f"serve it: GET .../deltas/{sealed.number}/body", f"{served:.2f}",
                      f"{sealed.records:,}", f"{size / 2**20 / served:.0f} MiB/s")]
        print_table(f"export on {target.kind}: {events:,} events of {args.classes} classes "
                    f"(generated in {made:.0f} s), batch {args.batch}",
                    ("measure", "seconds", "records", "rate"), rows)
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--tmp", default=None, help="where SQLite scratch files go")
    parser.add_argument("--classes", type=int, default=6, help="classes of 25 in the school")
    parser.add_argument("--batch", type=int, default=2000, help="the runner's batch size")
    parser.add_argument("--records", type=int, default=1_000_000,
                        help="records of the second delta (0: skip it)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for kind in kinds(args.db):
        before = load()
        with scratch(kind, args.tmp) as target:
            measure(target, args)
        print(f"\nbefore: {before}; after: {load()}")


if __name__ == "__main__":
    main()
