"""Selecting and deleting by a list of values (`fetch_in`, `execute_in`), and the bulk
deletes of `Diffs` and `Rewrites` built on them, on both databases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from infra.container import Container
from projections.documents import Row
from projections.state import Diffs, Rewrites, StateDocs
from projections.store import IN, InQueries, Tx, execute_in, fetch_in, insert_new

TABLE = "test_in_values"


class Counting:
    """A Tx wrapper without `fetchall_in`/`execute_in` that counts statements."""

    def __init__(self, inner: Tx) -> None:
        self.inner, self.statements = inner, 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.statements += 1
        self.inner.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        self.statements += len(rows)
        self.inner.executemany(sql, rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.statements += 1
        return self.inner.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.statements += 1
        return self.inner.fetchone(sql, params)

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str],
               rows: Sequence[Sequence[Any]]) -> None:
        self.statements += 1
        self.inner.upsert(table, columns, key, rows)


def _fill(tx: Tx) -> None:
    tx.execute(f"CREATE TABLE {TABLE} (kind TEXT NOT NULL, pk TEXT NOT NULL, n INTEGER)")
    tx.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?)",
                   [(kind, f"k{n:04d}", n) for kind in ("a", "b") for n in range(1200)])


def test_rows_in_a_list_of_values_are_the_same_with_or_without_an_array(
        container: Container) -> None:
    wanted = [f"k{n:04d}" for n in range(0, 2400, 2)]  # 1,200 values, half of them absent
    sql = f"SELECT pk, n FROM {TABLE} WHERE kind = ? AND {IN}"
    with container.views.transaction() as tx:
        assert isinstance(tx, InQueries)
        _fill(tx)
        direct = sorted(fetch_in(tx, sql, ("b",), "pk", wanted))
        wrapped = Counting(tx)
        assert sorted(fetch_in(wrapped, sql, ("b",), "pk", wanted)) == direct
        assert wrapped.statements == 3  # IN lists of at most 500 values
        assert fetch_in(tx, sql, ("b",), "pk", []) == []
        tx.execute(f"DROP TABLE {TABLE}")
    assert direct == [(f"k{n:04d}", n) for n in range(0, 1200, 2)]


def test_rows_in_a_list_of_values_are_deleted(container: Container) -> None:
    with container.views.transaction() as tx:
        _fill(tx)
        execute_in(tx, f"DELETE FROM {TABLE} WHERE kind = ? AND {IN}", ("a",), "pk",
                   [f"k{n:04d}" for n in range(1000)])
        execute_in(Counting(tx), f"DELETE FROM {TABLE} WHERE kind = ? AND {IN}", ("b",), "pk",
                   [f"k{n:04d}" for n in range(1100, 1300)])
        execute_in(tx, f"DELETE FROM {TABLE} WHERE {IN}", (), "pk", [])
        left = tx.fetchall(f"SELECT kind, COUNT(*) FROM {TABLE} GROUP BY kind ORDER BY kind")
        tx.execute(f"DROP TABLE {TABLE}")
    assert left == [("a", 200), ("b", 1100)]


def test_a_state_prefetch_reads_many_keys_in_one_statement(container: Container) -> None:
    with container.views.transaction() as tx:
        for statement in StateDocs.ddl("test_in_state"):
            tx.execute(statement)
        docs = StateDocs(tx, "test_in_state")
        for n in range(0, 1200, 3):
            docs.put("lesson", f"l{n:04d}", Row(doc={"n": n}, ref=f"g{n % 7}"))
        docs.flush()
        fresh = StateDocs(tx, "test_in_state")
        fresh.prefetch("lesson", [f"l{n:04d}" for n in range(1200)])
        tx.execute("DROP TABLE test_in_state")
    assert fresh.cached["lesson"] == {f"l{n:04d}" for n in range(1200)}
    assert {pk for (_kind, pk), row in fresh.rows.items() if row is not None} == {
        f"l{n:04d}" for n in range(0, 1200, 3)}
    assert fresh.doc("lesson", "l0003") == {"n": 3} and fresh.doc("lesson", "l0004") is None
    assert fresh.refs[("lesson", "g3")] == {f"l{n:04d}" for n in range(0, 1200, 3) if n % 7 == 3}


def test_diffs_rewrite_owners_never_known_and_diff_the_known_ones(
        container: Container) -> None:
    """A known owner writes its difference; owners never known are deleted (all in one
    statement) and inserted again, whether they had rows (an old lesson met late) or none
    (a new one)."""
    columns, table = ("lesson_id", "item", "value"), "test_in_diffs"
    with container.views.transaction() as tx:
        tx.execute(f"CREATE TABLE {table} (lesson_id TEXT NOT NULL, item TEXT NOT NULL, "
                   "value TEXT NOT NULL, PRIMARY KEY (item))")
        tx.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)",
                       [("known", "k1", "1"), ("known", "k2", "2"), ("old", "o1", "1"),
                        ("old", "o2", "2"), ("other", "x1", "1")])
        counting = Counting(tx)
        diffs = Diffs(counting, table, "lesson_id", columns, ("item",))
        diffs.known("known", [("known", "k1", "1"), ("known", "k2", "2")])
        diffs.replace("known", [("known", "k1", "1"), ("known", "k3", "3")])
        diffs.replace("old", [("old", "o2", "22")])  # had rows, never known
        diffs.replace("new", [("new", "n1", "1")])  # no rows yet, never known
        diffs.flush()
        rows = sorted(tx.fetchall(f"SELECT lesson_id, item, value FROM {table}"))
        tx.execute(f"DROP TABLE {table}")
    assert rows == [("known", "k1", "1"), ("known", "k3", "3"), ("new", "n1", "1"),
                    ("old", "o2", "22"), ("other", "x1", "1")]
    # the owners' delete (1 IN list), the known owner's removed key (1), the upsert (1)
    assert counting.statements == 3


def test_rewrites_replace_each_owners_rows(container: Container) -> None:
    table = "test_in_rewrites"
    with container.views.transaction() as tx:
        tx.execute(f"CREATE TABLE {table} (student_id TEXT NOT NULL, group_id TEXT NOT NULL)")
        tx.executemany(f"INSERT INTO {table} VALUES (?, ?)",
                       [("s1", "g1"), ("s1", "g2"), ("s2", "g1"), ("s3", "g3")])
        rewrites = Rewrites(tx, table, "student_id", ("student_id", "group_id"))
        rewrites.replace("s1", [("s1", "g4")])
        rewrites.replace("s2", [])
        rewrites.replace("s4", [("s4", "g1")])
        rewrites.flush()
        rows = sorted(tx.fetchall(f"SELECT student_id, group_id FROM {table}"))
        tx.execute(f"DROP TABLE {table}")
    assert rows == [("s1", "g4"), ("s3", "g3"), ("s4", "g1")]


def test_new_rows_are_inserted_and_a_stored_key_is_refused(container: Container) -> None:
    """`insert_new` is an insert, not an upsert: 80 rows (COPY on PostgreSQL) go in, and a
    key already stored fails the statement instead of being silently replaced."""
    table = "test_new_rows"
    with container.views.transaction() as tx:
        tx.execute(f"CREATE TABLE {table} (pk TEXT PRIMARY KEY, doc TEXT)")
        insert_new(tx, table, ("pk", "doc"), [(f"k{n:02d}", f'{{"n": "\\t{n}"}}')
                                              for n in range(80)])
        insert_new(Counting(tx), table, ("pk", "doc"), [("w1", None)])  # no `insert`: INSERT
        rows = tx.fetchall(f"SELECT pk, doc FROM {table} ORDER BY pk")
        tx.execute(f"DROP TABLE {table}")
    assert len(rows) == 81 and rows[5] == ("k05", '{"n": "\\t5"}') and rows[-1] == ("w1", None)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), \
            container.views.transaction() as tx:
        tx.execute(f"CREATE TABLE {table} (pk TEXT PRIMARY KEY, doc TEXT)")
        insert_new(tx, table, ("pk", "doc"), [(f"k{n:02d}", "{}") for n in range(60)])
        insert_new(tx, table, ("pk", "doc"), [(f"k{n:02d}", "{}") for n in range(59, 120)])
    with container.views.transaction() as tx:  # rolled back: the table was never made
        tx.execute(f"CREATE TABLE {table} (pk TEXT PRIMARY KEY)")
        tx.execute(f"DROP TABLE {table}")
