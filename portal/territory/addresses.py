"""Reading Russian addresses (разбор адреса) for the officer finder.

A tokenizer, not a grammar: the address is cut into tokens (words, numbers, commas) and each
token is classified against a fixed vocabulary of markers — street types (ул/улица, пр-т/просп/
проспект, …), settlement types (г/город, п/пос/посёлок, с/село, д/деревня, пгт, …), house,
building and flat markers, region words — while names stay plain words. Which words are the
street and which the settlement is decided later by `portal.territory.index`, against the known
street and settlement names of the territory; this module never guesses a name.

Handled here: ё→е, case, punctuation, missing commas and spaces («ул.Ленина,д.5»), the street
type before or after the name, numbered streets («8 Марта», «1-я Заречная»), postal index,
house forms («5», «д. 5», «дом 5», «5а», «5 а», «5/2», «5 корп. 1», «5к1», «5 стр. 2»), a flat or
office number («кв. 12», «офис 3») and negative or zero house numbers (kept, so that they are
answered "not served" and never silently read as another house).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

#: Street types: every spelling → canonical short form (the form stored in `Street.kind`).
STREET_KINDS: dict[str, str] = {
    **dict.fromkeys(["ул", "улица", "ули", "улиц"], "ул"),
    **dict.fromkeys(["пр", "пр-т", "прт", "просп", "проспект", "пр-кт", "пркт", "пр-т"], "пр-т"),
    **dict.fromkeys(["пер", "переулок", "пер-к", "переул"], "пер"),
    **dict.fromkeys(["ш", "шоссе", "ш-се"], "ш"),
    **dict.fromkeys(["б-р", "бр", "бул", "бульв", "бульвар"], "б-р"),
    **dict.fromkeys(["пл", "площадь", "пл-дь", "площ"], "пл"),
    **dict.fromkeys(["наб", "набережная", "наб-я", "набер"], "наб"),
    **dict.fromkeys(["проезд", "пр-д", "прд", "пр-зд"], "проезд"),
    **dict.fromkeys(["мкр", "микрорайон", "мкрн", "мкр-н", "мр-н"], "мкр"),
    **dict.fromkeys(["тракт", "тр-т"], "тракт"),
    **dict.fromkeys(["туп", "тупик"], "туп"),
    **dict.fromkeys(["ал", "аллея", "ал-я"], "аллея"),
}

#: Full names of the canonical street types (for display).
STREET_KIND_NAMES: dict[str, str] = {
    "ул": "улица", "пр-т": "проспект", "пер": "переулок", "ш": "шоссе", "б-р": "бульвар", "пл": "площадь",
    "наб": "набережная", "проезд": "проезд", "мкр": "микрорайон", "тракт": "тракт", "туп": "тупик",
    "аллея": "аллея",
}

#: Abbreviations as written in addresses («ул. Ленина», «пр-т Мира»).
STREET_KIND_SHORT: dict[str, str] = {
    "ул": "ул.", "пр-т": "пр-т", "пер": "пер.", "ш": "ш.", "б-р": "б-р", "пл": "пл.", "наб": "наб.",
    "проезд": "проезд", "мкр": "мкр", "тракт": "тракт", "туп": "туп.", "аллея": "аллея",
}

#: Grammatical gender of each street type: an adjective name agrees with it (улица Солнечная, проспект Солнечный).
STREET_KIND_GENDER: dict[str, Literal["f", "m", "n"]] = {
    "ул": "f", "наб": "f", "пл": "f", "аллея": "f", "пр-т": "m", "пер": "m", "проезд": "m", "б-р": "m", "туп": "m",
    "тракт": "m", "мкр": "m", "ш": "n",
}

#: A type word written in full may also be a street's own name («ул. Набережная»).
_FULL_KIND_WORDS = frozenset(STREET_KIND_NAMES.values())

SETTLEMENT_MARKERS = frozenset([
    "г", "гор", "город", "с", "село", "п", "пос", "поселок", "пгт", "рп", "д", "дер", "деревня", "х", "хут", "хутор",
    "ст-ца", "станица", "нп", "сл", "слобода", "аул", "кп", "дп",
])
HOUSE_MARKERS = frozenset(["д", "дом", "домовладение", "двлд", "влд", "вл", "владение", "зд", "здание"])
BUILDING_MARKERS = frozenset(["к", "корп", "корпус", "стр", "строение", "соор", "сооружение", "лит", "литер", "литера",
                              "блок"])
FLAT_MARKERS = frozenset(["кв", "квартира", "кв-ра", "оф", "офис", "комн", "комната", "ком", "пом", "помещение",
                          "каб", "кабинет", "эт", "этаж", "под", "подъезд"])
#: «Пермский край», «Ленинский р-н», «Берёзовский муниципальный округ»: the marker and its adjectives are dropped.
REGION_MARKERS = frozenset(["край", "обл", "область", "р-н", "рн", "район", "округ", "мо", "го", "мр", "респ",
                            "республика", "ао"])
NOISE_WORDS = frozenset(["россия", "рф", "российская", "федерация", "им", "имени", "муниципальный", "городской",
                         "сельское", "городское", "поселение", "адрес", "мун", "автономный"])

#: Marker words written in full: a word one or two letters off is read as the marker («улца» → улица).
_FULL_MARKER_WORDS: dict[str, tuple[str, str]] = {
    **{word: ("street_type", STREET_KINDS[word]) for word in _FULL_KIND_WORDS},
    **{word: ("settlement_type", "") for word in ("город", "село", "поселок", "деревня", "хутор", "станица")},
    **{word: ("flat", "") for word in ("квартира", "офис", "комната", "помещение")},
    **{word: ("house", "") for word in ("дом",)},
    **{word: ("region", "") for word in ("область", "район", "округ", "республика")},
}

_HYPHEN_MARKERS = sorted((word for word in [*STREET_KINDS, *SETTLEMENT_MARKERS, *REGION_MARKERS] if "-" in word),
                         key=len, reverse=True)

_FUZZY_MARKER_WORDS = [word for word in _FULL_MARKER_WORDS if len(word) >= 5]

TokenKind = Literal["word", "num", "sep", "street_type", "settlement_type", "house", "building", "flat", "region",
                    "noise"]

_NEGATIVE = re.compile(r"(?<![0-9a-zа-я])[-−–‐]\s?(?=\d)")
_CHUNK = re.compile(r"~?\d+(?:[-/]?[0-9a-zа-я]+)*|[a-zа-я]+(?:-[a-zа-я]+)*|[,;]")
_ORDINAL = re.compile(r"^(\d{1,3})-?(?:я|й|ая|ой|ий|ый|го|е|ое|ья|ье|ого|ей)$")
_HOUSE_NUMBER = re.compile(r"^(\d+)-?([а-яa-z])?(?:/\d+[а-яa-z]?)?$")
_HOUSE_WITH_BUILDING = re.compile(r"^(\d+)-?([а-я])?(?:к|корп|стр|с|лит)\d+[а-я]?$")
_LETTERS_DIGITS = re.compile(r"\d+|[a-zа-я]+")


@dataclass(slots=True)
class Token:
    kind: TokenKind
    #: The normalised word, the digits of a number, the canonical street type.
    text: str
    segment: int
    #: Numbers: their value (negative when written «-5»), a letter («5а») and whether it is an ordinal («1-я»).
    value: int | None = None
    letter: str = ""
    ordinal: bool = False
    #: Street types: the word as written (a full word may be the street's own name).
    raw: str = ""
    #: Numbers: written after a house marker («д. 5», «дом 5»).
    marked: bool = False

    @property
    def name_text(self) -> str | None:
        """The token's text as part of a name, or None when it cannot be one."""
        if self.kind == "word":
            return self.text
        if self.kind == "num" and self.value is not None and self.value > 0:
            return str(self.value)
        if self.kind == "street_type" and self.raw in _FULL_KIND_WORDS:
            return self.raw
        return None


