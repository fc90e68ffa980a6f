"""Checks of free-text arguments of queries (filters, codes, addresses) before they reach the database.

PostgreSQL refuses the NUL character in text, so a filter carrying one would fail inside the database (an
internal error); it is refused up front as `bad_user_input`. Texts that mutations store are checked by the
domain services (`portal.cases.services`), which name the field and its column's length.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from graph.errors import BadUserInput
from portal.core.errors import NotFound

#: Longest free-text filter accepted; longer ones are cut (a filter, not stored data).
MAX_FILTER_TEXT = 200


def check_text(value: str | None, field: str) -> str | None:
    """The argument unchanged; refused (bad_user_input) when it contains a NUL character."""
    if value is not None and "\x00" in value:
        raise BadUserInput(_("The text must not contain the NUL character."), field=field)
    return value


def filter_text(value: str | None, field: str, limit: int = MAX_FILTER_TEXT) -> str | None:
    """A free-text filter: checked, stripped, cut to `limit`; None when empty."""
    text = (check_text(value, field) or "").strip()[:limit]
    return text or None


def id_number(value: object) -> int | None:
    """The database id of an ID argument, or None when it is not a plain decimal number in range."""
    text = str(value).strip()
    if not text.isascii() or not text.isdecimal() or len(text) > 18:
        return None
    return int(text)


def optional_id(value: object | None, not_found: str | Promise) -> int | None:
    """The database id of an optional ID argument (None stays None); an ID that cannot name a row is refused as
    `not_found` with the given message, exactly like a row that does not exist (run inside a unit of work)."""
    if value is None:
        return None
    number = id_number(value)
    if number is None:
        raise NotFound(not_found)
    return number


def required_id(value: object, not_found: str | Promise) -> int:
    number = optional_id(value, not_found)
    if number is None:
        raise NotFound(not_found)
    return number
