"""Distance learning: the «Файлы» of schools and classes, each lesson's materials and its
video-lesson link, and each school's used file space.

One document table: `file` rows (newest first per owner), `lesson` rows (per class, sorted
by the video lesson's start; flag 1 while a link is on), `quota` rows (used bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import msgspec

from domain.file_quota import FileQuota
from domain.integrations import SchoolIntegrations
from projections.base import Positioned, Projection
from projections.documents import DocumentTable, Row
from projections.store import Tx, ViewStore
from projections.walls import newest_first, sort_key

_decode = msgspec.json.decode
Handler = Callable[[DocumentTable, int, Any], None]


class Distance(Projection):
    name = "distance"
    version = 1

    def table_names(self) -> Sequence[str]:
        return ("view_distance",)

    def index_names(self) -> Sequence[str]:
        table = self.table("view_distance")
        return [*DocumentTable.index_names(table), f"{table}_by_owner"]

    def create_tables(self, tx: Tx, dialect: str) -> None:
        table = self.table("view_distance")
        for statement in DocumentTable.ddl(table):
            tx.execute(statement)
        tx.execute(f"CREATE INDEX IF NOT EXISTS {table}_by_owner ON {table} (kind, ref, sort, pk)")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        docs = DocumentTable(tx, self.table("view_distance"))
        handlers = self._handlers()
        for position, event in events:
            handler = handlers.get(type(event).__qualname__)
            if handler is not None:
                handler(docs, position, event)
        docs.flush()

    def _handlers(self) -> dict[str, Handler]:
        return {
            "StoredFile.Uploaded": self._uploaded,
            "StoredFile.Deleted": self._deleted,
            "FileQuota.Opened": self._quota_opened,
            "FileQuota.Committed": self._quota_changed,
            "FileQuota.Freed": self._quota_changed,
            "LessonMaterials.Opened": self._lesson_opened,
            "LessonMaterials.Attached": self._attached,
            "LessonMaterials.Detached": self._detached,
            "VideoLesson.Opened": self._lesson_opened,
            "VideoLesson.Planned": self._planned,
            "VideoLesson.Removed": self._video_removed,
            "SchoolIntegrations.Opened": self._integrations,
            "SchoolIntegrations.Configured": self._integrations,
            "SchoolIntegrations.Removed": self._integrations,
        }

    def _integrations(self, docs: DocumentTable, position: int, event: Any) -> None:
        """A school's configured platforms (never its secrets: there are none in events)."""
        pk = str(event.originator_id)
        row = docs.get("integrations", pk)
        doc: dict[str, Any] = row.doc if row else {"school_id": str(event.school_id),
                                                   "platforms": {}}
        if hasattr(event, "integration"):
            doc["platforms"][str(event.integration.platform)] = {
                "platform": str(event.integration.platform),
                "organisation_id": event.integration.organisation_id}
        elif hasattr(event, "platform"):
            doc["platforms"].pop(str(event.platform), None)
        docs.put("integrations", pk, Row(doc=doc, school_id=doc["school_id"]))

    # files and quota --------------------------------------------------------------------

    def _uploaded(self, docs: DocumentTable, position: int, event: Any) -> None:
        doc = {
            "id": str(event.originator_id), "school_id": str(event.school_id),
            "owner": {"kind": str(event.owner.kind), "id": str(event.owner.id)},
            "name": event.name, "content_type": event.content_type, "size": event.size,
            "sha256": event.sha256,
            "uploaded_by": str(event.uploaded_by) if event.uploaded_by else None,
            "uploaded_at": event.timestamp.isoformat(), "lessons": [],
        }
        docs.put("file", doc["id"], Row(doc=doc, school_id=doc["school_id"],
                                        ref=doc["owner"]["id"], sort=sort_key(position)))

    def _deleted(self, docs: DocumentTable, position: int, event: Any) -> None:
        file_id = str(event.originator_id)
        row = docs.get("file", file_id)
        if row is None:
            return
        for lesson_id in row.doc["lessons"]:
            self._change_lesson(docs, lesson_id, lambda doc: doc.update(
                materials=[f for f in doc["materials"] if f != file_id]))
        docs.delete("file", file_id)

    def _quota_opened(self, docs: DocumentTable, position: int, event: Any) -> None:
        school_id = str(event.school_id)
        doc = {"school_id": school_id, "used": 0, "files": 0}
        docs.put("quota", str(event.originator_id), Row(doc=doc, school_id=school_id))

    def _quota_changed(self, docs: DocumentTable, position: int, event: Any) -> None:
        row = docs.get("quota", str(event.originator_id))
        assert row is not None
        sign = 1 if type(event).__qualname__.endswith("Committed") else -1
        row.doc["used"] += sign * event.size
        row.doc["files"] += sign
        docs.put("quota", str(event.originator_id), row)

    # lessons: materials and video lessons ------------------------------------------------

    def _lesson_opened(self, docs: DocumentTable, position: int, event: Any) -> None:
        lesson_id = str(event.lesson_id)
        docs.put("alias", str(event.originator_id), Row(doc={"lesson_id": lesson_id}))
        if docs.get("lesson", lesson_id) is None:
            school_id, class_id = str(event.school_id), str(event.class_id)
            doc: dict[str, Any] = {
                "lesson_id": lesson_id, "school_id": school_id, "class_id": class_id,
                "group_id": str(event.group_id), "video": None, "materials": []}
            docs.put("lesson", lesson_id, Row(doc=doc, school_id=school_id, ref=class_id))

    def _lesson_of(self, docs: DocumentTable, event: Any) -> str:
        alias = docs.get("alias", str(event.originator_id))
        assert alias is not None
        return str(alias.doc["lesson_id"])

    def _change_lesson(
        self, docs: DocumentTable, lesson_id: str, change: Callable[[dict[str, Any]], None],
        sort: str | None = None, flag: int | None = None,
    ) -> None:
        row = docs.get("lesson", lesson_id)
        assert row is not None
        change(row.doc)
        docs.put("lesson", lesson_id, Row(
            doc=row.doc, school_id=row.school_id, ref=row.ref,
            sort=row.sort if sort is None else sort, flag=row.flag if flag is None else flag))

    def _attached(self, docs: DocumentTable, position: int, event: Any) -> None:
        lesson_id = self._lesson_of(docs, event)
        added = [str(f) for f in event.file_ids]
        self._change_lesson(docs, lesson_id,
                            lambda doc: doc.update(materials=doc["materials"] + added))
        for file_id in added:
            row = docs.get("file", file_id)
            if row is not None:
                row.doc["lessons"] = sorted({*row.doc["lessons"], lesson_id})
                docs.put("file", file_id, row)

    def _detached(self, docs: DocumentTable, position: int, event: Any) -> None:
        lesson_id, file_id = self._lesson_of(docs, event), str(event.file_id)
        self._change_lesson(docs, lesson_id, lambda doc: doc.update(
            materials=[f for f in doc["materials"] if f != file_id]))
        row = docs.get("file", file_id)
        if row is not None:
            row.doc["lessons"] = [x for x in row.doc["lessons"] if x != lesson_id]
            docs.put("file", file_id, row)

    def _planned(self, docs: DocumentTable, position: int, event: Any) -> None:
        video = {
            "platform": str(event.platform), "url": event.url, "external_id": event.external_id,
            "teacher_id": str(event.teacher_id), "subject_id": str(event.subject_id),
            "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "planned_at": event.timestamp.isoformat(),
        }
        self._change_lesson(docs, self._lesson_of(docs, event),
                            lambda doc: doc.update(video=video),
                            sort=event.starts_at.isoformat(), flag=1)

    def _video_removed(self, docs: DocumentTable, position: int, event: Any) -> None:
        self._change_lesson(docs, self._lesson_of(docs, event),
                            lambda doc: doc.update(video=None), flag=0)


