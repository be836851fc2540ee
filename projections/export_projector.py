"""The federal export projector: the log turned into export records, event by event.

One batch: the journal state applies each event, then the event's own records are written
with its position (`export_people`, `export_journal`), and the derived records it touches are
noted (`export_derived`); at the end of the batch those are recomputed (`export_summaries`),
the records and the gates flushed, and every gate that opened moves its records up to the
position it opened at. Tables (named with `self.table`, so `rebuild` and `verify` work as for
every projection): the state documents, `export_records`, `export_gates`. Sealed deltas live
in tables of their own (`export_deltas`): a rebuild never touches what was delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from projections.base import Positioned, Projection
from projections.documents import Row
from projections.export_derived import Touches
from projections.export_journal import FILE, MATERIALS, SUBJECT, WORK_TYPE, JournalExport
from projections.export_payloads import SystemEventPayload
from projections.export_people import PERSON, SCHOOL, PeopleExport
from projections.export_records import GATES, RECORDS, Gates, Records, ddl, index_names
from projections.export_status import ddl as status_ddl
from projections.export_summaries import Summaries
from projections.export_touched import TOUCHED, Touched
from projections.export_touched import ddl as touched_ddl
from projections.journal_catalogues import GRADEBOOK, SUBJECTS, WORK_TYPES, YEAR
from projections.journal_events import iso, sid
from projections.journal_state import (
    GRADES,
    GROUP,
    HOMEWORK,
    JOURNAL,
    LESSONS,
    NAMES,
    ROSTER,
    WORK,
    YEARS,
    JournalState,
)
from projections.state import StateDocs
from projections.store import Tx, Written

STATE, ORIGIN = "export_state", "origin"
PARTS = (ROSTER, LESSONS, JOURNAL, HOMEWORK, NAMES, YEARS, GRADES)
ROSTER_MOVES = frozenset({"EduGroup.StudentEnrolled", "EduGroup.StudentLeft"})
ROSTER_CHANGES = ROSTER_MOVES | {"EduGroup.Opened"}
YEAR_CHANGES = "AcademicYear."  # any of its events may set the periods
# Where an aggregate's school is found when its event does not name it.
_HOME = {"EduGroup": GROUP, "Gradebook": GRADEBOOK, "AcademicYear": YEAR,
         "SubjectCatalogue": SUBJECTS, "WorkTypeCatalogue": WORK_TYPES}


class Export(Projection):
    name = "export"
    version = 1

    def __init__(self, suffix: str = "") -> None:
        super().__init__(suffix)
        self.written = Written()  # the records' keys written since the table was empty

    def table_names(self) -> Sequence[str]:
        return (STATE, RECORDS, GATES, TOUCHED)

    def index_names(self) -> Sequence[str]:
        return [*StateDocs.index_names(self.table(STATE)), *index_names(self.table(RECORDS))]

    def deferred_index_names(self) -> Sequence[str]:
        # Sealing and the export's queries read records by position, school and person; a
        # batch reads them by key, and by person or school only when gates open
        # (`Records.flush`: one statement a kind of gate and chunk, a hash join without the
        # index: a catch-up opens few gates, and maintaining the index cost ~10 s a year).
        return index_names(self.table(RECORDS))

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in [*StateDocs.ddl(self.table(STATE)),
                          *ddl(self.table(RECORDS), self.table(GATES), dialect),
                          *touched_ddl(self.table(TOUCHED)),
                          *(status_ddl(dialect) if not self.suffix else ())]:
            tx.execute(statement)

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = StateDocs(tx, self.table(STATE))
        state = JournalState(docs, PARTS)
        records = Records(tx, self.table(RECORDS), self.written)
        touches = Touches(state)
        people, journal = PeopleExport(docs, records), JournalExport(state, records, touches)
        handlers = {**people.handlers(), **journal.handlers()}
        _prefetch(docs, events)
        state.prefetch(events)
        # What the state notes it touched (`touched`, `places`, `roster_moves`) serves the
        # projections that rewrite by lesson: the export never reads it, so it is not cleared
        # event by event; it goes with the state at the batch's end.
        for position, event in events:
            name = type(event).__qualname__
            journal.before(event)
            state.apply(event)
            if name in ROSTER_CHANGES:
                touches.roster_changed()
            elif name.startswith(YEAR_CHANGES):
                touches.year_changed()
            handler = handlers.get(name)
            if handler is not None:
                handler(position, event)
            if name in ROSTER_MOVES:
                touches.roster_moved(sid(event.student_id), event.on.isoformat(), position)
            self._system_event(state, records, position, event, name)
        state.finish()
        self._derive(Touched(tx, self.table(TOUCHED)), touches, records, self.catching_up)
        records.flush()
        gates = Gates(tx, self.table(GATES))
        for row in people.gate_rows():
            gates.put(*row)
        gates.flush()
        docs.flush()

    def _derive(self, touched: Touched, touches: Touches, records: Records,
                catching_up: bool) -> None:
        """The derived records the batch touched, and those waiting (`export_touched`); or,
        in a catch-up batch that opens no gate, the touched keys join the waiting ones."""
        if catching_up and not records.opened and touched.has_room(touches):
            touched.keep(touches)
            return
        touched.take_into(touches)
        Summaries(touches, records).write()

    def caught_up(self, tx: Tx) -> None:
        touched = Touched(tx, self.table(TOUCHED))
        if not touched.waiting():
            return
        docs = StateDocs(tx, self.table(STATE))
        records = Records(tx, self.table(RECORDS), self.written)
        self._derive(touched, Touches(JournalState(docs, PARTS)), records, catching_up=False)
        records.flush()
        docs.flush()

    def _system_event(self, state: JournalState, records: Records, position: int, event: Any,
                      name: str) -> None:
        """«События Системы»: every event of a school's aggregates, without its data."""
        docs, aggregate = state.docs, name.partition(".")[0]
        school = _id(getattr(event, "school_id", None))
        origin = sid(event.originator_id)
        schools: list[str] = [school] if school else []
        if school and event.originator_version == 1 and aggregate not in _KNOWN:
            docs.put(ORIGIN, origin, Row(doc={}, school_id=school))
        if not schools and (aggregate in _KNOWN or event.originator_version > 1):
            schools = self._home(state, aggregate, origin)
        if not schools:
            return
        payload = SystemEventPayload(
            event_type=name, aggregate_id=origin, aggregate_version=event.originator_version,
            actor=str(getattr(event, "actor", "")),
            command_id=_id(getattr(event, "command_id", None)),
            at=iso(event.timestamp))
        for school_id in schools:
            records.upsert("system_event", f"{position}:{school_id}", school_id, None, payload,
                           position)

    @staticmethod
    def _home(state: JournalState, aggregate: str, origin: str) -> list[str]:
        docs = state.docs
        if aggregate == "School":
            return [origin]
        if aggregate == "Person":
            person = docs.doc(PERSON, origin)
            return sorted(person["schools"]) if person else []
        if aggregate == "Lesson":
            lesson = state.lesson(origin)
            return [lesson["school_id"]] if lesson else []
        kind = _HOME.get(aggregate)
        if kind is not None:
            doc = docs.doc(kind, origin)
            return [doc["school_id"]] if doc else []
        row = docs.get({"Homework": WORK, "LessonMaterials": MATERIALS}.get(aggregate, ORIGIN),
                       origin)
        return [row.school_id] if row is not None and row.school_id else []


