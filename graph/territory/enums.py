"""Enums of the territory, derived from the domain's own (the officer finder's statuses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.core.enums import choices_enum
from portal.territory.selectors import FinderStatus

if TYPE_CHECKING:  # for the type checker the enum is the finder's own: same member names and values
    OfficerSearchStatus = FinderStatus
else:
    OfficerSearchStatus = choices_enum(FinderStatus, name="OfficerSearchStatus",
                                       description="Answer of the officer finder.", value_descriptions={
        "found": "The precinct of the address (its officer may be missing).",
        "needs_house": "The street has several precincts: add the house.",
        "ambiguous": "Several streets match and lead to different precincts: see `candidates`.",
        "not_served": "A known street, but the house belongs to no precinct: see `ranges`.",
        "not_found": "No such street: see `suggestions`.",
        "invalid": "Too short, too long or no street name: see `message`.",
    })