class DistanceQueries:
    def __init__(self, store: ViewStore, suffix: str = "") -> None:
        self.store = store
        self.table = f"view_distance{suffix}"

    def _doc(self, kind: str, pk: str) -> dict[str, Any] | None:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.table} WHERE kind = ? AND pk = ?", (kind, pk))
        return _decode(row[0]) if row else None

    def file(self, file_id: str) -> dict[str, Any] | None:
        return self._doc("file", file_id)

    def files(self, owner_id: str, cursor: str | None, limit: int) -> tuple[
            list[dict[str, Any]], str | None]:
        """A school's or a class's files, newest first."""
        docs, next_cursor = newest_first(self.store, self.table, "file", "ref = ?",
                                         [owner_id], cursor, limit)
        return [_decode(doc) for doc in docs], next_cursor

    def used_bytes(self, school_id: str) -> int:
        found = self._doc("quota", str(FileQuota.create_id(UUID(school_id))))
        return int(found["used"]) if found else 0

    def lesson(self, lesson_id: str) -> dict[str, Any] | None:
        """The lesson's video link and its materials (each file's name, type and size)."""
        doc = self._doc("lesson", lesson_id)
        if doc is None:
            return None
        doc["materials"] = [f for f in (self.file(i) for i in doc["materials"]) if f]
        return doc

    def integrations(self, school_id: str) -> list[dict[str, Any]]:
        found = self._doc("integrations", str(SchoolIntegrations.create_id(UUID(school_id))))
        return sorted(found["platforms"].values(), key=lambda p: p["platform"]) if found else []

    def video_lessons(self, class_id: str, start: str, end: str) -> list[dict[str, Any]]:
        """A class's lessons with a video link starting in [start, end), by start time."""
        rows = self.store.fetchall(
            f"SELECT doc FROM {self.table} WHERE kind = 'lesson' AND ref = ? AND flag = 1 "
            "AND sort >= ? AND sort < ? ORDER BY sort, pk", (class_id, start, end))
        return [_decode(row[0]) for row in rows]