def normalise_text(value: str) -> str:
    """Lower case, ё→е, single spaces: the form names are stored and compared in."""
    value = value.lower().replace("ё", "е")
    value = re.sub(r"[«»\"'`.,;:()]+", " ", value)
    return re.sub(r"\s+", " ", value).strip()


def settlement_label(settlement: str, district_kind: str, district_centre: str) -> str:
    """«г. Заречный», «с. Берёзовка»: the settlement with its type, as people write addresses (a name that
    carries its type is kept; a district centre's full name is used for it; otherwise town or village by the
    district's kind)."""
    name = settlement.strip()
    first = normalise_text(name).split(" ", 1)[0]
    if first in SETTLEMENT_MARKERS and " " in name:
        return name
    centre = (district_centre or "").strip()
    if centre and normalise_text(centre).endswith(normalise_text(name)) and centre != name:
        return centre
    return f"{'г.' if district_kind == 'urban' else 'с.'} {name}"


def canonical_street_kind(kind: str) -> str:
    """The street type as stored in the reference («ул», «пр-т»), whatever spelling the row has."""
    return STREET_KINDS.get(normalise_text(kind).replace(" ", ""), kind)


def street_label(settlement_label: str, kind: str, name: str) -> str:
    """«г. Заречный, улица Ленина»: how a street is shown everywhere (finder answers, suggestions, the search
    index), a form the address reader also reads back. `kind` is canonical (`canonical_street_kind`)."""
    return f"{settlement_label}, {STREET_KIND_NAMES.get(kind, kind)} {name}"


