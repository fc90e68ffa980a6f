"""Masking of personal data before a question is published (маскирование персональных данных).

The detector lives in `portal.core.personal_data` (shared with the needs registry); this module keeps the
names the consultations code and older callers use.
"""

from __future__ import annotations

from collections.abc import Iterable

from portal.core.personal_data import (
    ALL_KINDS,
    CONTACT_KINDS,
    DOCUMENT_KINDS,
    Finding,
    Kind,
    Masked,
    contains_personal_data,
    describe,
    detect,
    mask,
    placeholder,
)

PHONE = Kind.PHONE
EMAIL = Kind.EMAIL
ADDRESS = Kind.ADDRESS
MaskResult = Masked


def contains_contacts(text: str, kinds: Iterable[Kind | str] = CONTACT_KINDS) -> bool:
    """Whether the text has a way to reach a person (phone, e-mail, messenger), or other `kinds`."""
    return contains_personal_data(text, kinds)


__all__ = ["ADDRESS", "ALL_KINDS", "CONTACT_KINDS", "DOCUMENT_KINDS", "EMAIL", "PHONE", "Finding", "Kind",
           "MaskResult", "Masked", "contains_contacts", "contains_personal_data", "describe", "detect", "mask",
           "placeholder"]
