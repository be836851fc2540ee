"""Numbered deltas: the export records sealed into immutable, gzip JSON Lines bodies.

An incremental delta N holds every record whose position lies in (to of N-1, P], P the export
projection's position when it is sealed, through open gates, ordered by (position, entity,
key). A record changed after P has a position past P, so it is in a later delta: none is
skipped, none comes out of order. A snapshot delta holds one school's live records as they
are now; it does not move the range. Deltas live in the view database, outside the
projection's tables (a rebuild never touches them): `export_deltas` (the manifest) and
`export_delta_parts` (the body in parts of at most 4 MiB). A sealed delta is never updated.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

import msgspec

from domain.errors import NotFound, RuleViolated
from projections.export_records import GATES, RECORDS
from projections.export_schemas import ExportRecord
from projections.export_touched import TOUCHED
from projections.runner import POSITIONS
from projections.store import ViewStore

DELTAS, PARTS = "export_deltas", "export_delta_parts"
SEAL_LOCK = 0x7A686578  # "zhex": one sealer at a time on PostgreSQL
PART_SIZE = 4 * 1024 * 1024
PAGE = 20_000
LEVEL = 3  # gzip level: ~180 MiB/s of JSON here, 1.35x the size of level 6 (at 58 MiB/s)
_encode = msgspec.json.encode
_COLUMNS = ("r.entity, r.key, r.op, r.version, r.position, r.late, r.school_id, r.payload, "
            "r.person_id")
_AFTER = "(r.position, r.entity, r.key) > (?, ?, ?)"


class Manifest(msgspec.Struct, kw_only=True):
    """What a delta holds; `sha256` and `size` are of the gzip body as served."""

    number: int
    kind: str  # "incremental" or "snapshot"
    school_id: str | None
    from_position: int  # exclusive
    to_position: int  # inclusive
    records: int
    counts: dict[str, int]
    sha256: str
    size: int
    created_at: str


_MANIFEST = ("number, kind, school_id, from_position, to_position, records, counts, sha256, "
             "size, created_at")


def ddl(dialect: str) -> list[str]:
    blob = "BYTEA" if dialect == "postgres" else "BLOB"
    return [f"CREATE TABLE IF NOT EXISTS {DELTAS} (number BIGINT PRIMARY KEY, "
            "kind TEXT NOT NULL, school_id TEXT, from_position BIGINT NOT NULL, "
            "to_position BIGINT NOT NULL, records BIGINT NOT NULL, counts TEXT NOT NULL, "
            "sha256 TEXT NOT NULL, size BIGINT NOT NULL, created_at TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {PARTS} (number BIGINT NOT NULL, "
            f"part INTEGER NOT NULL, data {blob} NOT NULL, PRIMARY KEY (number, part))"]


def _manifest(row: tuple[Any, ...]) -> Manifest:
    number, kind, school, lo, hi, count, counts, sha, size, at = row
    return Manifest(number=int(number), kind=str(kind), school_id=school, from_position=int(lo),
                    to_position=int(hi), records=int(count),
                    counts=msgspec.json.decode(counts), sha256=str(sha), size=int(size),
                    created_at=str(at))


def latest(store: ViewStore) -> Manifest | None:
    row = store.fetchone(f"SELECT {_MANIFEST} FROM {DELTAS} ORDER BY number DESC LIMIT 1")
    return _manifest(row) if row else None


def manifest(store: ViewStore, number: int) -> Manifest | None:
    row = store.fetchone(f"SELECT {_MANIFEST} FROM {DELTAS} WHERE number = ?", (number,))
    return _manifest(row) if row else None


def manifests(store: ViewStore, after: int, limit: int) -> list[Manifest]:
    return [_manifest(row) for row in store.fetchall(
        f"SELECT {_MANIFEST} FROM {DELTAS} WHERE number > ? ORDER BY number LIMIT ?",
        (after, limit))]


def body(store: ViewStore, number: int) -> Iterator[bytes]:
    """The delta's gzip body, part by part (the whole never in memory)."""
    count = store.fetchone(f"SELECT COUNT(*) FROM {PARTS} WHERE number = ?", (number,))
    for part in range(int(count[0]) if count else 0):
        row = store.fetchone(f"SELECT data FROM {PARTS} WHERE number = ? AND part = ?",
                             (number, part))
        if row is not None:
            yield bytes(row[0])


