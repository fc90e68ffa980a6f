"""Typed, translated errors of the gateway.

Domain refusals (`portal.core.errors`) become `GatewayError`s: a GraphQL error whose message is
already translated into the caller's language and whose `extensions` carry a stable `code`
(`not_found`, `forbidden`, `invalid_transition`, `validation_failed` + `field`, `conflict` +
`current`, `unauthenticated`, `rate_limited`, `bad_user_input`). Anything else is unexpected and
masked by `MaskErrors` ("Unexpected error."), so no internals leak.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from graphql import GraphQLError

from portal.core.errors import Conflict, DomainError, ValidationFailed

UNEXPECTED_MESSAGE = _("Unexpected error. It has been logged; please try again later.")


class GatewayError(GraphQLError):
    """An error meant for the caller: translated message and `extensions.code`."""

    def __init__(self, message: str | Promise, *, code: str, **extensions: Any) -> None:
        super().__init__(str(message), extensions={"code": code, **extensions})

    @property
    def code(self) -> str:
        return str((self.extensions or {}).get("code", ""))


class Unauthenticated(GatewayError):
    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(message or _("Sign in to use this part of the API."), code="unauthenticated")


class Forbidden(GatewayError):
    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(message or _("You may not use this part of the API."), code="forbidden")


class BadUserInput(GatewayError):
    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(message, code="bad_user_input", field=field)


class RateLimited(GatewayError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(_("Too many changes in a short time. Try again in a minute."), code="rate_limited",
                         retryAfter=retry_after)


def current_state(obj: Any) -> dict[str, Any] | None:
    """The current state carried by a Conflict (a Measure or a Case), in the API's field names."""
    from portal.cases.models import Case, Measure

    if isinstance(obj, Measure):
        return {
            "id": str(obj.pk),
            "version": obj.version,
            "status": obj.status,
            "statusLabel": str(obj.get_status_display()),
            "result": obj.result,
            "doneOn": obj.done_on.isoformat() if obj.done_on else None,
            "notFulfilledReason": obj.not_fulfilled_reason,
            "cancelReason": obj.cancel_reason,
            "deadline": obj.deadline.isoformat(),
            "updatedAt": obj.updated_at.isoformat() if obj.updated_at else None,
        }
    if isinstance(obj, Case):
        return {
            "id": str(obj.pk),
            "code": obj.code,
            "version": obj.version,
            "status": obj.status,
            "statusLabel": str(obj.get_status_display()),
            "endsOn": obj.ends_on.isoformat() if obj.ends_on else None,
            "reviewDueOn": obj.review_due_on.isoformat() if obj.review_due_on else None,
        }
    return None


def from_domain_error(error: DomainError) -> GatewayError:
    """Translate a domain refusal (message rendered in the active language)."""
    extensions: dict[str, Any] = {}
    if isinstance(error, ValidationFailed):
        extensions["field"] = error.field
    if isinstance(error, Conflict):
        extensions["current"] = current_state(error.current)
    return GatewayError(error.message, code=error.code, **extensions)


def should_mask_error(error: GraphQLError) -> bool:
    """Mask every error raised during execution that is not a GatewayError.

    Errors without an original error are syntax/validation errors of the document (safe to show).
    """
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, GatewayError)