def _classify_word(word: str, segment: int, tokens: list[Token]) -> None:
    if word in STREET_KINDS:
        tokens.append(Token("street_type", STREET_KINDS[word], segment, raw=word))
    elif word in SETTLEMENT_MARKERS or word in HOUSE_MARKERS:
        # «д»: a village or a house, decided when the next token is known.
        kind: TokenKind = "settlement_type" if word in SETTLEMENT_MARKERS else "house"
        tokens.append(Token(kind, word, segment, raw=word))
    elif word in BUILDING_MARKERS:
        tokens.append(Token("building", word, segment, raw=word))
    elif word in FLAT_MARKERS:
        tokens.append(Token("flat", word, segment, raw=word))
    elif word in REGION_MARKERS:
        tokens.append(Token("region", word, segment, raw=word))
    elif word in NOISE_WORDS:
        tokens.append(Token("noise", word, segment, raw=word))
    else:
        tokens.append(Token("word", word, segment, raw=word))


def _classify_chunk(chunk: str, segment: int, tokens: list[Token]) -> None:
    negative = chunk.startswith("~")
    chunk = chunk.lstrip("~")
    if chunk[:1].isdigit():
        if not negative and (match := _ORDINAL.match(chunk)):
            tokens.append(Token("num", match.group(1), segment, value=int(match.group(1)), ordinal=True))
            return
        if match := _HOUSE_NUMBER.match(chunk):
            digits = match.group(1)[:9]
            value = int(digits)
            tokens.append(Token("num", digits, segment, value=-value if negative else value,
                                letter=match.group(2) or ""))
            return
        if match := _HOUSE_WITH_BUILDING.match(chunk):  # «5к1», «12астр2»
            value = int(match.group(1)[:9])
            tokens.append(Token("num", match.group(1), segment, value=-value if negative else value,
                                letter=match.group(2) or ""))
            tokens.append(Token("building", "к", segment, raw="к"))
            return
        parts = _LETTERS_DIGITS.findall(chunk)
        for index, part in enumerate(parts):
            _classify_chunk(("~" if negative and index == 0 else "") + part, segment, tokens)
        return
    if chunk in STREET_KINDS or chunk in REGION_MARKERS or chunk in FLAT_MARKERS or chunk in SETTLEMENT_MARKERS:
        _classify_word(chunk, segment, tokens)
        return
    for marker in _HYPHEN_MARKERS:  # «пр-тМира» written without a space
        if chunk.startswith(marker) and len(chunk) > len(marker) + 2:
            _classify_word(marker, segment, tokens)
            _classify_chunk(chunk[len(marker):].lstrip("-"), segment, tokens)
            return
    if "-" in chunk:  # «Мамина-Сибиряка» = «Мамина Сибиряка»; «д-5» = «д 5»
        for part in chunk.split("-"):
            if part:
                _classify_chunk(part, segment, tokens)
        return
    if (match := re.match(r"^([а-я]+)(\d.*)$", chunk)) is not None:  # «д5», «кв12»
        _classify_word(match.group(1), segment, tokens)
        _classify_chunk(match.group(2), segment, tokens)
        return
    _classify_word(chunk, segment, tokens)


_LATIN_LOOKALIKES = str.maketrans("aeopcxykmtbh", "аеорсхукмтвн")
_MIXED_WORD = re.compile(r"[a-z]*[а-я][a-zа-я]*[a-z][a-zа-я]*|[a-z]+[а-я][a-zа-я]*")


def tokenize(text: str) -> list[Token]:
    """Tokens of an address, with `sep` tokens between comma-separated parts."""
    text = (text or "").lower().replace("ё", "е").replace("№", " ")
    # «Ленинa» typed with a Latin «a»: Latin look-alikes inside Cyrillic words become Cyrillic.
    text = _MIXED_WORD.sub(lambda match: match.group(0).translate(_LATIN_LOOKALIKES), text)
    text = _NEGATIVE.sub(" ~", text)
    tokens: list[Token] = []
    segment = 0
    for chunk in _CHUNK.findall(text):
        if chunk in (",", ";"):
            if tokens and tokens[-1].kind != "sep":
                tokens.append(Token("sep", ",", segment))
            segment += 1
            continue
        _classify_chunk(chunk, segment, tokens)
    return tokens


def name_key(name: str) -> str:
    """The lookup form of a street or settlement name: the name words of its tokens, space separated.

    «1-я Заречная» → «1 заречная», «8 Марта» → «8 марта», «Молодёжная» → «молодежная»,
    «им. Ленина» → «ленина». A query span is compared in exactly this form.
    """
    words: list[str] = []
    for token in tokenize(name):
        if token.kind == "settlement_type" and not words:
            continue  # «г. Заречный» stored with its type
        text = token.name_text
        if text is None and token.kind in ("settlement_type", "house", "building", "flat", "region"):
            text = token.text  # a marker word inside a name is still part of the name
        if text is not None:
            words.append(text)
    return " ".join(words)


