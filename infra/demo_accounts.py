"""Who a demo token is for: the first person of a role found in the registries."""

from __future__ import annotations

from api.auth import Role
from infra.container import Container


def subject_for(container: Container, role: Role) -> tuple[str | None, str | None]:
    """(subject, school_id) for a token of `role` without an explicit person."""
    if role in (Role.ADMIN, Role.AUDITOR, Role.EXPORTER):
        return role.value, None
    views = container.views
    if role is Role.SCHOOL_ADMIN:
        row = views.fetchone(
            "SELECT ref, school_id FROM view_registry WHERE kind = 'staff' "
            "AND doc LIKE '%administrator%' ORDER BY sort, pk LIMIT 1"
        )
    elif role is Role.TEACHER:
        row = views.fetchone(
            "SELECT ref, school_id FROM view_registry WHERE kind = 'staff' "
            "AND doc LIKE '%teacher%' ORDER BY sort, pk LIMIT 1"
        )
    elif role is Role.STUDENT:
        row = views.fetchone(
            "SELECT ref, school_id FROM view_registry WHERE kind = 'student' "
            "ORDER BY sort, pk LIMIT 1"
        )
    else:
        row = views.fetchone(
            "SELECT substr(r.pk, length(r.ref) + 2), s.school_id FROM view_registry r "
            "JOIN view_registry s ON s.kind = 'student' AND s.pk = r.ref "
            "WHERE r.kind = 'representative' ORDER BY r.sort, r.pk LIMIT 1"
        )
    return (str(row[0]), str(row[1])) if row else (None, None)
