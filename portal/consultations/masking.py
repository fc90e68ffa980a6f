"""Masking of personal contacts before a question is published (маскирование персональных данных).

Detects phone numbers, e-mail addresses and street addresses in free text and replaces them
with neutral placeholders. Detection errs on the side of masking: the moderator sees the
result and may adjust it before publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"

_EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")

_SEP = r"[\s\-().]*"
_PHONE_RES = [
    # +7 / 8 / 7 followed by ten digits with any separators: +7 (342) 200-10-10, 8-912-345-67-89.
    re.compile(r"(?<![\d+])(?:\+\s?7|8|7)(?:[\s\-()]{0,3}\d){10}(?!\d)"),
    # Ten digits grouped 3-3-2-2 without the prefix: (342) 200-10-10, 912 345 67 89.
    re.compile(r"(?<![\d+\-])\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}(?![\d\-])"),
    # Local numbers with dashes: 200-10-10, 2-10-10, 22-33-44.
    re.compile(r"(?<![\d\-.])\d{1,3}-\d{2}-\d{2}(?![\d\-])"),
    # Plain digits after a phone word: «тел. 223344», «телефон: 5-55-55».
    # Only the number is masked (group "n"); the label word stays readable.
    re.compile(r"(?i)(?<![\w])(?:тел(?:ефон)?\.?|т\.|phone|tel\.?)[:\s]*(?P<n>\+?\d[\d\s\-()]{3,14}\d)"),
]

_STREET_TYPES = (
    r"ул(?:ица|ице|ицу|ицы|ицей|\.)?|пр(?:оспект|оспекте|оспекту|-?т\.?|\.)|пер(?:еулок|еулке|\.)"
    r"|б(?:ульвар|ульваре|-р)|ш(?:оссе|\.)|наб(?:ережная|ережной|\.)|пл(?:ощадь|ощади|\.)"
    r"|проезд(?:е)?|тупик(?:е)?|мкр\.?|микрорайон(?:е)?|тракт(?:е)?|пос(?:ёлок|елок|\.)"
)
_NAME = r"(?:\d{1,2}[\s\-]+)?[\wЁё][\wЁё\-]*(?:\s+[А-ЯЁ][\wЁё\-]*)?"
_HOUSE = (
    r"(?:,?\s*(?:д(?:ом|оме|\.)?\s*)?№?\s*\d+(?:[/\-]\d+)?\s?[а-яА-Я]?(?![\wЁё])"
    r"(?:\s*[/,]?\s*(?:к(?:орп(?:ус)?|\.)?|стр(?:оение|\.)?)\s*\d+)?)?"
)
_FLAT = r"(?:,?\s*(?:кв(?:артира|артире|\.)?|оф(?:ис|\.)?|комн(?:ата|\.)?)\s*\d+)?"
_ADDRESS_RES = [
    re.compile(rf"(?i:(?<![\wЁё])(?:{_STREET_TYPES}))(?![\wЁё])\s*{_NAME}{_HOUSE}{_FLAT}"),
    # House and flat numbers on their own: «д. 5, кв. 12», «дом 7».
    re.compile(r"(?i)(?<![\wЁё])(?:д(?:ом|оме|\.)\s*№?\s*\d+\s?[а-я]?(?![\wЁё])" + _FLAT + r")"),
    re.compile(r"(?i)(?<![\wЁё])кв(?:артира|артире|\.)\s*\d+"),
]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass
class MaskResult:
    text: str
    found: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.found)


def detect(text: str, kinds: tuple[str, ...] = (EMAIL, PHONE, ADDRESS)) -> list[Span]:
    """Non-overlapping spans of personal contacts in `text`, in order of position."""
    candidates: list[Span] = []
    if EMAIL in kinds:
        candidates += [Span(m.start(), m.end(), EMAIL) for m in _EMAIL_RE.finditer(text)]
    if PHONE in kinds:
        for pattern in _PHONE_RES:
            candidates += [Span(m.start("n"), m.end("n"), PHONE) if "n" in pattern.groupindex
                           else Span(m.start(), m.end(), PHONE) for m in pattern.finditer(text)]
    if ADDRESS in kinds:
        for pattern in _ADDRESS_RES:
            candidates += [Span(m.start(), m.end(), ADDRESS) for m in pattern.finditer(text)]
    # Priority: e-mail, then phone, then address; longer first at the same start.
    priority = {EMAIL: 0, PHONE: 1, ADDRESS: 2}
    candidates.sort(key=lambda s: (priority[s.kind], s.start, -(s.end - s.start)))
    chosen: list[Span] = []
    for span in candidates:
        span = _trim(text, span)
        if span.end <= span.start:
            continue
        if any(span.start < other.end and other.start < span.end for other in chosen):
            continue
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start] in " ,\t\n(":
        start += 1
    while end > start and text[end - 1] in " ,\t\n(":
        end -= 1
    return Span(start, end, span.kind)


def placeholder(kind: str) -> str:
    """Placeholder text, always in the site's default language (it becomes published content)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            PHONE: gettext("[phone hidden]"),
            EMAIL: gettext("[e-mail hidden]"),
            ADDRESS: gettext("[address hidden]"),
        }[kind]


def mask(text: str) -> MaskResult:
    """Replace every detected phone number, e-mail address and street address by a placeholder."""
    spans = detect(text)
    found: dict[str, int] = {}
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces.append(text[position:span.start])
        pieces.append(placeholder(span.kind))
        found[span.kind] = found.get(span.kind, 0) + 1
        position = span.end
    pieces.append(text[position:])
    return MaskResult(text="".join(pieces), found=found)


def contains_contacts(text: str, kinds: tuple[str, ...] = (EMAIL, PHONE)) -> bool:
    return bool(detect(text, kinds))
