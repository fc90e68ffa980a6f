"""Checking the texts people type before a service stores them: one rule for every domain app.

A text is stripped; it may not contain a NUL character (PostgreSQL refuses it); it is present when required
(the message asking for it is given), at least `minimum` and at most `limit` characters long. Errors name the
input field (`ValidationFailed.field`) and, when a `label` is given, the field in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.core.errors import ValidationFailed

#: The longest text a service stores in a text column without a length of its own.
MAX_TEXT = 5000


def clean_text(
    value: str | None, *, field: str, label: Any = None, required: Any = None, limit: int = MAX_TEXT,
    minimum: int = 1,
) -> str:
    """The stripped text, or ValidationFailed on the input `field`. `required` is the message asking for a
    missing text (None: the text may be empty); `minimum` applies to a text that is given."""
    label = capfirst(label) if label else None
    value = (value or "").strip()
    if "\x00" in value:
        if label:
            raise ValidationFailed(_("%(label)s: the text contains a NUL character, which is not allowed."),
                                   field=field, label=label)
        raise ValidationFailed(_("The text contains a NUL character, which is not allowed."), field=field)
    if not value:
        if required is not None:
            raise ValidationFailed(required, field=field)
        return value
    if len(value) < minimum:
        raise ValidationFailed(_("The text is too short (at least %(minimum)s characters)."), field=field,
                               minimum=minimum)
    if len(value) > limit:
        if label:
            raise ValidationFailed(_("%(label)s: the text is too long (at most %(limit)s characters)."),
                                   field=field, label=label, limit=limit)
        raise ValidationFailed(_("The text is too long (at most %(limit)s characters)."), field=field, limit=limit)
    return value


def column_text(
    value: str | None, model: type[models.Model], name: str, *, field: str | None = None, required: Any = None,
    limit: int | None = None,
) -> str:
    """`clean_text` for the column `model.name`: at most its max_length (MAX_TEXT for a text column, or a
    smaller `limit`), labelled with its verbose name; `field` is the API's name of the input (default: `name`)."""
    column = model._meta.get_field(name)
    maximum = min(limit or MAX_TEXT, getattr(column, "max_length", None) or MAX_TEXT)
    label = column.verbose_name if isinstance(column, models.Field) else name  # a reverse relation has none
    return clean_text(value, field=field or name, label=label, required=required, limit=maximum)


def check_choices(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    """The values without repeats, in their order; ValidationFailed naming (at most ten) unknown ones."""
    values = list(dict.fromkeys(values))
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        shown = ", ".join(value.replace("\x00", "") for value in unknown[:10])[:300]
        raise ValidationFailed(_("Unknown values: %(values)s."), field=field, values=shown)
    return values
