"""The journal's PostgreSQL recorder: a save in one round trip, aggregates read in one.

The library's recorder sends a save as two round trips (BEGIN, SET LOCAL, LOCK, NOTIFY,
INSERT, sync; then COMMIT). Here one autocommit statement calls a function doing the same
in the same order: the EXCLUSIVE table lock is held until the commit, so the insert order
is still the commit order and a reader of the notification log never passes a gap that
fills later (unlike the library's POSTGRES_ENABLE_DB_FUNCTIONS function, which skips the
lock). It also checks, under that lock, that the aggregates a command read from the cache
without reading the log (domain/lending.py) are still at the version lent.
`select_events_after` reads the new events of several aggregates at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier, Literal

from domain.lending import StaleLoan

# Which of the aggregates (ids, versions) have events past the version: a lateral probe per
# aggregate, so the index is used even on a freshly loaded log without statistics (a plain
# join was planned as a full scan there, under the table lock).
NEWER = ("SELECT FROM unnest({ids}, {versions}) AS k(id, version) CROSS JOIN LATERAL "
         "(SELECT FROM {{schema}}.{{table}} e WHERE e.originator_id = k.id "
         "AND e.originator_version > k.version LIMIT 1) newer")
STALE = "ZJ001"  # the SQLSTATE the insert raises when an aggregate lent unread has changed


class _Stack(deque[Any]):
    """The idle connections of psycopg_pool, taken last-in first-out: it takes them with
    popleft() (first-in first-out), which turns every query over to another server process
    in the pool; the one used last is the warmest (measured: a fifth to a third of a
    command's time)."""

    def popleft(self) -> Any:
        return self.pop()


def _last_in_first_out(datastore: PostgresDatastore) -> None:
    pool: Any = datastore.pool
    with pool._lock:
        if not isinstance(pool._pool, _Stack):
            pool._pool = _Stack(pool._pool)


class JournalPostgresRecorder(PostgresApplicationRecorder):
    """PostgresApplicationRecorder with a one-statement insert and a batched read."""

    checks_unread = True  # domain/lending.py: the insert checks the versions lent unread

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        assert datastore.originator_id_type == "uuid", "the journal's ids are UUIDs"
        _last_in_first_out(datastore)
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        function = Identifier(f"{events_table_name}_insert"[: self.MAX_IDENTIFIER_LEN])
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(ids uuid[], versions bigint[], "
            "topics text[], states bytea[], unread_ids uuid[], unread_versions bigint[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN "
            "SET LOCAL lock_timeout = {timeout}; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            # Under the lock no other save can slip in between this check and the insert; and
            # each statement of a volatile function takes a new snapshot, so the check sees
            # every save committed before the lock was granted.
            "IF EXISTS (" + NEWER.format(ids="unread_ids", versions="unread_versions") +
            ") THEN "
            "RAISE EXCEPTION 'an aggregate lent unread has changed' USING ERRCODE = {stale}; "
            "END IF; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; "
            "END $$"
        ).format(schema=schema, function=function, table=table,
                 timeout=Literal(f"{datastore.lock_timeout}s"), stale=Literal(STALE),
                 channel=Identifier(self.channel_name)))
        # Binary parameters: psycopg's text dumping of arrays escapes each item by regex.
        # Rendered once: psycopg would render a composed statement again on each execute.
        self.insert_statement = SQL(
            "SELECT * FROM {schema}.{function}(%b::uuid[], %b::bigint[], %b::text[], "
            "%b::bytea[], %b::uuid[], %b::bigint[])"
        ).format(schema=schema, function=function).as_string()
        self.select_after_statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%b::uuid[], %b::bigint[]) AS k(id, after) "
            "CROSS JOIN LATERAL (SELECT * FROM {schema}.{table} i WHERE i.originator_id = k.id "
            "AND i.originator_version > k.after) e "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(schema=schema, table=table).as_string()

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # Processes starting together would race on CREATE OR REPLACE FUNCTION
        # ("tuple concurrently updated"): one at a time, the lock ends with the transaction.
        curs.execute("SELECT pg_advisory_xact_lock(hashtext('zhurnal recorder schema'))")
        super()._create_table(curs)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, unread: Mapping[UUID, int] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Insert in one statement; raise StaleLoan if an aggregate lent unread has changed."""
        if not stored_events and not unread:
            return []
        unread = unread or {}
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
            list(unread),
            list(unread.values()),
        )
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            assert conn.autocommit  # the function's statement is its own transaction
            try:
                curs.execute(self.insert_statement, params, prepare=True)
            except psycopg.Error as error:
                if error.sqlstate == STALE:
                    raise StaleLoan(str(error)) from None
                raise
            return [row[0] for row in curs.fetchall()]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events_after(self, after: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """The events of each aggregate past the version given (0: all), in one query."""
        found: dict[UUID, list[StoredEvent]] = {aggregate_id: [] for aggregate_id in after}
        if not after:
            return found
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self.select_after_statement, (list(after), list(after.values())),
                         prepare=True, binary=True)
            for originator_id, version, topic, state in curs.fetchall():
                found[originator_id].append(StoredEvent(originator_id, version, topic,
                                                        bytes(state)))
        return found