def _id(value: UUID | None) -> str | None:
    """An event's id as text: `sid`'s, cached (every event names its school and command)."""
    return None if value is None else sid(value)


_KNOWN = frozenset({"School", "Person", "Lesson", "Homework", "LessonMaterials", *_HOME})


def _prefetch(docs: StateDocs, events: Sequence[Positioned]) -> None:
    """The export's own documents the batch will read, each kind in one query."""
    wanted: dict[str, set[str]] = {}

    def want(kind: str, pk: Any) -> None:
        if pk is not None:
            wanted.setdefault(kind, set()).add(str(pk))

    for _position, e in events:
        name = type(e).__qualname__
        aggregate = name.partition(".")[0]
        if aggregate == "School":
            want(SCHOOL, e.originator_id)
            want(PERSON, getattr(e, "person_id", None))
        elif aggregate == "Person":
            want(PERSON, e.originator_id)
            want(PERSON, getattr(e, "representative_id", None))
        elif name in ROSTER_MOVES:
            want(PERSON, e.student_id)
        elif aggregate == "LessonMaterials":
            want(MATERIALS, e.originator_id)
            for file_id in getattr(e, "file_ids", ()):
                want(FILE, file_id)
        elif name == "Homework.Assigned":
            for file_id in e.file_ids:
                want(FILE, file_id)
        elif name == "SubjectCatalogue.SubjectRetired":
            want(SUBJECT, e.subject_id)
        elif name == "WorkTypeCatalogue.WorkTypeRetired":
            want(WORK_TYPE, e.work_type_id)
        elif aggregate not in _KNOWN and e.originator_version > 1:
            want(ORIGIN, e.originator_id)
    for kind, pks in wanted.items():
        docs.prefetch(kind, pks)
