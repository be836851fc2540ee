"""Where a person belongs, from the registries: the facts access decisions need; and, after
an erasure, no old bytes of a person left in the read-model files.

A person belongs to a school as its student (their current class), as staff, or as a legal
representative of one of its students. The policy (api/policy.py) decides; this reads.

The projections blank an erased person, but SQLite keeps replaced rows in free space and in
its write-ahead log until they are overwritten: `scrub_views` compacts the views file (VACUUM
rewrites every page from the live rows) and truncates its WAL. On PostgreSQL an old row
version is invisible to every query and dump; VACUUM, which needs a transaction of its own,
is run by `zhurnal audit scrub`.
"""

from __future__ import annotations

from projections.store import ViewStore

TABLE = "view_registry"


def person_schools(store: ViewStore, person_id: str, table: str = TABLE) -> set[str]:
    """The schools a person is a student, staff member or representative in."""
    rows = store.fetchall(
        f"SELECT school_id FROM {table} WHERE kind = 'student' AND pk = ? "
        f"UNION SELECT school_id FROM {table} WHERE kind = 'staff' AND ref = ? "
        f"UNION SELECT s.school_id FROM {table} r JOIN {table} s ON s.kind = 'student' "
        "AND s.pk = r.ref WHERE r.kind = 'representative' AND r.pk LIKE ?",
        (person_id, person_id, f"%:{person_id}"),
    )
    return {str(school) for (school,) in rows if school}


def represents(store: ViewStore, parent_id: str, student_id: str, table: str = TABLE) -> bool:
    """Whether `parent_id` is a current legal representative of `student_id`."""
    return store.fetchone(f"SELECT 1 FROM {table} WHERE kind = 'representative' AND pk = ?",
                          (f"{student_id}:{parent_id}",)) is not None


def subgroups(store: ViewStore, school_id: str, class_id: str, table: str = TABLE) -> list[str]:
    """The subgroups of a class (its English groups, ...)."""
    rows = store.fetchall(
        f"SELECT pk FROM {table} WHERE kind = 'group' AND school_id = ? AND doc LIKE ?",
        (school_id, f'%"parent_id":"{class_id}"%'))
    return sorted(str(pk) for (pk,) in rows)


def scrub_views(store: ViewStore) -> bool:
    """Compact the SQLite views file and truncate its WAL; False on PostgreSQL."""
    if store.dialect != "sqlite":
        return False
    store.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
    store.fetchall("VACUUM")
    busy = store.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    return busy is None or int(busy[0]) == 0
