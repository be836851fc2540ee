"""Tamper evidence: a hash chain over the log's stored bytes, kept in checkpointed blocks.

Each event's leaf hash covers the bytes as stored: originator id, version, topic and state
(encrypted when the log is, so destroying a person's key or rotating nothing breaks it):
    leaf = SHA-256(frame(originator_id) | version | frame(topic) | frame(state))
    hash = SHA-256(previous hash | position | leaf), the first previous hash being 32 zeros.
Every BLOCK events are a checkpoint row: the chain hash after its last event and each
event's position with the first 8 bytes of its leaf, so `zhurnal audit verify`
(projections/audit_verify.py) can say at which position an event was modified, deleted or
inserted. The last, open block is rewritten each batch until it is full.

It needs the stored notifications, not decoded events: it sets `reads_stored_events`, the
runner's optional hook. Rebuilding it re-chains whatever the log holds now; comparing a
rebuild with the live chain (`zhurnal projections verify`) is itself a tamper check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from projections.base import Positioned, Projection
from projections.journal_events import sid
from projections.store import Tx, ViewStore

GENESIS = bytes(32)
BLOCK = 256
LEAF_HEX = 16  # the leaf prefix kept per event, in hex digits (8 bytes)


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


@lru_cache(maxsize=1024)
def _framed_topic(topic: str) -> bytes:
    return _frame(topic.encode())


def leaf_hash(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """The hash of one stored event's bytes."""
    ident, data = sid(originator_id).encode(), bytes(state)
    return hashlib.sha256(b"".join((
        len(ident).to_bytes(8, "big"), ident, int(version).to_bytes(8, "big", signed=True),
        _framed_topic(topic), len(data).to_bytes(8, "big"), data))).digest()


def link(previous: bytes, position: int, leaf: bytes) -> bytes:
    return hashlib.sha256(previous + position.to_bytes(8, "big") + leaf).digest()


def stored_leaf(notification: Any) -> bytes:
    return leaf_hash(notification.originator_id, notification.originator_version,
                     notification.topic, notification.state)


@dataclass
class Block:
    """One checkpoint: the chain hash after `last_position` and the events it covers."""

    number: int
    hash: bytes = GENESIS
    entries: list[tuple[int, str]] = field(default_factory=list)  # (position, leaf prefix)

    @property
    def last_position(self) -> int:
        return self.entries[-1][0] if self.entries else 0

    def row(self) -> tuple[Any, ...]:
        leaves = " ".join(f"{position}:{leaf}" for position, leaf in self.entries)
        return (self.number, self.last_position, len(self.entries), self.hash.hex(), leaves)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Block:
        entries = []
        for item in str(row[4]).split():
            position, leaf = item.split(":")
            entries.append((int(position), leaf))
        return cls(int(row[0]), bytes.fromhex(str(row[3])), entries)


class AuditChain(Projection):
    name = "audit_chain"
    version = 1
    TABLE = "view_audit_chain"
    reads_stored_events = True  # the runner's hook: (position, Notification) pairs

    def table_names(self) -> Sequence[str]:
        return (self.TABLE,)

    def create_tables(self, tx: Tx, dialect: str) -> None:
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table(self.TABLE)} (block BIGINT PRIMARY KEY, "
            "last_position BIGINT NOT NULL, count INTEGER NOT NULL, hash TEXT NOT NULL, "
            "leaves TEXT NOT NULL)"
        )

    def process(self, tx: Tx, events: Sequence[Positioned]) -> None:
        table = self.table(self.TABLE)
        row = tx.fetchone(f"SELECT block, last_position, count, hash, leaves FROM {table} "
                          "ORDER BY block DESC LIMIT 1")
        block = Block.from_row(row) if row else Block(0)
        dirty = [block]
        for position, notification in events:
            if len(block.entries) >= BLOCK:
                block = Block(block.number + 1, block.hash)
                dirty.append(block)
            leaf = stored_leaf(notification)
            block.hash = link(block.hash, position, leaf)
            block.entries.append((position, leaf[:LEAF_HEX // 2].hex()))
        tx.executemany(
            f"INSERT INTO {table} (block, last_position, count, hash, leaves) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (block) DO UPDATE SET "
            "last_position = excluded.last_position, count = excluded.count, "
            "hash = excluded.hash, leaves = excluded.leaves",
            [b.row() for b in dirty if b.entries],
        )


class ChainQueries:
    def __init__(self, store: ViewStore, table: str = AuditChain.TABLE) -> None:
        self.store, self.table = store, table

    def head(self) -> dict[str, Any]:
        """The latest checkpoint: the chain hash after the last event it covers."""
        row = self.store.fetchone(f"SELECT block, last_position, count, hash, leaves FROM "
                                  f"{self.table} ORDER BY block DESC LIMIT 1")
        if row is None:
            return {"position": 0, "hash": GENESIS.hex(), "blocks": 0}
        return {"position": int(row[1]), "hash": str(row[3]), "blocks": int(row[0]) + 1}

    def blocks(self, after: int = -1, limit: int = 200) -> list[Block]:
        rows = self.store.fetchall(
            f"SELECT block, last_position, count, hash, leaves FROM {self.table} "
            "WHERE block > ? ORDER BY block LIMIT ?", (after, limit))
        return [Block.from_row(row) for row in rows]
