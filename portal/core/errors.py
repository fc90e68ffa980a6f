"""Domain errors: every refused action raises one, with a stable code and a translatable message."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused the action. `code` is stable (for APIs), `message` is for people."""

    code: str = "domain_error"
    #: Set by `audit.audited_write` once the refusal has its attempt row (a nested write does not repeat it).
    audited: bool = False
    #: A refusal to publish personal data: the kinds and keys of what was found (never the data itself).
    findings: list[dict[str, str]] | None = None

    def __init__(self, message: str | Promise, *, code: str | None = None, **params: Any) -> None:
        self._message = message
        self.params = params
        if code:
            self.code = code
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        text = str(self._message)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message


class PermissionDenied(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ValidationFailed(DomainError):
    code = "validation_failed"

    def __init__(self, message: str | Promise, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        super().__init__(message, **params)


class Conflict(DomainError):
    """Optimistic-concurrency conflict: the object changed since the caller read it."""

    code = "conflict"

    def __init__(self, message: str | Promise, *, current: Any = None, **params: Any) -> None:
        self.current = current
        super().__init__(message, **params)
