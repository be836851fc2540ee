"""Walls: the posts of the school's wall and of each class's wall, newest first.

Also keeps its own copy of the roster (`view_wall_roster`), so a query can tell who may read
a wall: the school's staff, the class's students (posts for the class) and its parents
(posts for the class and for the class's parents).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from projections.base import Positioned, Projection
from projections.documents import DocumentTable, Row
from projections.pagination import checked_limit, decode_cursor, encode_cursor
from projections.roster_state import RosterReader, RosterState
from projections.state import StateDocs
from projections.store import Tx, ViewStore

_decode = msgspec.json.decode
Page = tuple[list[dict[str, Any]], str | None]
AUDIENCE_FLAGS = {"school": 0, "class": 1, "class_parents": 2}


def sort_key(position: int) -> str:
    """Rows sorted by the log position of their first event: the order things happened."""
    return f"{position:020d}"


def newest_first(
    store: ViewStore, table: str, kind: str, where: str, params: Sequence[Any],
    cursor: str | None, limit: int,
) -> tuple[list[str], str | None]:
    """A page of documents of a kind, newest first, with a keyset cursor."""
    limit = checked_limit(limit)
    key = decode_cursor(cursor, 2)
    sql = f"SELECT sort, pk, doc FROM {table} WHERE kind = ? AND {where}"
    args: list[Any] = [kind, *params]
    if key is not None:
        sql += " AND (sort < ? OR (sort = ? AND pk < ?))"
        args.extend([key[0], key[0], key[1]])
    sql += " ORDER BY sort DESC, pk DESC LIMIT ?"
    args.append(limit + 1)
    rows = store.fetchall(sql, args)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1][0], rows[-1][1])
    return [row[2] for row in rows], next_cursor


class Walls(Projection):
    name = "walls"
    version = 1

    def table_names(self) -> Sequence[str]:
        return ("view_walls", "view_wall_roster")

    def index_names(self) -> Sequence[str]:
        posts, roster = self.table("view_walls"), self.table("view_wall_roster")
        return [*DocumentTable.index_names(posts), f"{posts}_by_wall",
                *DocumentTable.index_names(roster)]

    def create_tables(self, tx: Tx, dialect: str) -> None:
        posts = self.table("view_walls")
        for statement in [*DocumentTable.ddl(posts), *DocumentTable.ddl(
                self.table("view_wall_roster"))]:
            tx.execute(statement)
        tx.execute(f"CREATE INDEX IF NOT EXISTS {posts}_by_wall ON {posts} (kind, ref, sort, pk)")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        posts = StateDocs(tx, self.table("view_walls"))
        posts.prefetch("post", {str(event.originator_id) for _position, event in events
                                if type(event).__qualname__ in ("Post.Edited", "Post.Removed")})
        roster = RosterState(StateDocs(tx, self.table("view_wall_roster")))
        roster.prefetch(events)
        handlers = self._handlers()
        for position, event in events:
            handler = handlers.get(type(event).__qualname__)
            if handler is not None:
                handler(posts, position, event)
            else:
                roster.apply(event)
        posts.flush()
        roster.docs.flush()

    def _handlers(self) -> dict[str, Callable[[DocumentTable, int, Any], None]]:
        return {
            "Post.Published": self._published,
            "Post.Edited": self._edited,
            "Post.Removed": self._removed,
        }

    def _published(self, posts: DocumentTable, position: int, event: Any) -> None:
        doc = {
            "id": str(event.originator_id), "school_id": str(event.school_id),
            "wall": str(event.wall), "wall_id": str(event.wall_id),
            "audience": str(event.audience), "author_id": str(event.author_id),
            "text": event.text, "file_ids": [str(f) for f in event.file_ids],
            "published_at": event.timestamp.isoformat(), "edited_at": None,
            "position": position, "version": event.originator_version,
        }
        posts.put("post", doc["id"], Row(
            doc=doc, school_id=doc["school_id"], ref=doc["wall_id"], sort=sort_key(position),
            flag=AUDIENCE_FLAGS[doc["audience"]]))

    def _edited(self, posts: DocumentTable, position: int, event: Any) -> None:
        row = posts.get("post", str(event.originator_id))
        if row is not None:
            row.doc.update(text=event.new_text, edited_at=event.timestamp.isoformat(),
                           version=event.originator_version)
            posts.put("post", str(event.originator_id), row)

    def _removed(self, posts: DocumentTable, position: int, event: Any) -> None:
        posts.delete("post", str(event.originator_id))


class WallQueries:
    def __init__(self, store: ViewStore, suffix: str = "") -> None:
        self.store = store
        self.table = f"view_walls{suffix}"
        self.roster = RosterReader(store, f"view_wall_roster{suffix}")

    def wall(
        self, wall_id: str, audiences: Sequence[str], cursor: str | None, limit: int
    ) -> Page:
        """The posts of a wall for these audiences, newest first."""
        flags = sorted(AUDIENCE_FLAGS[a] for a in audiences)
        if not flags:
            return [], None
        marks = ", ".join("?" for _ in flags)
        docs, next_cursor = newest_first(
            self.store, self.table, "post", f"ref = ? AND flag IN ({marks})",
            [wall_id, *flags], cursor, limit)
        return [_decode(doc) for doc in docs], next_cursor

    def post(self, post_id: str) -> dict[str, Any] | None:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.table} WHERE kind = 'post' AND pk = ?", (post_id,))
        return _decode(row[0]) if row else None
