"""Normalised forms of indexed text and of queries (no Russian stemming anywhere).

Both engines index what `normalise` returns: lower case, ё→е, punctuation removed and
Russian address abbreviations written out (ул. → улица, пр-т → проспект…). Queries go
through `query_terms`, which keeps every typed word as a prefix and adds the full form of
an abbreviation as an alternative ("пр" may be the start of «Пролетарская» or «проспект»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Abbreviation → full form. The same table feeds Meilisearch synonyms.
ABBREVIATIONS: dict[str, str] = {
    "ул": "улица",
    "пр": "проспект",
    "пр-т": "проспект",
    "пр-кт": "проспект",
    "просп": "проспект",
    "пер": "переулок",
    "ш": "шоссе",
    "б-р": "бульвар",
    "бул": "бульвар",
    "пл": "площадь",
    "наб": "набережная",
    "пр-д": "проезд",
    "мкр": "микрорайон",
    "туп": "тупик",
    "г": "город",
    "пос": "поселок",
    "д": "деревня",
}

#: Street-type and settlement words, short and full («ул», «улица», «г», «село»): typed with a street name they
#: say little about which document is meant (the embedded engine picks its candidates without them).
ADDRESS_WORDS: frozenset[str] = frozenset([*(key.replace("-", "") for key in ABBREVIATIONS), *ABBREVIATIONS.values(),
                                           "с", "п", "пгт", "рп", "село", "поселок", "деревня", "город"])

#: Abbreviations that are written out when indexing (only unambiguous hyphenated or dotted forms
#: are rewritten in documents; documents normally already hold full forms).
_HYPHENATED = {key: value for key, value in ABBREVIATIONS.items() if "-" in key}

_PUNCTUATION = re.compile(r"[^\w\s-]+", re.UNICODE)
_WORD = re.compile(r"[0-9a-zа-я]+(?:-[0-9a-zа-я]+)*")


def fold(text: str) -> str:
    """Lower case and ё→е: the comparison form of one word or phrase."""
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Normalised words; hyphenated abbreviations (пр-т, б-р) become their full form, other hyphenated
    words are split ("Мамина-Сибиряка" → "мамина", "сибиряка")."""
    result: list[str] = []
    for token in _WORD.findall(_PUNCTUATION.sub(" ", fold(text or "").replace("_", " "))):
        if token in _HYPHENATED:
            result.append(_HYPHENATED[token])
        elif "-" in token:
            result.extend(part for part in token.split("-") if part)
        else:
            result.append(token)
    return result


@lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """The indexed form of a text (memoised: district names, statuses and street types repeat in every
    document of a reindex)."""
    return " ".join(words(text))


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One typed word: matched as a prefix; `alternatives` are full words also accepted (abbreviations)."""

    text: str
    alternatives: tuple[str, ...] = ()


def query_terms(text: str) -> list[QueryTerm]:
    terms: list[QueryTerm] = []
    for token in _WORD.findall(_PUNCTUATION.sub(" ", fold(text or "").replace("_", " "))):
        if token in ABBREVIATIONS:
            full = ABBREVIATIONS[token]
            terms.append(QueryTerm(text=token.replace("-", ""), alternatives=(full,)))
        elif "-" in token:
            terms.extend(QueryTerm(text=part) for part in token.split("-") if part)
        else:
            terms.append(QueryTerm(text=token))
    return terms


def synonyms() -> dict[str, list[str]]:
    """Meilisearch synonyms: every abbreviation ↔ its full form (ё/е is handled by folded field copies and
    folded queries in `search.backends.meili`, since synonyms only apply to whole words)."""
    table: dict[str, set[str]] = {}
    for short, full in ABBREVIATIONS.items():
        table.setdefault(short, set()).add(full)
        table.setdefault(full, set()).add(short)
    return {key: sorted(values) for key, values in sorted(table.items())}
