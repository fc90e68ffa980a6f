"""Address normalisation (нормализация адреса) for the officer finder.

Handles the ways people type Russian addresses: abbreviations (ул./улица, пр-т/проспект,
д./дом, корп./к., стр.), ё→е, case, punctuation and spacing, the street type before or
after the name, and missing commas ("г Заречный ул Ленина д 5 к 2").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Street types: every spelling → canonical short form.
STREET_KINDS: dict[str, str] = {
    **dict.fromkeys(["ул", "улица", "у"], "ул"),
    **dict.fromkeys(["пр", "пр-т", "прт", "просп", "проспект", "пр-кт", "пркт"], "пр-т"),
    **dict.fromkeys(["пер", "переулок", "пер-к"], "пер"),
    **dict.fromkeys(["ш", "шоссе"], "ш"),
    **dict.fromkeys(["б-р", "бр", "бул", "бульвар"], "б-р"),
    **dict.fromkeys(["пл", "площадь"], "пл"),
    **dict.fromkeys(["наб", "набережная"], "наб"),
    **dict.fromkeys(["проезд", "пр-д", "прд"], "проезд"),
    **dict.fromkeys(["мкр", "микрорайон", "мкрн"], "мкр"),
    **dict.fromkeys(["тракт"], "тракт"),
    **dict.fromkeys(["туп", "тупик"], "туп"),
}

#: Full names of the canonical street types (for display).
STREET_KIND_NAMES: dict[str, str] = {
    "ул": "улица", "пр-т": "проспект", "пер": "переулок", "ш": "шоссе", "б-р": "бульвар", "пл": "площадь",
    "наб": "набережная", "проезд": "проезд", "мкр": "микрорайон", "тракт": "тракт", "туп": "тупик",
}

SETTLEMENT_MARKERS = frozenset(
    ["г", "город", "с", "село", "п", "пос", "поселок", "пгт", "рп", "дер", "деревня", "х", "хутор", "ст-ца",
     "станица", "нп"]
)
HOUSE_MARKERS = frozenset(["д", "дом", "здание", "зд"])
BUILDING_MARKERS = frozenset(["к", "корп", "корпус"])
STRUCTURE_MARKERS = frozenset(["стр", "строение"])
FLAT_MARKERS = frozenset(["кв", "квартира", "оф", "офис", "комн", "комната", "пом"])
REGION_MARKERS = frozenset(["край", "обл", "область", "р-н", "район", "округ", "мо", "респ", "республика"])

_TOKEN = re.compile(r"\d+[а-я]?(?:/\d+[а-я]?)?|[а-яa-z]+(?:-[а-яa-z]+)*", re.IGNORECASE)
_HOUSE = re.compile(r"^(\d+)([а-я]?)(?:/(\d+[а-я]?))?$")


def normalise_text(value: str) -> str:
    """Lower case, ё→е, single spaces: the form names are stored and compared in."""
    value = value.lower().replace("ё", "е")
    value = re.sub(r"[«»\"'`.,;:()]+", " ", value)
    return re.sub(r"\s+", " ", value).strip()


@dataclass(frozen=True, slots=True)
class NormalisedAddress:
    raw: str
    settlement: str = ""
    street_kind: str = ""
    street: str = ""
    house: int | None = None
    house_suffix: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.street or self.settlement)


SEGMENT = ","


def _tokens(text: str) -> list[str]:
    """Tokens with "," between comma-separated parts; "ул.Ленина" / "д.5" split, "пр-т" and "5/1" kept."""
    tokens: list[str] = []
    for segment in text.lower().replace("ё", "е").split(","):
        words = _TOKEN.findall(segment)
        if words:
            tokens.extend([*words, SEGMENT])
    return tokens


def normalise_address(text: str) -> NormalisedAddress:
    """Split a free-text address into settlement, street type, street name and house number."""
    tokens = _tokens(text or "")
    settlement: list[str] = []
    street: list[str] = []
    kind = ""
    house: int | None = None
    suffix = ""
    role = ""  # what the following name words belong to
    kind_word = ""
    new_segment = False
    recent: list[str] | None = None  # the list the last name words went to, and how many
    recent_count = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == SEGMENT:
            role, new_segment, recent, recent_count = "", True, None, 0
            index += 1
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        is_number_next = bool(_HOUSE.match(following))
        if token in HOUSE_MARKERS and (is_number_next or token != "д"):
            role = "house"
        elif token == "д" and not is_number_next:
            role = "settlement"  # «д. Ивановка» — a village, not a house
        elif token in SETTLEMENT_MARKERS:
            role = "settlement"
        elif token in STREET_KINDS and not (role == "street" and kind and not street):
            kind = STREET_KINDS[token]
            kind_word = token
            role = "street"
            if street and not settlement and following and not _HOUSE.match(following):
                # "Ленина ул, Заречный": the name came before the type.
                role = "after_street"
        elif token in BUILDING_MARKERS or token in STRUCTURE_MARKERS:
            if is_number_next and house is not None:
                suffix = (suffix + " " if suffix else "") + ("к" if token in BUILDING_MARKERS else "стр") + following
                index += 1
            role = ""
        elif token in FLAT_MARKERS:
            index += 1  # skip the flat number: it never decides the precinct
            role = ""
        elif token in REGION_MARKERS:
            # «Пермский край», «Ленинский р-н»: drop the name words just read.
            if recent is not None and recent_count:
                del recent[-recent_count:]
            role, recent, recent_count = "", None, 0
        elif match := _HOUSE.match(token):
            numbered_street = (
                role in ("street", "") and not street and house is None and following not in ("", SEGMENT)
                and not _HOUSE.match(following)
                and following not in HOUSE_MARKERS | BUILDING_MARKERS | STRUCTURE_MARKERS | FLAT_MARKERS
            )
            if numbered_street:
                street.append(token)  # numbered streets: «8 Марта», «1 Мая»
                role = "street"
            elif house is None:
                house = int(match.group(1))
                suffix = match.group(2) or ""
                role = ""
            elif role == "" and not suffix:
                suffix = "к" + token  # «д 5 2» → building 2
        else:
            if role in ("settlement", "after_street"):
                target = settlement
            elif role == "" and new_segment and street and house is not None and not settlement:
                target = settlement  # "ул. Ленина, 5, Заречный"
            elif role == "street" or (role == "" and not street):
                target, role = street, "street"
            elif role == "" and new_segment and street and not settlement and house is None:
                # "Заречный, Ленина, 5": two bare names, the first was the settlement.
                settlement[:] = street
                street.clear()
                target, role = street, "street"
            else:
                target = street
            target.append(token)
            if recent is not target:
                recent, recent_count = target, 0
            recent_count += 1
            new_segment = False
            index += 1
            continue
        recent, recent_count = None, 0
        new_segment = False
        index += 1
    if not street and kind_word and len(kind_word) > 3:
        street, kind = [kind_word], ""  # «Набережная, 5»: the type word is the street's name
    return NormalisedAddress(
        raw=text, settlement=" ".join(settlement), street_kind=kind, street=" ".join(street), house=house,
        house_suffix=suffix,
    )


def levenshtein(a: str, b: str, limit: int = 3) -> int:
    """Edit distance, cut off above `limit` (enough to rank typo candidates)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
