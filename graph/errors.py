"""Typed, translated errors of the gateway.

Domain refusals (`portal.core.errors`) become `GatewayError`s: a GraphQL error whose message is
already translated into the caller's language and whose `extensions` carry a stable `code`
(`not_found`, `forbidden`, `invalid_transition`, `validation_failed` + `field`, `conflict` +
`current`, `unauthenticated`, `rate_limited`, `bad_user_input`, `try_again` + `retryAfter` when the database
gave up waiting for a lock held by someone else). Refusals of the document itself (limits,
syntax, unknown fields, values of the wrong type) are typed too (`query_too_complex`, `graphql_parse_failed`,
`graphql_validation`, `bad_user_input`) with a translated message, graphql-core's English text kept in
`extensions.detail`. Anything else is unexpected and masked by `MaskErrors` ("Unexpected error."), so no
internals leak.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from graphql import GraphQLError

from portal.cases.models import Case, Measure
from portal.core.errors import Conflict, DomainError, ValidationFailed
from portal.core.locks import RETRY_AFTER_SECONDS

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


class TryAgain(GatewayError):
    """The database gave up waiting for a lock (someone else is changing the same rows): a transient refusal."""

    def __init__(self, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(_("Someone else is changing the same data right now. Try again in a few seconds."),
                         code="try_again", retryAfter=retry_after)


def current_state(obj: Any) -> dict[str, Any] | None:
    """The current state carried by a Conflict (a Measure or a Case), in the API's field names."""
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


def _is_variable_error(error: GraphQLError) -> bool:
    """A variable's value refused by its type before execution (e.g. "x" for an Int, 2020-13-45 for a Date):
    the caller's input, not a failure of the gateway, even when it carries the scalar's ValueError."""
    return error.path is None and error.message.startswith("Variable '$")


def should_mask_error(error: GraphQLError) -> bool:
    """Mask every error raised during execution that is not a GatewayError.

    Errors without an original error are syntax/validation errors of the document, and variable coercion
    errors are refusals of the caller's values: both are safe to show (typed by `typed_error`).
    """
    original = error.original_error
    if original is None or _is_variable_error(error):
        return False
    return not isinstance(original, GatewayError)


_QUOTED = r"['\"]([^'\"]+)['\"]"
_SCALAR_NAMES = r"(Int|Float|String|Boolean|ID|DateTime|Date|Time|Decimal|UUID|JSON)\b"


def _typed(error: GraphQLError, message: str | Promise, code: str, **extensions: Any) -> GraphQLError:
    """A copy of a document/variable error with a translated message, a code and the original text as
    `detail` (graphql-core's English message, for developers)."""
    return GraphQLError(str(message), nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, extensions={"code": code, "detail": error.message, **extensions})


def _limit_error(error: GraphQLError) -> GraphQLError | None:
    text = error.message
    if "exceeds maximum operation depth" in text:
        return _typed(error, _("The query is too deep: at most %(limit)s levels of fields are allowed.")
                      % {"limit": settings.GRAPHQL_MAX_DEPTH}, "query_too_complex", limit="depth")
    if "Document contains more than" in text and "tokens" in text:
        return _typed(error, _("The query is too long: at most %(limit)s tokens are allowed.")
                      % {"limit": settings.GRAPHQL_MAX_TOKENS}, "query_too_complex", limit="tokens")
    if re.fullmatch(r"\d+ aliases found\. Allowed: \d+", text):
        return _typed(error, _("The query uses too many aliases: at most %(limit)s are allowed.")
                      % {"limit": settings.GRAPHQL_MAX_ALIASES}, "query_too_complex", limit="aliases")
    return None


def _value_error(error: GraphQLError) -> GraphQLError | None:
    """A value of the wrong type, in a variable or a literal argument → bad_user_input."""
    text = error.message
    variable = re.match(r"Variable '\$(\w+)'", text)
    field = variable.group(1) if variable else None
    if variable and "was not provided" in text:
        return _typed(error, _("The variable %(name)s is required.") % {"name": field}, "bad_user_input",
                      field=field)
    wrong = (re.search(r"Value cannot represent an? " + _SCALAR_NAMES, text)
             or re.search(r"\b" + _SCALAR_NAMES + r" cannot represent", text)
             or re.search(r"Enum " + _QUOTED + r" cannot represent", text)
             or re.search(r"does not exist in " + _QUOTED + " enum", text)
             or re.search(r"Expected (?:value of )?type " + _QUOTED, text))
    if wrong is None and not (variable and "got invalid value" in text):
        return None
    kind = wrong.group(1) if wrong else ""
    message = (_("The value is not valid: %(type)s expected.") % {"type": kind} if kind
               else _("The value is not valid."))
    return _typed(error, message, "bad_user_input", field=field)


def _document_error(error: GraphQLError) -> GraphQLError:
    """Any other refusal of the document (syntax, unknown field or argument, missing argument)."""
    text = error.message
    if text.startswith("Syntax Error"):
        where = error.locations[0] if error.locations else None
        return _typed(error, _("The query is not valid GraphQL (syntax error at line %(line)s, column %(column)s).")
                      % {"line": where.line if where else "?", "column": where.column if where else "?"},
                      "graphql_parse_failed")
    if "introspection has been disabled" in text:
        return _typed(error, _("Introspection of the schema is disabled on this server."), "graphql_validation")
    unknown_field = re.match(r"Cannot query field " + _QUOTED + r" on type " + _QUOTED, text)
    if unknown_field:
        return _typed(error, _("Unknown field %(field)s of type %(type)s.")
                      % {"field": unknown_field.group(1), "type": unknown_field.group(2)}, "graphql_validation")
    unknown_argument = re.match(r"Unknown argument " + _QUOTED + r" on field " + _QUOTED, text)
    if unknown_argument:
        return _typed(error, _("Unknown argument %(argument)s of field %(field)s.")
                      % {"argument": unknown_argument.group(1), "field": unknown_argument.group(2)},
                      "graphql_validation")
    missing = re.match(r"Field " + _QUOTED + r" argument " + _QUOTED + r" of type .* is required", text)
    if missing:
        return _typed(error, _("The argument %(argument)s of field %(field)s is required.")
                      % {"argument": missing.group(2), "field": missing.group(1)}, "graphql_validation")
    return _typed(error, _("The query does not match the API's schema."), "graphql_validation")


def typed_error(error: GraphQLError) -> GraphQLError:
    """An error the caller may see, with `extensions.code` and a translated message: limits →
    `query_too_complex`, values of the wrong type → `bad_user_input`, other refusals of the document →
    `graphql_parse_failed` / `graphql_validation`. Errors already typed are returned unchanged."""
    if (error.extensions or {}).get("code"):
        return error
    return _limit_error(error) or _value_error(error) or _document_error(error)