class Body:
    """A gzip JSON Lines body written record by record, cut into parts, hashed as it goes."""

    def __init__(self) -> None:
        self.zip = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # 31: a gzip stream
        self.parts: list[bytes] = []
        self.buffer = bytearray()
        self.sha = hashlib.sha256()
        self.counts: Counter[str] = Counter()
        self.size = 0

    def manifest(self, number: int, *, kind: str, school_id: str | None, start: int,
                 end: int, now: Callable[[], str]) -> Manifest:
        """The manifest of this body (closed) as delta `number`, over positions (start, end]."""
        return Manifest(number=number, kind=kind, school_id=school_id, from_position=start,
                        to_position=end, records=sum(self.counts.values()),
                        counts=dict(sorted(self.counts.items())),
                        sha256=self.sha.hexdigest(), size=self.size, created_at=now())

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """A page of records, as JSON lines, compressed in one call."""
        lines = []
        for entity, key, op, version, position, late, school, payload in rows:
            raw: Any = None if payload is None else msgspec.Raw(
                payload.encode() if isinstance(payload, str) else payload)
            lines.append(_encode(ExportRecord(
                entity=entity, key=key, op=op, schema_version=version, position=position,
                late=bool(late), school_id=school, payload=raw)))
        if lines:
            lines.append(b"")
            self.counts.update(row[0] for row in rows)
            self._out(self.zip.compress(b"\n".join(lines)))

    def _out(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= PART_SIZE:
            self._part(bytes(self.buffer[:PART_SIZE]))
            del self.buffer[:PART_SIZE]

    def _part(self, data: bytes) -> None:
        self.sha.update(data)
        self.size += len(data)
        self.parts.append(data)

    def close(self) -> None:
        self._out(self.zip.flush())
        if self.buffer:
            self._part(bytes(self.buffer))
            self.buffer.clear()


def _gates(store: ViewStore) -> tuple[set[str], set[str]]:
    """The open schools, and the held people (few): filtered in Python, the scan of the
    records stays a plain walk of their (position, entity, key) index on either database."""
    schools = {str(i) for (i,) in store.fetchall(
        f"SELECT id FROM {GATES} WHERE kind = 'school' AND ready = 1")}
    held = {str(i) for (i,) in store.fetchall(
        f"SELECT id FROM {GATES} WHERE kind = 'person' AND ready = 0")}
    return schools, held


def _stream(store: ViewStore, where: str, params: tuple[Any, ...], out: Body) -> None:
    """Rows through open gates, page by page in (position, entity, key) order. A gate that
    moves meanwhile moves its records past this delta's range: they go in the next one."""
    schools, held = _gates(store)
    with _reader(store) as fetch:
        last: tuple[Any, ...] | None = None
        while True:
            extra, args = ("", params) if last is None else (
                f" AND {_AFTER}", (*params, last[4], last[0], last[1]))
            rows = fetch(f"SELECT {_COLUMNS} FROM {RECORDS} r WHERE {where}{extra} "
                         "ORDER BY r.position, r.entity, r.key LIMIT ?", (*args, PAGE))
            out.add([row[:8] for row in rows
                     if row[6] in schools and (row[8] is None or row[8] not in held)])
            if len(rows) < PAGE:
                return
            last = rows[-1]


@contextmanager
def _reader(store: ViewStore) -> Iterator[Callable[[str, tuple[Any, ...]], list[Any]]]:
    """SQLite: plain reads (no write lock). PostgreSQL: a read transaction told to walk the
    index in order: after a gate opened, statistics are stale and a sort per page is slow."""
    if store.dialect != "postgres":
        yield store.fetchall
        return
    with store.transaction() as tx:
        tx.execute("SET LOCAL enable_sort = off")
        tx.execute("SET LOCAL enable_bitmapscan = off")
        yield tx.fetchall


def _store(store: ViewStore, expected: int, make: Callable[[int], Manifest],
           out: Body) -> Manifest | None:
    """Insert delta expected+1 unless another sealer got there first (then None)."""
    with store.transaction() as tx:
        if store.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (SEAL_LOCK,))
        row = tx.fetchone(f"SELECT MAX(number) FROM {DELTAS}")
        if (int(row[0] or 0) if row else 0) != expected:
            return None
        sealed = make(expected + 1)
        tx.execute(f"INSERT INTO {DELTAS} ({_MANIFEST}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (sealed.number, sealed.kind, sealed.school_id, sealed.from_position,
                    sealed.to_position, sealed.records, _encode(sealed.counts).decode(),
                    sealed.sha256, sealed.size, sealed.created_at))
        tx.executemany(f"INSERT INTO {PARTS} (number, part, data) VALUES (?, ?, ?)",
                       [(sealed.number, index, data) for index, data in enumerate(out.parts)])
    return sealed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sealable(store: ViewStore, projection: str) -> int:
    """The projection's position, or just below the first derived key a catch-up left to
    derive later (`export_touched`): its record will come with that older position, and
    must not fall in a range already sealed. Both read in one statement (one snapshot)."""
    row = store.fetchone(f"SELECT (SELECT position FROM {POSITIONS} WHERE name = ?), "
                         f"(SELECT MIN(position) FROM {TOUCHED})", (projection,))
    position = int(row[0]) if row and row[0] is not None else 0
    waiting = int(row[1]) if row and row[1] is not None else None
    return position if waiting is None else min(position, waiting - 1)


