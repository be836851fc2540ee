"""Сферум chats: who should be in each chat, kept from the roster (the seed's four chats).

- the teachers' room of a school: its staff; the school's administrators are its admins;
- a class's chat: its students and the homeroom teacher (admin);
- a class's parents' chat: the parents of its students and the homeroom teacher (admin);
- a class-by-subject chat, made with the first video lesson of a class or subgroup in a
  subject: the group's students and the subject's teachers (admins).

Every candidate is a row of `view_chat_members`; only those with a linked Сферум profile are
wanted in the chat. A chat's `digest` changes exactly when its wanted membership or title
does, so the reconciler (workers/chats.py) knows which chats to bring to the platform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec

from domain.teaching import teaching_assignment_id
from projections.base import Positioned, Projection
from projections.documents import DocumentTable, Row
from projections.roster_state import ADMINISTRATIVE, RosterState, Scope
from projections.state import StateDocs
from projections.store import Tx, ViewStore

_decode = msgspec.json.decode
_NAMESPACE = uuid5(NAMESPACE_URL, "https://zhurnal/sferum-chat")


def chat_id(key: str) -> str:
    """A chat's stable id: the same roster always names the same chat."""
    return str(uuid5(_NAMESPACE, key))


class Chats(Projection):
    name = "chats"
    version = 1

    def table_names(self) -> Sequence[str]:
        return ("view_chats", "view_chat_roster", "view_chat_members")

    def index_names(self) -> Sequence[str]:
        chats, roster = self.table("view_chats"), self.table("view_chat_roster")
        return [*DocumentTable.index_names(chats), *DocumentTable.index_names(roster),
                f"{self.table('view_chat_members')}_by_person"]

    def create_tables(self, tx: Tx, dialect: str) -> None:
        for statement in [*DocumentTable.ddl(self.table("view_chats")),
                          *DocumentTable.ddl(self.table("view_chat_roster"))]:
            tx.execute(statement)
        members = self.table("view_chat_members")
        tx.execute(f"CREATE TABLE IF NOT EXISTS {members} (chat_id TEXT NOT NULL, "
                   "person_id TEXT NOT NULL, profile_id TEXT, admin INTEGER NOT NULL, "
                   "PRIMARY KEY (chat_id, person_id))")
        tx.execute(f"CREATE INDEX IF NOT EXISTS {members}_by_person ON {members} (person_id)")

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        chats = StateDocs(tx, self.table("view_chats"))
        roster = RosterState(StateDocs(tx, self.table("view_chat_roster")))
        roster.prefetch(events)
        planned = [event for _position, event in events
                   if type(event).__qualname__ == "VideoLesson.Planned"]
        self._load_planned(chats, planned)
        dirty: set[str] = set()  # chat keys to recompute
        profiles: set[str] = set()  # people whose Сферум profile changed
        scopes: dict[Scope, None] = {}
        for _position, event in events:
            if type(event).__qualname__ == "VideoLesson.Planned":
                dirty.add(self._subject_chat(chats, roster, event))
            for scope in roster.apply(event):
                if scope[0] == "profile":
                    profiles.add(scope[1])
                scopes[scope] = None
        # Which chats the roster changes touch, worked out once the batch is applied: a
        # chat a video lesson of this batch made is recomputed anyway, and a group's kind
        # never changes, so this is what asking after each event gave, with bulk reads.
        chats.prefetch("group_subjects", {s[1] for s in scopes if s[0] in ("group", "teaching")})
        chats.prefetch("subject_groups", {s[1] for s in scopes if s[0] == "subject"})
        roster.load({"group": {s[1] for s in scopes if s[0] == "group"}})
        for scope in scopes:
            dirty.update(self._keys(chats, roster, scope))
        members = self.table("view_chat_members")
        wanted = self._candidates(chats, roster, sorted(dirty))
        touched: dict[str, list[tuple[Any, ...]] | None] = {}
        for key, (people, doc) in wanted.items():
            identifier = chat_id(key)
            rows = [(identifier, p, roster.profile(p), int(a)) for p, a in sorted(people.items())]
            touched[identifier] = rows
            chats.put("chat", identifier, Row(doc=doc, school_id=doc["school_id"],
                                              ref=doc["group_id"],
                                              sort=f"{doc['kind']}|{doc['title']}"))
        if touched:
            tx.executemany(f"DELETE FROM {members} WHERE chat_id = ?",
                           [(identifier,) for identifier in sorted(touched)])
            tx.executemany(
                f"INSERT INTO {members} (chat_id, person_id, profile_id, admin) "
                "VALUES (?, ?, ?, ?)",
                [row for identifier in sorted(touched) for row in touched[identifier] or ()])
        for person in sorted(profiles):
            tx.execute(f"UPDATE {members} SET profile_id = ? WHERE person_id = ?",
                       (roster.profile(person), person))
            for (identifier,) in tx.fetchall(
                    f"SELECT chat_id FROM {members} WHERE person_id = ?", (person,)):
                touched.setdefault(str(identifier), None)  # its rows: from the table
        chats.prefetch("chat", touched)
        for identifier in sorted(touched):
            self._digest(tx, chats, identifier, touched[identifier])
        chats.flush()
        roster.docs.flush()

    def _load_planned(self, chats: StateDocs, planned: list[Any]) -> None:
        subjects = {str(e.subject_id) for e in planned}
        groups = {str(e.group_id) for e in planned}
        chats.prefetch("group_subjects", groups)
        chats.prefetch("subject_groups", subjects)
        chats.prefetch("planners", {f"subject:{e.group_id}:{e.subject_id}" for e in planned})

    # which chats a roster change touches -------------------------------------------------

    def _keys(self, chats: DocumentTable, roster: RosterState, scope: Scope) -> set[str]:
        kind = scope[0]
        if kind == "school":
            return {f"teachers:{scope[1]}"}
        if kind == "group":
            group = roster.group(scope[1])
            keys = {f"subject:{scope[1]}:{s}" for s in _items(chats, "group_subjects", scope[1])}
            if group is not None and group["kind"] == "class":
                keys |= {f"class:{scope[1]}", f"parents:{scope[1]}"}
            return keys
        if kind == "teaching":
            made = scope[2] in _items(chats, "group_subjects", scope[1])
            return {f"subject:{scope[1]}:{scope[2]}"} if made else set()
        if kind == "subject":
            return {f"subject:{g}:{scope[1]}" for g in _items(chats, "subject_groups", scope[1])}
        return set()

    def _subject_chat(self, chats: DocumentTable, roster: RosterState, event: Any) -> str:
        group, subject = str(event.group_id), str(event.subject_id)
        key = f"subject:{group}:{subject}"
        for kind, pk, item in (("group_subjects", group, subject),
                               ("subject_groups", subject, group)):
            items = _items(chats, kind, pk)
            if item not in items:
                chats.put(kind, pk, Row(doc={"items": sorted([*items, item])}))
        planners = _items(chats, "planners", key)
        if str(event.teacher_id) not in planners:
            chats.put("planners", key, Row(doc={"items": sorted([*planners,
                                                                str(event.teacher_id)])}))
        return key

    # a chat's candidates ----------------------------------------------------------------

    def _candidates(self, chats: StateDocs, roster: RosterState,
                    keys: list[str]) -> dict[str, tuple[dict[str, bool], dict[str, Any]]]:
        """Each chat's candidates (person -> admin) and document, from bulk-loaded rosters."""
        parsed = [(key, *key.partition(":")[::2]) for key in keys]
        groups = {rest.partition(":")[0] for _key, kind, rest in parsed if kind != "teachers"}
        roster.load({"group": groups})
        students = {s for g in groups if (doc := roster.group(g)) for s in doc["students"]}
        teaching = {str(teaching_assignment_id(UUID(rest.partition(":")[0]),
                                               UUID(rest.partition(":")[2])))
                    for _key, kind, rest in parsed if kind == "subject"}
        roster.load({"reps": students, "teaching": teaching})
        chats.prefetch("planners", {key for key, kind, _rest in parsed if kind == "subject"})
        found = {key: self._wanted(chats, roster, key) for key in keys}
        roster.load({"profile": {p for people, _doc in found.values() for p in people}})
        return found

    def _wanted(self, chats: DocumentTable, roster: RosterState,
                key: str) -> tuple[dict[str, bool], dict[str, Any]]:
        kind, _, rest = key.partition(":")
        wanted: dict[str, bool] = {}

        def add(people: Sequence[str] | set[str], admin: bool) -> None:
            for person in people:
                wanted[person] = wanted.get(person, False) or admin

        if kind == "teachers":
            school_id = rest
            for person, positions in roster.staff(rest).items():
                add([person], bool(ADMINISTRATIVE & set(positions)))
            title = f"Учительская · {roster.name('school', rest)}"
            group_id = subject_id = None
        else:
            group_id, _, subject = rest.partition(":")
            group = roster.group(group_id) or {"school_id": None, "name": "", "students": []}
            school_id, homeroom = group["school_id"], group.get("homeroom_teacher_id")
            subject_id = subject or None
            if kind == "parents":
                add(roster.parents(group_id), False)
            else:
                add(group["students"], False)
            if kind == "subject":
                add(roster.teachers(group_id, subject), True)
                add(_items(chats, "planners", key), True)
                title = f"{group['name']} · {roster.name('subject', subject)}"
            else:
                add([homeroom] if homeroom else [], True)
                title = f"{'Класс' if kind == 'class' else 'Родители'} {group['name']}"
        doc = {"id": chat_id(key), "key": key, "kind": kind, "school_id": school_id,
               "group_id": group_id, "subject_id": subject_id, "title": title}
        return wanted, doc

    def _digest(self, tx: Tx, chats: DocumentTable, identifier: str,
                rows: list[tuple[Any, ...]] | None) -> None:
        """The chat's candidates and wanted members counted, and its digest renewed; `rows`:
        its member rows as just written (None: read them)."""
        row = chats.get("chat", identifier)
        if row is None:
            return
        members = ([(person, profile, admin) for _chat, person, profile, admin in rows]
                   if rows is not None else
                   tx.fetchall(f"SELECT person_id, profile_id, admin FROM "
                               f"{self.table('view_chat_members')} WHERE chat_id = ? "
                               "ORDER BY person_id", (identifier,)))
        wanted = sorted({(str(r[1]), int(r[2])) for r in members if r[1] is not None})
        digest = hashlib.sha256(msgspec.json.encode([row.doc["title"], wanted])).hexdigest()
        row.doc.update(candidates=len(members), wanted=len(wanted), digest=digest[:32])
        chats.put("chat", identifier, row)


