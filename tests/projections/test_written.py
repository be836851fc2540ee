"""Rows believed new: the keys a process wrote since it found a table empty (`Written`), their
insert under a savepoint, and the export records and state documents that use them, on both
databases. A wrong belief (another process wrote the table) must cost speed, never a row."""

from __future__ import annotations

import msgspec
import pytest

from infra.container import Container
from projections.documents import Row
from projections.export_records import Records
from projections.export_records import ddl as records_ddl
from projections.state import StateDocs
from projections.store import Written, insert_believed_new


class Payload(msgspec.Struct):
    n: int


def test_a_key_is_new_until_written_and_nothing_is_known_before_an_empty_table() -> None:
    written = Written(bits=1 << 16)
    assert not written.known and written.split("mark", ["a", "b"]) == [True, True]
    written.begin()
    assert written.split("mark", ["a", "b"]) == [False, False]
    assert written.split("mark", ["a", "c"]) == [True, False]
    assert written.split("absence", ["a"]) == [False]  # another entity's key "a"
    written.forget()
    assert not written.known and written.split("mark", ["d"]) == [True]


def test_a_full_bitmap_calls_every_key_maybe_stored() -> None:
    written = Written(bits=8)
    written.begin()
    written.split("mark", [str(n) for n in range(200)])
    assert written.split("mark", ["x", "y", "z"]) == [True, True, True]


def test_believed_new_rows_go_in_and_a_stored_key_leaves_the_batch_usable(
    container: Container,
) -> None:
    table, columns = "test_believed", ("pk", "doc")
    with container.views.transaction() as tx:
        tx.execute(f"CREATE TABLE {table} (pk TEXT PRIMARY KEY, doc TEXT)")
        assert insert_believed_new(tx, table, columns, [(f"k{n:03d}", "1") for n in range(120)])
        # k119 is stored: nothing of these goes in, and the transaction goes on
        assert not insert_believed_new(tx, table, columns,
                                       [(f"k{n:03d}", "2") for n in range(119, 180)])
        tx.upsert(table, columns, ("pk",), [(f"k{n:03d}", "2") for n in range(119, 180)])
    rows = container.views.fetchall(f"SELECT pk, doc FROM {table} ORDER BY pk")
    with container.views.transaction() as tx:
        tx.execute(f"DROP TABLE {table}")
    assert len(rows) == 180
    assert rows[118] == ("k118", "1") and rows[119] == ("k119", "2") and rows[-1] == ("k179", "2")


@pytest.fixture
def records_table(container: Container) -> str:
    table = "test_records"
    with container.views.transaction() as tx:
        for statement in records_ddl(table, "test_gates", container.views.dialect):
            tx.execute(statement)
    return table


def _write(container: Container, table: str, written: Written,
           rows: dict[str, int], position: int) -> None:
    with container.views.transaction() as tx:
        records = Records(tx, table, written)
        for key, n in rows.items():
            records.upsert("mark", key, "school", None, Payload(n=n), position)
        records.flush()


def test_records_written_meanwhile_by_another_process_are_replaced_not_lost(
    container: Container, records_table: str,
) -> None:
    """A runner catching up found the records empty and remembers what it wrote; another
    process then wrote the table. The runner's next batch still upserts: every key once,
    the last payload wins, and it stops believing (a plain probe again)."""
    ours = Written()
    _write(container, records_table, ours, {"a": 1, "b": 1}, 10)
    assert ours.known
    _write(container, records_table, Written(), {"c": 1}, 11)  # the other process
    _write(container, records_table, ours, {"b": 2, "c": 2, "d": 2}, 12)
    stored = container.views.fetchall(
        f"SELECT key, payload, position FROM {records_table} ORDER BY key")
    assert stored == [("a", '{"n":1}', 10), ("b", '{"n":2}', 12), ("c", '{"n":2}', 12),
                      ("d", '{"n":2}', 12)]
    assert not ours.known
    _write(container, records_table, ours, {"e": 3}, 13)  # the table is not empty: upserts
    assert not ours.known
    assert container.views.fetchone(
        f"SELECT payload FROM {records_table} WHERE key = 'e'") == ('{"n":3}',)


def test_documents_looked_up_and_not_found_are_inserted_and_found_ones_replaced(
    container: Container,
) -> None:
    table = "test_absent_docs"
    with container.views.transaction() as tx:
        for statement in StateDocs.ddl(table):
            tx.execute(statement)
        docs = StateDocs(tx, table)
        docs.put("lesson", "stored", Row(doc={"v": 1}))
        docs.put("lesson", "gone", Row(doc={"v": 1}))
        docs.flush()
    with container.views.transaction() as tx:
        docs = StateDocs(tx, table)
        docs.prefetch("lesson", ["stored", "new", "gone"])
        assert docs.get("lesson", "fresh") is None
        docs.delete("lesson", "gone")
        docs.put("lesson", "gone", Row(doc={"v": 3}))  # deleted and put again: replaced
        for pk in ("stored", "new", "fresh"):
            docs.put("lesson", pk, Row(doc={"v": 2}))
        docs.flush()
    rows = container.views.fetchall(f"SELECT pk, doc FROM {table} ORDER BY pk")
    with container.views.transaction() as tx:
        tx.execute(f"DROP TABLE {table}")
    assert rows == [("fresh", '{"v":2}'), ("gone", '{"v":3}'), ("new", '{"v":2}'),
                    ("stored", '{"v":2}')]


def test_records_written_out_in_parts_keep_the_last_write_and_follow_a_gate_opened_later(
    container: Container, records_table: str,
) -> None:
    """A batch deriving a year of statistics writes its records out a part at a time: keys
    written again after their part went out are replaced (more upserts in the transaction,
    each of 60 rows: the staged kind on PostgreSQL), and a gate the batch opened still moves
    every part behind it."""
    keys = [f"k{n:03d}" for n in range(60)]
    with container.views.transaction() as tx:
        records = Records(tx, records_table, Written())
        for n in (1, 2, 3):
            for key in keys:
                records.upsert("mark", key, "school", None, Payload(n=n), 10 + n)
            records.spill(limit=60)
            assert not records.pending
        records.upsert("mark", "late", "school", None, Payload(n=4), 20)
        records.open_gate("school", "school", 40)
        records.flush()
    stored = container.views.fetchall(
        f"SELECT key, payload, position FROM {records_table} ORDER BY key")
    assert stored == [*((key, '{"n":3}', 40) for key in keys), ("late", '{"n":4}', 40)]
