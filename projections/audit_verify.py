"""`zhurnal audit verify`: the log's stored bytes against the audit chain's checkpoints.

Reads the log as stored (never decoding it, so it works on a log that no longer decodes),
recomputes every leaf and the chain, and compares block by block:
- a position in a checkpoint but not in the log: an event was deleted there;
- a position in the log, inside the range a checkpoint covers, but not in it: inserted;
- a leaf that differs: the event at that position was modified;
- a checkpoint hash that differs while its leaves agree: the chain table was altered.
An anchor (a checkpoint copied elsewhere earlier: `zhurnal audit head`) is checked against
the chain recomputed from the genesis, which an attacker who rewrote the log and the chain
table together cannot match. Events after the last checkpoint are counted, not judged: the
chain projection has not reached them yet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from projections.audit_chain import GENESIS, LEAF_HEX, Block, ChainQueries, link, stored_leaf
from projections.store import ViewStore


@dataclass
class Finding:
    position: int
    kind: str  # "modified", "deleted", "inserted", "chain", "anchor"
    detail: str


@dataclass
class ChainReport:
    covered: int = 0  # the last position the chain's checkpoints cover
    head: str = GENESIS.hex()  # the chain recomputed from the log up to `covered`
    events: int = 0  # events of the log read within the covered range
    beyond: int = 0  # events after `covered`, not chained yet
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _log(recorder: ApplicationRecorder, after: int, until: int | None,
         batch: int) -> Iterator[Any]:
    """Stored notifications with after < id <= until, in order."""
    start = after
    while True:
        page = recorder.select_notifications(start=start, limit=batch, stop=until,
                                             inclusive_of_start=False)
        if not page:
            return
        yield from page
        start = page[-1].id


def verify_chain(
    recorder: ApplicationRecorder, store: ViewStore, anchors: Mapping[int, str] | None = None,
    batch: int = 2000, table: str | None = None, max_findings: int = 1000,
) -> ChainReport:
    queries = ChainQueries(store, table) if table else ChainQueries(store)
    report = ChainReport()
    anchors = dict(anchors or {})
    pure, synced, previous_end, last_block = GENESIS, GENESIS, 0, -1
    while True:
        blocks = queries.blocks(after=last_block)
        if not blocks:
            break
        for block in blocks:
            expected = dict(block.entries)
            actual = list(_log(recorder, previous_end, block.last_position, batch))
            seen = set()
            block_findings = len(report.findings)
            for notification in actual:
                position = int(notification.id)
                seen.add(position)
                leaf = stored_leaf(notification)
                pure, synced = link(pure, position, leaf), link(synced, position, leaf)
                report.events += 1
                if position in anchors and anchors.pop(position) != pure.hex():
                    report.findings.append(Finding(position, "anchor",
                                                   "the chain differs from the anchor"))
                wanted = expected.get(position)
                if wanted is None:
                    report.findings.append(Finding(
                        position, "inserted",
                        f"{notification.topic} {notification.originator_id} "
                        f"v{notification.originator_version} is not in the chain"))
                elif wanted != leaf.hex()[:LEAF_HEX]:
                    report.findings.append(Finding(
                        position, "modified",
                        f"{notification.topic} {notification.originator_id} "
                        f"v{notification.originator_version} differs from what was chained"))
            for position in sorted(set(expected) - seen):
                report.findings.append(Finding(position, "deleted",
                                               "a chained event is missing from the log"))
            if synced != block.hash and len(report.findings) == block_findings:
                report.findings.append(Finding(
                    block.last_position, "chain",
                    f"checkpoint {block.number} does not match its events"))
            synced = block.hash  # judge the next block on its own
            previous_end, last_block = block.last_position, block.number
            if len(report.findings) >= max_findings:
                break
        if len(report.findings) >= max_findings:
            break
    report.covered, report.head = previous_end, pure.hex()
    for position in sorted(anchors):
        report.findings.append(Finding(position, "anchor", "the anchor is past the chain"))
    report.beyond = sum(1 for _ in _log(recorder, previous_end, None, batch))
    return report


def parse_anchor(text: str) -> tuple[int, str]:
    """`POSITION:HASH`, as `zhurnal audit head` prints it."""
    position, _, digest = text.partition(":")
    if not position.isdigit() or len(digest) != 64:
        raise ValueError(f"an anchor is POSITION:SHA256HEX, not {text!r}")
    return int(position), digest.lower()


__all__ = ["Block", "ChainReport", "Finding", "parse_anchor", "verify_chain"]