def _items(chats: DocumentTable, kind: str, pk: str) -> list[str]:
    row = chats.get(kind, pk)
    return list(row.doc["items"]) if row is not None else []


class ChatQueries:
    def __init__(self, store: ViewStore, suffix: str = "") -> None:
        self.store = store
        self.chats = f"view_chats{suffix}"
        self.members = f"view_chat_members{suffix}"

    def chats_of_school(self, school_id: str) -> list[dict[str, Any]]:
        rows = self.store.fetchall(
            f"SELECT doc FROM {self.chats} WHERE kind = 'chat' AND school_id = ? "
            "ORDER BY sort, pk", (school_id,))
        return [_decode(row[0]) for row in rows]

    def chat(self, identifier: str) -> dict[str, Any] | None:
        row = self.store.fetchone(
            f"SELECT doc FROM {self.chats} WHERE kind = 'chat' AND pk = ?", (identifier,))
        if row is None:
            return None
        doc: dict[str, Any] = _decode(row[0])
        doc["members"] = [
            {"person_id": p, "profile_id": profile, "admin": bool(admin), "in_chat": bool(profile)}
            for p, profile, admin in self.store.fetchall(
                f"SELECT person_id, profile_id, admin FROM {self.members} WHERE chat_id = ? "
                "ORDER BY person_id", (identifier,))
        ]
        return doc

    def chats_of_person(self, person_id: str) -> list[dict[str, Any]]:
        rows = self.store.fetchall(
            f"SELECT c.doc, m.profile_id, m.admin FROM {self.members} m JOIN {self.chats} c "
            "ON c.kind = 'chat' AND c.pk = m.chat_id WHERE m.person_id = ? ORDER BY c.sort, c.pk",
            (person_id,))
        return [dict(_decode(doc), in_chat=profile is not None, admin=bool(admin))
                for doc, profile, admin in rows]

    def wanted(self, identifier: str) -> dict[str, bool]:
        """The platform membership the chat should have: profile -> admin."""
        wanted: dict[str, bool] = {}
        for profile, admin in self.store.fetchall(
                f"SELECT profile_id, admin FROM {self.members} WHERE chat_id = ? "
                "AND profile_id IS NOT NULL", (identifier,)):
            wanted[str(profile)] = wanted.get(str(profile), False) or bool(admin)
        return wanted

    def digests(self) -> list[dict[str, Any]]:
        """Every chat with its key, title, digest and wanted count (for the reconciler)."""
        rows = self.store.fetchall(
            f"SELECT doc FROM {self.chats} WHERE kind = 'chat' ORDER BY pk")
        return [_decode(row[0]) for row in rows]
