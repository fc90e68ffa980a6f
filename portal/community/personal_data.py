"""The one place where the registries ask whether a public text contains personal data.

Every public text the registries take from staff (the plain-words description of a need) goes through
`personal_data_in`, backed by the portal's detector (`portal.core.personal_data`, the same that checks
consultation answers before they are published).
"""

from __future__ import annotations

from portal.core import personal_data


def personal_data_in(text: str) -> list[personal_data.Finding]:
    """The personal data detected in `text` (empty: nothing found), in order of position."""
    return personal_data.detect(text)
