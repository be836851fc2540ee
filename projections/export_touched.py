"""Derived keys a catch-up touched and has not derived yet: each written once, at the end.

While the export catches up (a full batch, more waiting), a batch that opens no gate does not
recompute the statistics, diaries and lesson counts its events touched (`export_summaries`):
it appends the touched keys, with the position that touched them, to `export_touched`. The
batch that derives (the one that reaches the head, opens a gate, or finds too many keys
waiting) takes them all back and derives each once, with the last position that touched it.
A year's diary of a student-week was otherwise written about twice and a week's statistics
1.4 times, each time whole (half of the export's catch-up went to derived records).

The records come out as they would have batch by batch: a derived record is a function of
the state and its last touch's position (`export_derived`). Two things hold it so:
- a gate moves every record behind it up to the position it opened at, so what waits is
  derived before a gate opens (in the batch that opens it, before the gate moves them);
- a sealed delta holds the records up to a position: `seal` stops below the first key still
  waiting, or a record derived later would land in a range already delivered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from projections.store import Tx, insert_new

if TYPE_CHECKING:
    from projections.export_derived import Touches

TOUCHED = "export_touched"
KINDS = ("diaries", "weeks", "subjects", "periods", "counts")  # the maps of `Touches`
LIMIT = 1_000_000  # keys waiting (with repeats) past which a batch derives them anyway
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(list[Any]).decode


def ddl(table: str) -> list[str]:
    # Appended to, read whole and emptied: no key, no index.
    return [f"CREATE TABLE IF NOT EXISTS {table} (kind TEXT NOT NULL, key TEXT NOT NULL, "
            "position BIGINT NOT NULL)"]


class Touched:
    """The waiting keys of one export table, in one batch's transaction."""

    def __init__(self, tx: Tx, table: str) -> None:
        self.tx, self.table = tx, table

    def waiting(self) -> bool:
        return self.tx.fetchone(f"SELECT 1 FROM {self.table} LIMIT 1") is not None

    def has_room(self, touches: Touches) -> bool:
        """Whether the batch's keys may wait too (memory: the deriving batch holds them all)."""
        row = self.tx.fetchone(f"SELECT COUNT(*) FROM {self.table}")
        count = int(row[0]) if row else 0
        return count + sum(len(getattr(touches, kind)) for kind in KINDS) <= LIMIT

    def keep(self, touches: Touches) -> None:
        """The batch's touched keys wait, with their positions."""
        rows = [(kind, _encode(list(key)).decode(), position) for kind in KINDS
                for key, position in getattr(touches, kind).items()]
        insert_new(self.tx, self.table, ("kind", "key", "position"), rows)

    def take_into(self, touches: Touches) -> None:
        """Every waiting key into the batch's own (whose touches are later), emptied."""
        rows = self.tx.fetchall(f"SELECT kind, key, position FROM {self.table}")
        if not rows:
            return
        merged: dict[str, dict[Any, int]] = {kind: {} for kind in KINDS}
        for kind, key, position in rows:
            found = merged[str(kind)]
            at = tuple(_decode(key))
            if int(position) > found.get(at, 0):
                found[at] = int(position)
        for kind in KINDS:
            mine: dict[Any, int] = getattr(touches, kind)
            merged[kind].update(mine)
            setattr(touches, kind, merged[kind])
        self.tx.execute(f"DELETE FROM {self.table}")
