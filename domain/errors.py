"""Named domain errors: each says which rule refused the command and why."""

from __future__ import annotations


class DomainError(Exception):
    """A command refused by a rule; `fields` maps a field path to its message."""

    title = "The command was refused"

    def __init__(self, detail: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = dict(fields or {})

    @property
    def code(self) -> str:
        return type(self).__name__


class InvalidValue(DomainError):
    """A value does not satisfy its format or range (a field-level error)."""

    title = "Invalid value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", {field: message})


class NotFound(DomainError):
    title = "Not found"


class RuleViolated(DomainError):
    """The command is well formed but the state of the journal forbids it."""

    title = "A rule of the journal forbids this"


class Conflict(DomainError):
    """Another command changed the same thing first."""

    title = "Conflict"


class StaleVersion(DomainError):
    """The client's If-Match names a version that is no longer current."""

    title = "Precondition failed"


class SchoolNotFound(NotFound):
    pass


class PersonNotFound(NotFound):
    pass


class GroupNotFound(NotFound):
    pass


class IdempotencyKeyReused(Conflict):
    """The same Idempotency-Key was sent with a different command."""

    title = "Idempotency-Key reused for another request"