_ADJECTIVE_ENDING = re.compile(r"(ая|яя|ый|ий|ой|ое|ее)$")


def stem_key(key: str) -> str:
    """Adjective endings cut: «полярная» and «полярное» share «полярн» (used only when no name matches exactly)."""
    return " ".join(_ADJECTIVE_ENDING.sub("", word) if len(word) > 4 else word for word in key.split())


def fuzzy_marker(word: str) -> tuple[str, str] | None:
    """A misspelt marker word («улца», «проспкт», «деревна»): (token kind, canonical street type) or None."""
    if len(word) < 4:
        return None
    found = process.extractOne(word, _FUZZY_MARKER_WORDS, scorer=OSA.distance,
                               score_cutoff=1 if len(word) < 6 else 2)
    if found is None:
        return None
    full, distance = found[0], found[1]
    if distance > (1 if len(full) < 7 else 2):
        return None
    return _FULL_MARKER_WORDS[full]


@dataclass(slots=True)
class ParsedAddress:
    """Tokens of an address with the noise taken out: postal index, flat, building, region words."""

    raw: str
    tokens: list[Token] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens if t.kind == "word"]


def parse_address(text: str, *, is_place: object = None) -> ParsedAddress:
    """Tokens of `text` with the parts that never decide the precinct removed.

    `is_place(word)`, when given, tells that a word belongs to a known settlement or street name:
    region markers then never swallow it («Заречный район» keeps «заречный»), and it is never read
    as a misspelt marker word.
    """
    tokens = tokenize(text)
    kept: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        next_is_number = following is not None and following.kind == "num" and following.segment == token.segment
        if token.kind == "num" and len(token.text) == 6 and not token.ordinal and not token.letter and \
                token.value is not None and token.value > 0:
            index += 1  # postal index
            continue
        if token.kind in ("flat", "building"):
            index += 1
            if next_is_number or (following is not None and following.kind == "word" and len(following.text) == 1
                                  and following.segment == token.segment):
                index += 1  # the flat, office or building number never decides the precinct
            continue
        if token.kind == "house" or (token.kind == "settlement_type" and token.text == "д" and next_is_number):
            if next_is_number and following is not None:
                following.marked = True
                kept.append(following)
                index += 2
                if _is_house_letter(tokens, index, following.segment):
                    following.letter = tokens[index].text
                    index += 1
                continue
            index += 1
            continue
        if token.kind == "num" and token.value is not None and not token.ordinal:
            kept.append(token)
            index += 1
            # «5 а»: a single letter after a house number is its letter.
            if _is_house_letter(tokens, index, token.segment):
                token.letter = tokens[index].text
                index += 1
            continue
        if token.kind == "region":
            _drop_region_words(kept, token.segment, is_place)
            index += 1
            continue
        if token.kind == "noise":
            index += 1
            continue
        if token.kind == "word" and token.text not in _FULL_MARKER_WORDS and (
                not callable(is_place) or not is_place(token.text)) and (meaning := fuzzy_marker(token.text)):
            marker_kind, street_kind = meaning
            if marker_kind == "street_type":
                kept.append(Token("street_type", street_kind, token.segment, raw=""))
            elif marker_kind == "settlement_type":
                kept.append(Token("settlement_type", "г", token.segment, raw=""))
            elif marker_kind == "house" and next_is_number and following is not None:
                following.marked = True
                kept.append(following)
                index += 1
            elif marker_kind == "flat" and next_is_number:
                index += 1
            elif marker_kind == "region":
                _drop_region_words(kept, token.segment, is_place)
            index += 1
            continue
        kept.append(token)
        index += 1
    return ParsedAddress(raw=text, tokens=kept)


def _is_house_letter(tokens: list[Token], index: int, segment: int) -> bool:
    return (index < len(tokens) and tokens[index].kind == "word" and len(tokens[index].text) == 1
            and tokens[index].segment == segment and tokens[index].text not in "гспдхк")


def _drop_region_words(kept: list[Token], segment: int, is_place: object) -> None:
    """Drop up to three name words right before a region marker: «Пермский край», «Ленинский р-н».

    The word right before the marker goes whatever it is («Заречный край»); words further back stay when
    they are known places or follow a settlement type («г. Заречный Ленинский р-н» keeps «Заречный»)."""
    dropped = 0
    position = len(kept) - 1
    while position >= 0 and dropped < 3:
        token = kept[position]
        if token.segment != segment or token.kind != "word":
            break
        if dropped and callable(is_place) and is_place(token.text):
            break
        if position > 0 and kept[position - 1].kind == "settlement_type":
            break
        del kept[position]
        dropped += 1
        position -= 1


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
