"""Queries over the registries: lists with cursors, single documents, readiness."""

from __future__ import annotations

from typing import Any

import msgspec

from projections.pagination import checked_limit, decode_cursor, encode_cursor
from projections.store import ViewStore

_decode = msgspec.json.decode
Page = tuple[list[dict[str, Any]], str | None]


class RegistryQueries:
    def __init__(self, store: ViewStore, table: str = "view_registry") -> None:
        self.store = store
        self.table = table

    def document(self, kind: str, pk: str) -> dict[str, Any] | None:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.table} WHERE kind = ? AND pk = ?", (kind, pk)
        )
        return _decode(row[0]) if row else None

    def _page(
        self, kind: str, where: str, params: tuple[Any, ...], cursor: str | None, limit: int,
        columns: str = "r.doc", joins: str = "",
    ) -> tuple[list[tuple[Any, ...]], str | None]:
        limit = checked_limit(limit)
        key = decode_cursor(cursor, 2)
        sql = f"SELECT r.sort, r.pk, {columns} FROM {self.table} r {joins} WHERE r.kind = ?"
        args: list[Any] = [kind]
        if where:
            sql += f" AND {where}"
            args.extend(params)
        if key is not None:
            sql += " AND (r.sort > ? OR (r.sort = ? AND r.pk > ?))"
            args.extend([key[0], key[0], key[1]])
        sql += " ORDER BY r.sort, r.pk LIMIT ?"
        args.append(limit + 1)
        rows = self.store.fetchall(sql, args)
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor(rows[-1][0], rows[-1][1])
        return [row[2:] for row in rows], next_cursor

    def schools(self, cursor: str | None, limit: int, ready: bool | None = None) -> Page:
        where, params = ("r.flag = ?", (int(ready),)) if ready is not None else ("", ())
        rows, next_cursor = self._page("school", where, params, cursor, limit)
        return [_decode(row[0]) for row in rows], next_cursor

    def teachers(self, school_id: str, cursor: str | None, limit: int) -> Page:
        rows, next_cursor = self._page(
            "staff", "r.school_id = ?", (school_id,), cursor, limit, columns="r.doc, p.doc",
            joins=f"JOIN {self.table} p ON p.kind = 'person' AND p.pk = r.ref",
        )
        return [dict(_decode(row[0]), person=_decode(row[1])) for row in rows], next_cursor

    def students(
        self, school_id: str, cursor: str | None, limit: int, class_id: str | None = None
    ) -> Page:
        where = "r.school_id = ?"
        params: tuple[Any, ...] = (school_id,)
        if class_id:  # the class id is inside the JSON document
            where += " AND r.doc LIKE ?"
            params += (f'%"class_id":"{class_id}"%',)
        rows, next_cursor = self._page(
            "student", where, params, cursor, limit, columns="r.doc, p.doc",
            joins=f"JOIN {self.table} p ON p.kind = 'person' AND p.pk = r.ref",
        )
        return [dict(_decode(row[0]), person=_decode(row[1])) for row in rows], next_cursor

    def representatives(self, school_id: str, cursor: str | None, limit: int) -> Page:
        rows, next_cursor = self._page(
            "representative", "s.school_id = ?", (school_id,), cursor, limit,
            columns="r.doc, p.doc, s.doc",
            joins=(
                f"JOIN {self.table} s ON s.kind = 'student' AND s.pk = r.ref "
                f"JOIN {self.table} p ON p.kind = 'person' "
                "AND p.pk = substr(r.pk, length(r.ref) + 2)"
            ),
        )
        return [
            dict(_decode(row[0]), person=_decode(row[1]), student=_decode(row[2]))
            for row in rows
        ], next_cursor

    def classes(self, school_id: str, cursor: str | None, limit: int) -> Page:
        rows, next_cursor = self._page("group", "r.school_id = ?", (school_id,), cursor, limit)
        return [_decode(row[0]) for row in rows], next_cursor

    def readiness(self, school_id: str) -> dict[str, Any] | None:
        """What keeps a school, and which of its people, out of the federal export."""
        school = self.document("school", school_id)
        if school is None:
            return None
        people: dict[str, dict[str, Any]] = {}
        t = self.table
        queries = (
            ("staff", f"SELECT p.doc FROM {t} r JOIN {t} p ON p.kind = 'person' AND p.pk = r.ref "
             "WHERE r.kind = 'staff' AND r.school_id = ? AND p.flag = 0"),
            ("student", f"SELECT p.doc FROM {t} r JOIN {t} p ON p.kind = 'person' "
             "AND p.pk = r.ref WHERE r.kind = 'student' AND r.school_id = ? AND p.flag = 0"),
            ("representative",
             f"SELECT p.doc FROM {t} r JOIN {t} s ON s.kind = 'student' AND s.pk = r.ref "
             f"JOIN {t} p ON p.kind = 'person' AND p.pk = substr(r.pk, length(r.ref) + 2) "
             "WHERE r.kind = 'representative' AND s.school_id = ? AND p.flag = 0"),
        )
        for role, sql in queries:
            for (doc,) in self.store.fetchall(sql, (school_id,)):
                person = _decode(doc)
                entry = people.setdefault(
                    person["id"],
                    {"person_id": person["id"], "name": person["name"],
                     "missing": person["gaps"], "roles": []},
                )
                if role not in entry["roles"]:
                    entry["roles"].append(role)
        held = sorted(people.values(), key=lambda p: (p["name"]["last"], p["name"]["first"]))
        return {
            "school_id": school_id,
            "name": school["name"],
            "ready": school["ready"],
            "missing_requisites": school["missing"],
            "people_not_ready": held,
        }
