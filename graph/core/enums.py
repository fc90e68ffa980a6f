"""GraphQL enums built from the domain's own choices, so that a value added to a model's choices reaches the
schema (and the printed schema's staleness test) instead of drifting from a hand-made copy."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import cast

import strawberry


def choices_enum(choices: type[Enum], *, name: str, description: str,
                 value_descriptions: Mapping[str, str] | None = None) -> type[Enum]:
    """A strawberry enum named `name` with one member per member of `choices` (a Django `TextChoices` or a
    `StrEnum`), same names and values, in the same order; `value_descriptions` by value."""
    described = value_descriptions or {}
    members = {member.name: (strawberry.enum_value(member.value, description=described[member.value])
                             if member.value in described else member.value)
               for member in choices}
    return strawberry.enum(cast(type[Enum], Enum(name, members)), name=name, description=description)