def seal(store: ViewStore, projection: str = "export", now: Callable[[], str] = _now,
         attempts: int = 5) -> Manifest | None:
    """Seal the records up to the projection's position; None when there is nothing new."""
    for _attempt in range(attempts):
        previous = latest(store)
        number, lo = (previous.number, previous.to_position) if previous else (0, 0)
        hi = _sealable(store, projection)
        if hi <= lo:
            return None
        out = Body()
        _stream(store, "r.position > ? AND r.position <= ?", (lo, hi), out)
        out.close()
        if not out.counts:
            return None

        sealed = _store(store, number, partial(
            out.manifest, kind="incremental", school_id=None, start=lo, end=hi, now=now), out)
        if sealed is not None:
            return sealed
    raise RuntimeError("could not seal: other sealers kept taking the next number")


def snapshot(store: ViewStore, school_id: str, projection: str = "export",
             now: Callable[[], str] = _now) -> Manifest:
    """Seal what is new first, then a delta of the school's whole current state."""
    gate = store.fetchone(f"SELECT ready FROM {GATES} WHERE kind = 'school' AND id = ?",
                          (school_id,))
    if gate is None:
        raise NotFound(f"the export knows no school {school_id}", {"school_id": "unknown"})
    if not gate[0]:
        raise RuleViolated("the school's requisites are incomplete: it is held back",
                           {"school_id": "held back (see the held report)"})
    seal(store, projection, now)
    for _attempt in range(5):
        previous = latest(store)
        number, at = (previous.number, previous.to_position) if previous else (0, 0)
        out = Body()
        _stream(store, "r.school_id = ? AND r.op = 0", (school_id,), out)
        out.close()

        sealed = _store(store, number, partial(
            out.manifest, kind="snapshot", school_id=school_id, start=at, end=at, now=now), out)
        if sealed is not None:
            return sealed
    raise RuntimeError("could not seal the snapshot: other sealers kept taking the number")
