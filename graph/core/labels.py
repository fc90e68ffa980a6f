"""Labels of the domain's choices in the caller's language, built once per language and choices class (Django's
`get_FOO_display` translates every label of the field through gettext on every call, a quarter of the time of
building a page of measures)."""

from __future__ import annotations

import functools
from enum import Enum

from django.conf import settings
from django.db.models import Choices
from django.utils import translation


@functools.cache
def _labels(choices: type[Choices], language: str) -> dict[str, str]:
    with translation.override(language):
        return {str(value): str(label) for value, label in choices.choices}


def choice_label(choices: type[Choices] | type[Enum], value: str) -> str:
    """The label of `value` among `choices` in the active language (the value itself when unknown)."""
    labels = _labels(choices, translation.get_language() or settings.LANGUAGE_CODE)
    return labels.get(value, value)


def choice_labels(choices: type[Choices] | type[Enum]) -> dict[str, str]:
    """Every label of `choices` in the active language, by value (for a loop over many rows: the language is
    looked up once)."""
    return _labels(choices, translation.get_language() or settings.LANGUAGE_CODE)
