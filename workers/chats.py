"""Сферум chats brought to the platform: the wanted membership (the chats projection) made
real through a `ChatPlatform` adapter.

Reconciling is idempotent: it reads the chat's members on the platform and changes only the
difference, so running it twice changes nothing the second time. A chat is done again only
when its digest (its title and wanted members) moved since it was last reconciled; a chat
that failed stays pending, and the actor raises so dramatiq retries it with back-off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import dramatiq

from projections.chats import ChatQueries
from projections.store import ViewStore
from workers import runtime

log = logging.getLogger(__name__)
SYNC = "chat_sync"


class RemoteChat(Protocol):
    id: str
    title: str


class ChatPlatform(Protocol):
    """The port to the platform's chats (VK Messenger for Сферум); a fake in tests."""

    def find_chat(self, key: str) -> RemoteChat | None:
        """The chat made earlier for our key (its stable id), if any."""

    def create_chat(self, key: str, title: str) -> RemoteChat: ...

    def rename_chat(self, chat_id: str, title: str) -> None: ...

    def members(self, chat_id: str) -> dict[str, bool]:
        """Profile id -> whether the member is an admin of the chat."""

    def add_member(self, chat_id: str, profile_id: str, admin: bool) -> None: ...

    def set_admin(self, chat_id: str, profile_id: str, admin: bool) -> None: ...

    def remove_member(self, chat_id: str, profile_id: str) -> None: ...


class ChatsNotReconciled(Exception):
    """Some chats could not be brought to the platform; a retry will try them again."""


@dataclass
class Report:
    chats: int = 0
    created: int = 0
    added: int = 0
    removed: int = 0
    admins: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.created + self.added + self.removed + self.admins


def create_sync_table(store: ViewStore) -> None:
    with store.transaction() as tx:
        tx.execute(f"CREATE TABLE IF NOT EXISTS {SYNC} (chat_id TEXT PRIMARY KEY, "
                   "digest TEXT NOT NULL, synced_at TEXT NOT NULL)")


def _synced(store: ViewStore) -> dict[str, str]:
    return {str(c): str(d) for c, d in store.fetchall(f"SELECT chat_id, digest FROM {SYNC}")}


def _mark_synced(store: ViewStore, chat_id: str, digest: str) -> None:
    with store.transaction() as tx:
        tx.execute(
            f"INSERT INTO {SYNC} (chat_id, digest, synced_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET digest = excluded.digest, "
            "synced_at = excluded.synced_at",
            (chat_id, digest, datetime.now(UTC).isoformat()))


def reconcile_chat(queries: ChatQueries, platform: ChatPlatform, chat: dict[str, Any],
                   report: Report) -> None:
    """Make one chat's platform membership equal to the wanted one."""
    wanted = queries.wanted(chat["id"])
    remote = platform.find_chat(chat["key"])
    if remote is None:
        if not wanted:
            return  # a chat nobody is in yet is not created
        remote = platform.create_chat(chat["key"], chat["title"])
        report.created += 1
    elif remote.title != chat["title"]:
        platform.rename_chat(remote.id, chat["title"])
    actual = platform.members(remote.id)
    for profile, admin in sorted(wanted.items()):
        if profile not in actual:
            platform.add_member(remote.id, profile, admin)
            report.added += 1
        elif actual[profile] != admin:
            platform.set_admin(remote.id, profile, admin)
            report.admins += 1
    for profile in sorted(set(actual) - set(wanted)):
        platform.remove_member(remote.id, profile)
        report.removed += 1


def reconcile(store: ViewStore, platform: ChatPlatform, full: bool = False) -> Report:
    """Every chat whose digest moved since it was last reconciled (all, with `full`)."""
    create_sync_table(store)
    queries, synced, report = ChatQueries(store), _synced(store), Report()
    for chat in queries.digests():
        digest = chat.get("digest", "")
        if not full and synced.get(chat["id"]) == digest:
            continue
        report.chats += 1
        try:
            reconcile_chat(queries, platform, chat, report)
        except Exception:
            log.exception("could not reconcile the chat %s (%s)", chat["key"], chat["title"])
            report.failed.append(chat["id"])
            continue
        _mark_synced(store, chat["id"], digest)
    return report


@dramatiq.actor(queue_name="chats", max_retries=8, min_backoff=5_000, max_backoff=600_000,
                time_limit=3600 * 1000)
def reconcile_chats(full: bool = False) -> None:
    """Bring the Сферум chats to the wanted membership (run periodically and on demand)."""
    services = runtime.services()
    platform: ChatPlatform | None = getattr(services, "chat_platform", None)
    if platform is None:
        log.warning("no Сферум chat platform is connected: chats not reconciled")
        return
    report = reconcile(services.views, platform, full)
    log.info("chats reconciled: %s", report)
    if report.failed:
        raise ChatsNotReconciled(f"{len(report.failed)} chats failed; they will be retried")
