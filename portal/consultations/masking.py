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

# Street types: abbreviations (with or without the dot) and full words. A full word such as «проезд»
# or «площадь» is also an ordinary noun («бесплатный проезд»), so every street needs a capitalised
# name («улица Мира») or a house number after a lowercase one («ул. ленина 5»).
_STREET_TYPE_WORDS = (
    r"ул|улиц(?:а|е|у|ы|ей)|пр-?т|пр|просп|проспект(?:е|у)?|пер|переул(?:ок|ке)|б-р|бул|бульвар(?:е)?"
    r"|ш|шоссе|наб|набережн(?:ая|ой)|пл|площад(?:ь|и)|пр-д|проезд(?:е)?|туп|тупик(?:е)?|мкр|микрорайон(?:е)?"
    r"|тракт(?:е)?|пос|пос(?:ёлок|елок|ёлке|елке)"
)
_STREET_TYPE = rf"(?<![\wЁё])(?i:{_STREET_TYPE_WORDS})(?:\.|(?![\wЁё\-]))"

# Case-sensitive (Cyrillic) capitalised names: «Ленина», «Карла Маркса», «8 Марта», «1-я Садовая».
_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?"
_STREET_NAME = rf"(?:\d{{1,2}}(?:-?[а-я]{{1,2}})?[\s\-]+)?{_CAP}(?:\s+{_CAP})?"
_LOWER_NAME = r"[а-яё][а-яё\-]{2,}(?:\s+[а-яё][а-яё\-]{2,})?"
#: The number is not a quantity: «5 лет», «2 ребёнка», «150 000 рублей», «50 кв. м» are left alone.
_NOT_QUANTITY = (r"(?!\s*(?i:лет|год|мес|недел|дн|день|раз|руб|р\.|тыс|млн|чел|дет|реб|сем|внук|сын|доч"
                 r"|шт|%|процент|кв\.?\s*м(?![\wЁё])|м2|м²|метр))")
_HOUSE_NUMBER = r"№?\s*\d{1,4}(?:\s?[а-яА-Я](?![\wЁё]))?(?:[/\-]\d{1,4})?(?!\d)"
_BUILDING = r"(?:\s*[/,]?\s*(?i:корп(?:ус)?\.?|к\.?(?=\s*\d)|стр(?:оение)?\.?)\s*\d{1,3}(?!\d))?"
_FLAT_MARK = r"(?i:кв(?:артира|артире)?\.?|оф(?:ис)?\.?|комн(?:ата)?\.?)\s*№?\s*\d{1,4}(?!\d)"
_FLAT = rf"(?:,?\s*{_FLAT_MARK})?"
_HOUSE = rf",?\s*(?:(?i:д(?:ом|оме)?\.?)\s*)?{_HOUSE_NUMBER}{_NOT_QUANTITY}{_BUILDING}"
_SETTLEMENT = (r"(?<![\wЁё])(?i:г|гор|город|с|село|п|пос|посёлок|поселок|пгт|рп|д|дер|деревня|х|хутор)\.?\s*"
               rf"{_CAP}(?:[\s\-]+{_CAP})?")

_ADDRESS_RES = [
    # With a street type: «ул. Ленина, д. 12, кв. 5», «на улице Мира 30», «ул кирова 5».
    re.compile(rf"{_STREET_TYPE}\s*(?:{_STREET_NAME}(?:{_HOUSE})?|{_LOWER_NAME}{_HOUSE}){_FLAT}"),
    # House and flat numbers on their own: «д. 5, кв. 12», «дом 7», «д 5 кв 3».
    re.compile(rf"(?<![\wЁё])(?i:д(?:ом|оме|\.))\s*{_HOUSE_NUMBER}{_NOT_QUANTITY}{_BUILDING}{_FLAT}"),
    re.compile(rf"(?<![\wЁё])(?i:д)\s*\d{{1,4}}\s?[а-я]?,?\s*{_FLAT_MARK}"),
    # A flat on its own: «кв. 12», «кв 12», «кв12», «квартира 12» (not «2 кв. 2024 года»).
    re.compile(r"(?<![\wЁё])(?i:кв(?:артира|артире|\.)?)\s*№?\s*(?!(?:19|20)\d{2}(?!\d))\d{1,4}(?!\d)"),
    # No street type, but a house marker or a flat: «Ленина 5 кв 3», «Ленина, д. 5», «Мира 30, оф. 2».
    re.compile(rf"(?<![\wЁё]){_STREET_NAME}(?:,?\s*(?i:д(?:ом|\.)?)\s*{_HOUSE_NUMBER}{_NOT_QUANTITY}{_BUILDING}"
               rf"{_FLAT}|,?\s*{_HOUSE_NUMBER}{_BUILDING},?\s*{_FLAT_MARK})"),
    # After a settlement: «г. Заречный, Ленина 5» (the settlement itself stays readable).
    re.compile(rf"{_SETTLEMENT}\s*,\s*(?P<n>{_STREET_NAME}{_HOUSE}{_FLAT})(?![\wЁё])"),
    # After «живу на», «проживаю по адресу», «адрес:»: «живу на Ленина 5-3».
    re.compile(rf"(?<![\wЁё])(?i:живу|живём|живем|живёт|живет|живут|прожива\w*|адрес\w*)[:\s]+"
               rf"(?:(?i:на|по)\s+)?(?:(?i:адресу)[:\s]+)?(?P<n>{_STREET_NAME}{_HOUSE}{_FLAT})(?![\wЁё])"),
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
        found = [Span(m.start("n"), m.end("n"), ADDRESS) if "n" in pattern.groupindex
                 else Span(m.start(), m.end(), ADDRESS) for pattern in _ADDRESS_RES for m in pattern.finditer(text)]
        candidates += _merged(found)
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


def _merged(spans: list[Span]) -> list[Span]:
    """Overlapping spans of one kind joined into one (two patterns may each see part of an address)."""
    joined: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if joined and span.start < joined[-1].end:
            last = joined[-1]
            joined[-1] = Span(last.start, max(last.end, span.end), last.kind)
        else:
            joined.append(span)
    return joined


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
