"""Every projection the runner keeps, in one place."""

from __future__ import annotations

from projections.activity import Activity
from projections.audit_chain import AuditChain
from projections.base import Projection
from projections.changes import LessonChanges
from projections.chats import Chats
from projections.compliance import Compliance
from projections.diary import Diary
from projections.distance import Distance
from projections.export_projector import Export
from projections.registries import Registries
from projections.statistics import Statistics
from projections.teacher_journal import TeacherJournal
from projections.walls import Walls


def all_projections(suffix: str = "") -> list[Projection]:
    return [
        Registries(suffix), Diary(suffix), TeacherJournal(suffix), Statistics(suffix),
        LessonChanges(suffix), Compliance(suffix), Walls(suffix), Distance(suffix), Chats(suffix),
        Export(suffix),
        Activity(suffix), AuditChain(suffix),
    ]
