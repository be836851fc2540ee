"""The append baseline: rows shaped like the event table, through the bare driver."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.common import Target, pg_connect, sqlite_connect, sqlite_synchronous

Raw = tuple[Any, int, str, bytes]  # originator_id (UUID), originator_version, topic, state

# eventsourcing/sqlite.py's application table: rowid is the notification id.
SQLITE_DDL = [
    "CREATE TABLE raw_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
    "state BLOB, PRIMARY KEY (originator_id, originator_version))"
]
# eventsourcing/postgres.py's application table, and a one-round-trip locked insert.
PG_DDL = [
    "CREATE TABLE bench_raw_events (originator_id uuid NOT NULL, originator_version bigint "
    "NOT NULL, topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version))",
    "CREATE UNIQUE INDEX bench_raw_events_nid ON bench_raw_events (notification_id)",
    "CREATE FUNCTION bench_insert_events(ids uuid[], versions bigint[], topics text[], "
    "states bytea[]) RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN "
    "SET LOCAL lock_timeout = '5s'; LOCK TABLE bench_raw_events IN EXCLUSIVE MODE; "
    "NOTIFY bench_raw_events; RETURN QUERY INSERT INTO bench_raw_events "
    "(originator_id, originator_version, topic, state) "
    "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; END $$",
]
PG_INSERT = (
    "INSERT INTO bench_raw_events (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s)"
)


class RawSink:
    """Plain sqlite3 / psycopg on the same kind of database as the journal."""

    def __init__(self, target: Target) -> None:
        self.kind = target.kind
        if target.kind == "sqlite":
            sync = sqlite_synchronous(target.data_dir / "zhurnal.db")
            self.lite = sqlite_connect(target.data_dir / "raw.db", str(sync))
            for sql in SQLITE_DDL:
                self.lite.execute(sql)
            self.note = f"own file, WAL, synchronous={sync} as eventsourcing leaves it"
        else:
            self.pg = pg_connect(target)
            for sql in PG_DDL:
                self.pg.execute(sql)
            self.note = "same server, autocommit"

    def one(self, rows: Sequence[Raw]) -> None:
        """Single-row INSERT in its own transaction (autocommit), notification id read back."""
        if self.kind == "sqlite":
            for oid, version, topic, state in rows:
                found = self.lite.execute(
                    "INSERT INTO raw_events VALUES (?,?,?,?)", (oid.hex, version, topic, state)
                )
                assert found.lastrowid
            return
        with self.pg.cursor() as cursor:
            for row in rows:
                cursor.execute(PG_INSERT + " RETURNING notification_id", row)
                assert cursor.fetchone()

    def locked(self, rows: Sequence[Raw], pipeline: bool = False) -> None:
        """What the library sends per save: BEGIN, lock, NOTIFY, INSERT, COMMIT (SQLite: BEGIN,
        INSERT, COMMIT)."""
        if self.kind == "sqlite":
            for oid, version, topic, state in rows:
                self.lite.execute("BEGIN")
                self.lite.execute(
                    "INSERT INTO raw_events VALUES (?,?,?,?)", (oid.hex, version, topic, state)
                )
                self.lite.execute("COMMIT")
            return
        with self.pg.cursor() as cursor:
            for row in rows:
                if pipeline:
                    with self.pg.pipeline() as sync, self.pg.transaction():
                        self._locked_insert(cursor, row)
                        sync.sync()
                        assert cursor.fetchone()
                else:
                    with self.pg.transaction():
                        self._locked_insert(cursor, row)
                        assert cursor.fetchone()

    @staticmethod
    def _locked_insert(cursor: Any, row: Raw) -> None:
        cursor.execute("SET LOCAL lock_timeout = '5s'")
        cursor.execute("LOCK TABLE bench_raw_events IN EXCLUSIVE MODE")
        cursor.execute("NOTIFY bench_raw_events")
        cursor.execute(PG_INSERT + " RETURNING notification_id", row)

    def function(self, rows: Sequence[Raw]) -> None:
        """The same lock, NOTIFY and INSERT in one round trip (a function, autocommit)."""
        with self.pg.cursor() as cursor:
            for oid, version, topic, state in rows:
                cursor.execute(
                    "SELECT * FROM bench_insert_events(%s, %s, %s, %s)",
                    ([oid], [version], [topic], [state]), prepare=True,
                )
                assert cursor.fetchall()

    def many(self, batches: Sequence[Sequence[Raw]]) -> None:
        """executemany of each batch in one transaction."""
        for rows in batches:
            if self.kind == "sqlite":
                self.lite.execute("BEGIN")
                self.lite.executemany(
                    "INSERT INTO raw_events VALUES (?,?,?,?)",
                    [(oid.hex, version, topic, state) for oid, version, topic, state in rows],
                )
                self.lite.execute("COMMIT")
            else:
                with self.pg.transaction(), self.pg.cursor() as cursor:
                    cursor.executemany(PG_INSERT, rows)

    def close(self) -> None:
        (self.lite if self.kind == "sqlite" else self.pg).close()
