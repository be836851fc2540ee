"""Compliance over a date range: counts per school, teacher and class; the lessons behind them."""

from __future__ import annotations

from typing import Any

from projections.compliance import ROWS
from projections.pagination import checked_limit, decode_cursor, encode_cursor
from projections.store import ViewStore, marks

Counts = dict[str, int]
# (kind, status) -> the counter it adds to, besides the kind's total
_COUNTERS = {("mark", "late"): "late_marks", ("homework", "late"): "late_homework",
             ("homework", "too_early"): "early_homework"}
_TOTALS = {"mark": "marks", "homework": "homework"}


def empty() -> Counts:
    return {"marks": 0, "late_marks": 0, "homework": 0, "late_homework": 0, "early_homework": 0}


class ComplianceQueries:
    def __init__(self, store: ViewStore, table: str = ROWS) -> None:
        self.store, self.table = store, table

    def _counts(self, column: str, where: str, params: list[Any]) -> dict[str, Counts]:
        found: dict[str, Counts] = {}
        for key, kind, status, count in self.store.fetchall(
            f"SELECT {column}, kind, status, COUNT(*) FROM {self.table} WHERE {where} "
            f"GROUP BY {column}, kind, status", params,
        ):
            counts = found.setdefault(str(key), empty())
            counts[_TOTALS[kind]] += int(count)
            counter = _COUNTERS.get((kind, status))
            if counter:
                counts[counter] += int(count)
        return found

    def school(self, school_id: str, start: str, end: str) -> dict[str, Any]:
        """Totals of the school, and per teacher and per class, for lessons start..end."""
        where, params = "school_id = ? AND day >= ? AND day <= ?", [school_id, start, end]
        return {
            "school_id": school_id, "start": start, "end": end,
            "total": self._counts("school_id", where, params).get(school_id, empty()),
            "teachers": [{"teacher_id": key, **counts} for key, counts in
                         sorted(self._counts("teacher_id", where, params).items())],
            "classes": [{"class_id": key, **counts} for key, counts in
                        sorted(self._counts("class_id", where, params).items())],
        }

    def schools(self, start: str, end: str, cursor: str | None,
                limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """Every school's totals (the region's view), in school id order."""
        limit = checked_limit(limit)
        key = decode_cursor(cursor, 1)
        ids = [str(school) for (school,) in self.store.fetchall(
            f"SELECT DISTINCT school_id FROM {self.table} WHERE day >= ? AND day <= ? "
            "AND school_id > ? ORDER BY school_id LIMIT ?",
            (start, end, str(key[0]) if key else "", limit + 1),
        )]
        page, more = ids[:limit], len(ids) > limit
        counts = self._counts(
            "school_id", f"day >= ? AND day <= ? AND school_id IN ({marks(len(page))})",
            [start, end, *page],
        ) if page else {}
        items = [{"school_id": school, **counts.get(school, empty())} for school in page]
        return items, encode_cursor(page[-1]) if more else None

    def lessons(
        self, school_id: str, start: str, end: str, cursor: str | None, limit: int,
        teacher_id: str | None = None, class_id: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The lessons with late marks or homework out of its window, by day."""
        limit = checked_limit(limit)
        where = ["school_id = ?", "day >= ?", "day <= ?", "status <> 'on_time'"]
        params: list[Any] = [school_id, start, end]
        if teacher_id:
            where.append("teacher_id = ?")
            params.append(teacher_id)
        if class_id:
            where.append("(class_id = ? OR group_id = ?)")
            params += [class_id, class_id]
        key = decode_cursor(cursor, 2)
        if key is not None:
            where.append("(day > ? OR (day = ? AND lesson_id > ?))")
            params += [key[0], key[0], key[1]]
        rows = self.store.fetchall(
            "SELECT day, lesson_id, class_id, group_id, subject_id, "
            "SUM(CASE WHEN kind = 'mark' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN kind = 'homework' AND status = 'late' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN kind = 'homework' AND status = 'too_early' THEN 1 ELSE 0 END) "
            f"FROM {self.table} WHERE {' AND '.join(where)} "
            "GROUP BY day, lesson_id, class_id, group_id, subject_id "
            "ORDER BY day, lesson_id LIMIT ?", [*params, limit + 1],
        )
        items = [
            {"day": day, "lesson_id": lesson_id, "class_id": klass, "group_id": group,
             "subject_id": subject, "late_marks": int(late_marks),
             "late_homework": int(late_homework), "early_homework": int(early_homework)}
            for day, lesson_id, klass, group, subject, late_marks, late_homework, early_homework
            in rows[:limit]
        ]
        next_cursor = (encode_cursor(items[-1]["day"], items[-1]["lesson_id"])
                       if len(rows) > limit else None)
        return items, next_cursor
