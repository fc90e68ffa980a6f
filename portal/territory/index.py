"""In-memory index of the territory for the officer finder (поиск социального участкового).

Normalised street and settlement names, each street's house intervals and the public data of
precincts, districts and officers, loaded in one pass (five queries) and kept per process. It is
rebuilt when the territory changes: database triggers on the territory tables (migration 0003)
stamp `TerritoryVersion` on every insert, update, delete or truncate, whatever wrote it (services,
admin, bulk seed, raw SQL), and every lookup first reads that stamp — one primary-key read — so all
worker processes answer from the data their own transaction sees. Sequence (PostgreSQL) or random
(SQLite) stamps never repeat after a rollback, so an index is never reused for other data.

Reading an address is vocabulary driven: `portal.territory.addresses` cuts it into tokens, and
here every run of name words is compared with the known street and settlement names; the reading
that explains the most words wins. Several streets left → ambiguity is the answer (unless they all
lead to one precinct); a word nobody knows (an unknown settlement) → not found, never a guess.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connections
from rapidfuzz import process
from rapidfuzz.distance import OSA

from portal.territory.addresses import (
    STREET_KIND_NAMES,
    Token,
    canonical_street_kind,
    name_key,
    normalise_text,
    parse_address,
    settlement_label,
    stem_key,
    street_label,
)
from portal.territory.models import AddressRange, District, Officer, Precinct, Street

#: Street names of at most this many words are looked up as spans of the address.
MAX_NAME_WORDS = 5


@dataclass(frozen=True, slots=True)
class DistrictRef:
    id: int
    code: str
    name: str
    kind: str
    population: int
    centre: str

    @property
    def residents_per_officer_norm(self) -> int:
        return 10_000 if self.kind == "urban" else 8_000


@dataclass(frozen=True, slots=True)
class OfficerRef:
    """The officer's public work contacts."""

    id: int
    full_name: str
    phone: str
    email: str
    office_address: str
    office_hours: str
    photo_url: str


@dataclass(frozen=True, slots=True)
class PrecinctRef:
    id: int
    number: int
    name: str
    population: int
    district: DistrictRef
    officer: OfficerRef | None

    @property
    def title(self) -> str:
        return f"{self.district.name}, участок № {self.number}"


@dataclass(frozen=True, slots=True)
class HouseRange:
    house_from: int
    house_to: int
    parity: str
    precinct: PrecinctRef

    def covers(self, house: int) -> bool:
        if not self.house_from <= house <= self.house_to:
            return False
        if self.parity == "odd":
            return house % 2 == 1
        if self.parity == "even":
            return house % 2 == 0
        return True


@dataclass(frozen=True, slots=True)
class StreetRef:
    id: int
    settlement: str
    #: The settlement with its type, as people write it («г. Заречный», «с. Берёзовка»).
    settlement_label: str
    kind: str
    name: str
    district: DistrictRef
    key: str
    settlement_key: str
    ranges: tuple[HouseRange, ...] = ()

    @property
    def kind_name(self) -> str:
        return STREET_KIND_NAMES.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        """«г. Заречный, улица Ленина»: also a form the address reader reads back."""
        return street_label(self.settlement_label, self.kind, self.name)

    @property
    def title(self) -> str:
        return f"{self.settlement}, {self.kind} {self.name}"

    def precinct_for(self, house: int) -> PrecinctRef | None:
        for house_range in self.ranges:
            if house_range.house_from > house:
                break
            if house_range.covers(house):
                return house_range.precinct
        return None

    @property
    def precincts(self) -> tuple[PrecinctRef, ...]:
        return tuple({r.precinct.id: r.precinct for r in self.ranges}.values())


@dataclass(slots=True)
class Reading:
    """What the address was read as: the candidate streets and the house."""

    streets: list[StreetRef] = field(default_factory=list)
    house: int | None = None
    house_text: str = ""
    corrected: bool = False
    #: Nearest streets when nothing matched (or the reading is doubtful).
    suggestions: list[StreetRef] = field(default_factory=list)
    #: Why nothing was found: "no_street" (no name words), "unknown" (no such street), "not_in_settlement",
    #: "unknown_words" (a part of the address matched nothing known).
    problem: str = ""
    settlement: str = ""
    unknown_words: str = ""


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    key: str
    exact: bool = True


def _fuzzy_limit(text: str) -> int:
    length = len(text.replace(" ", ""))
    if length < 4:
        return 0
    return 1 if length < 7 else 2


class TerritoryIndex:
    """Streets, settlements and house intervals of the whole territory, read-only once built."""

    def __init__(self, stamp: int | None, streets: Iterable[StreetRef], district_names: Iterable[str]) -> None:
        self.stamp = stamp
        self.streets: dict[int, StreetRef] = {}
        by_name: dict[str, list[StreetRef]] = {}
        by_stem: dict[str, list[StreetRef]] = {}
        in_settlement: dict[str, dict[str, list[StreetRef]]] = {}
        self.settlements: dict[str, str] = {}
        for street in streets:
            self.streets[street.id] = street
            by_name.setdefault(street.key, []).append(street)
            by_stem.setdefault(stem_key(street.key), []).append(street)
            in_settlement.setdefault(street.settlement_key, {}).setdefault(street.key, []).append(street)
            self.settlements.setdefault(street.settlement_key, street.settlement)

        def order(items: list[StreetRef]) -> tuple[StreetRef, ...]:
            return tuple(sorted(items, key=lambda s: (s.settlement_key, s.kind, s.key, s.id)))

        self.by_name = {key: order(items) for key, items in by_name.items()}
        # «Заречная 1-я» for «1-я Заречная»: the ordinal after the name (matched only when written as an ordinal).
        self.ordinal_after = {f"{key.split(' ', 1)[1]} {key.split(' ', 1)[0]}": key for key in self.by_name
                              if " " in key and key.split(" ", 1)[0].isdigit()}
        self.by_stem = {key: order(items) for key, items in by_stem.items()}
        self.in_settlement = {key: {name: order(items) for name, items in names.items()}
                              for key, names in in_settlement.items()}
        self.names = sorted(self.by_name)
        self.settlement_names = {key: sorted(names) for key, names in self.in_settlement.items()}
        self.settlement_keys = sorted(self.settlements)
        self.known_words = frozenset(word for key in [*self.names, *self.settlement_keys] for word in key.split())
        settlement_words = {word for key in self.settlement_keys for word in key.split()}
        self.district_words = frozenset(
            word for name in district_names for word in normalise_text(name).split()
            if len(word) > 2 and word not in settlement_words)
        # Typeahead: every word of every name, sorted, pointing at its name.
        self.word_index = sorted({(word, key) for key in self.names for word in key.split()})
        self.ranges = sum(len(street.ranges) for street in self.streets.values())
        self._truncated: dict[int, list[str]] = {}

    # --- reading an address ------------------------------------------------------------------------------------

    def is_known_word(self, word: str) -> bool:
        return word in self.known_words

    def read(self, text: str) -> Reading:
        tokens = [t for t in parse_address(text, is_place=self.is_known_word).tokens if t.kind != "sep"]
        street_spans, settlement_spans = self._spans(tokens)
        if not any(t.name_text for t in tokens if t.kind in ("word", "street_type")):
            return Reading(problem="no_street", house=self._house(tokens, None)[0])
        if street_spans:
            reading = self._read_exact(tokens, street_spans, settlement_spans)
            if reading.problem == "unknown_words":
                # «Сосновый Бор, ул. Леоина»: «сосновый» is also a street name, yet the whole address reads
                # better as a settlement and a misspelt street.
                fuzzy = self._read_fuzzy(tokens, settlement_spans)
                if fuzzy.streets and not fuzzy.problem:
                    return fuzzy
            return reading
        in_settlements = {i for span in settlement_spans for i in range(span.start, span.end)}
        if all(i in in_settlements for i, t in enumerate(tokens) if t.kind == "word"):
            return Reading(problem="no_street", house=self._house(tokens, None)[0],
                           settlement=self.settlements[settlement_spans[0].key] if settlement_spans else "")
        return self._read_fuzzy(tokens, settlement_spans)

    def _spans(self, tokens: Sequence[Token]) -> tuple[list[_Span], list[_Span]]:
        streets: list[_Span] = []
        settlements: list[_Span] = []
        for start, first in enumerate(tokens):
            words: list[str] = []
            plain = True
            for end in range(start, min(len(tokens), start + MAX_NAME_WORDS)):
                token = tokens[end]
                text = token.name_text
                if token.segment != first.segment or text is None:
                    break
                words.append(text)
                plain = plain and token.kind == "word"
                key = " ".join(words)
                if not any(t.kind != "num" for t in tokens[start:end + 1]):
                    continue
                if key in self.by_name:
                    streets.append(_Span(start, end + 1, key))
                elif key in self.ordinal_after and token.kind == "num" and token.ordinal:
                    streets.append(_Span(start, end + 1, self.ordinal_after[key]))
                elif (stem := stem_key(key)) in self.by_stem and stem != key:
                    streets.append(_Span(start, end + 1, stem, exact=False))
                if plain and key in self.settlements:
                    settlements.append(_Span(start, end + 1, key))
        return streets, settlements

    @staticmethod
    def _kind_hint(tokens: Sequence[Token], span: _Span, used: set[int]) -> str:
        before = tokens[span.start - 1] if span.start > 0 else None
        after = tokens[span.end] if span.end < len(tokens) else None
        first = tokens[span.start]
        for token in (before, after):
            if token is not None and token.kind == "street_type" and token.segment == first.segment:
                return token.text
        others = {t.text for i, t in enumerate(tokens) if t.kind == "street_type" and i not in used}
        return others.pop() if len(others) == 1 else ""

    @staticmethod
    def _house(tokens: Sequence[Token], span: _Span | None) -> tuple[int | None, str]:
        inside = range(span.start, span.end) if span else range(0)
        numbers = [(i, t) for i, t in enumerate(tokens) if t.kind == "num" and i not in inside and t.value is not None]
        chosen = next((t for _, t in numbers if t.marked), None)
        if chosen is None and span is not None:
            chosen = next((t for i, t in numbers if i >= span.end), None)
        if chosen is None and numbers:
            chosen = numbers[0][1]
        if chosen is None:
            return None, ""
        return chosen.value, f"{chosen.value}{chosen.letter}"

    def _unexplained(self, tokens: Sequence[Token], used: set[int]) -> list[int]:
        # A single letter left over («г.о.», «м.о.») is never a name: it does not make an address unknown.
        return [i for i, t in enumerate(tokens)
                if i not in used and t.kind == "word" and len(t.text) > 1 and t.text not in self.district_words]

    def _read_exact(self, tokens: list[Token], street_spans: list[_Span], settlement_spans: list[_Span]) -> Reading:
        scored: list[tuple[tuple[int, ...], _Span, _Span | None, set[int]]] = []
        for street in street_spans:
            street_range = set(range(street.start, street.end))
            for settlement in [None, *settlement_spans]:
                used = set(street_range)
                penalty = 0
                if settlement is not None:
                    settlement_range = set(range(settlement.start, settlement.end))
                    if settlement_range & street_range:
                        continue
                    used |= settlement_range
                    for other in settlement_spans:  # the same settlement named twice
                        other_range = set(range(other.start, other.end))
                        if other.key == settlement.key and not other_range & used:
                            used |= other_range
                    before = tokens[settlement.start - 1] if settlement.start else None
                    if before is not None and before.kind == "street_type" and before.segment == \
                            tokens[settlement.start].segment:
                        penalty += 1
                before = tokens[street.start - 1] if street.start else None
                if before is not None and before.kind == "settlement_type" and before.segment == \
                        tokens[street.start].segment:
                    penalty += 1
                candidates = self._candidates(street, settlement)
                hint = self._kind_hint(tokens, street, used)
                kind_ok = bool(hint) and any(c.kind == hint for c in candidates)
                score = (-len(self._unexplained(tokens, used)), -penalty, int(settlement is not None),
                         int(street.exact), int(kind_ok), street.end - street.start)
                scored.append((score, street, settlement, used))
        scored.sort(key=lambda item: item[0], reverse=True)
        best_score = scored[0][0]
        best = [item for item in scored if item[0] == best_score]
        reading = Reading()
        seen: dict[int, StreetRef] = {}
        for _, street, settlement, used in best:
            candidates = self._candidates(street, settlement)
            hint = self._kind_hint(tokens, street, used)
            if hint:
                of_kind = [c for c in candidates if c.kind == hint]
                if of_kind:
                    candidates = of_kind
                elif candidates:
                    # The type written does not exist with this name: «пр-т Солнечная» may be the street
                    # «ул. Солнечная» or the prospect «пр-т Солнечный» — both stay candidates.
                    reading.corrected = True
                    scope = {c.settlement_key for c in candidates} if settlement is not None else None
                    candidates = candidates + [
                        s for s in self.by_stem.get(stem_key(street.key), ())
                        if s.kind == hint and (scope is None or s.settlement_key in scope)]
            for candidate in candidates:
                seen.setdefault(candidate.id, candidate)
            if not street.exact:
                reading.corrected = True
            if settlement is not None:
                reading.settlement = self.settlements[settlement.key]
        _, street, settlement, used = best[0]
        reading.house, reading.house_text = self._house(tokens, street)
        reading.streets = list(seen.values())
        unexplained = self._unexplained(tokens, used)
        if unexplained and settlement is None:
            fuzzy = self._fuzzy_settlement(tokens, unexplained)
            if fuzzy is not None:
                key, words = fuzzy
                reading.corrected = True
                reading.settlement = self.settlements[key]
                reading.streets = [s for s in reading.streets if s.settlement_key == key]
                unexplained = [i for i in unexplained if i not in words]
                if not reading.streets:
                    reading.problem = "not_in_settlement"
                    reading.suggestions = list(self.by_name.get(street.key, ()))[:10]
                    return reading
        if unexplained:
            reading.problem = "unknown_words"
            reading.unknown_words = " ".join(tokens[i].text for i in unexplained)
            reading.suggestions, reading.streets = reading.streets[:10], []
            return reading
        if not reading.streets and settlement is not None:
            reading.problem = "not_in_settlement"
            reading.suggestions = self._nearest(street.key, settlement.key)
        return reading

    def _candidates(self, street: _Span, settlement: _Span | None) -> list[StreetRef]:
        pool = self.by_name.get(street.key, ()) if street.exact else self.by_stem.get(street.key, ())
        if settlement is None:
            return list(pool)
        return [s for s in pool if s.settlement_key == settlement.key]

    def _fuzzy_settlement(self, tokens: Sequence[Token], positions: list[int]) -> tuple[str, set[int]] | None:
        """A misspelt settlement among the unexplained words: (its key, the positions it explains)."""
        for run in _runs(tokens, positions):
            for length in range(len(run), 0, -1):
                for offset in range(len(run) - length + 1):
                    part = run[offset:offset + length]
                    text = " ".join(tokens[i].text for i in part)
                    limit = _fuzzy_limit(text)
                    if not limit:
                        continue
                    found = process.extract(text, self.settlement_keys, scorer=OSA.distance,
                                            score_cutoff=limit, limit=3)
                    if found and (len(found) == 1 or found[1][1] > found[0][1]):
                        return found[0][0], set(part)
        return None

    def _read_fuzzy(self, tokens: list[Token], settlement_spans: list[_Span]) -> Reading:
        """No street name matched as written: the nearest name within a typo or two."""
        settlement = None
        for span in settlement_spans:
            before = tokens[span.start - 1] if span.start else None
            if settlement is None or (before is not None and before.kind == "settlement_type"):
                settlement = span
        used = set(range(settlement.start, settlement.end)) if settlement else set()
        names = self.settlement_names.get(settlement.key, []) if settlement else self.names
        best: tuple[tuple[int, int, int], _Span, list[str]] | None = None
        free = [i for i, t in enumerate(tokens) if i not in used and t.name_text is not None]
        for run in _runs(tokens, free):
            for length in range(min(len(run), MAX_NAME_WORDS), 0, -1):
                for offset in range(len(run) - length + 1):
                    part = run[offset:offset + length]
                    if all(tokens[i].kind == "num" for i in part):
                        continue
                    key = " ".join(tokens[i].name_text or "" for i in part)
                    limit = _fuzzy_limit(key)
                    if not limit:
                        continue
                    found = process.extract(key, names, scorer=OSA.distance, score_cutoff=limit, limit=5)
                    if not found:
                        continue
                    distance = int(found[0][1])
                    ties = [name for name, score, _ in found if score == distance]
                    before = tokens[part[0] - 1] if part[0] else None
                    typed = int(before is not None and before.kind == "street_type")
                    rank = (-distance, typed, length)
                    if best is None or rank > best[0]:
                        best = (rank, _Span(part[0], part[-1] + 1, ties[0]), ties)
        reading = Reading(corrected=True)
        if settlement is not None:
            reading.settlement = self.settlements[settlement.key]
        if best is None:
            reading.house, reading.house_text = self._house(tokens, None)
            reading.problem = "unknown"
            words = " ".join(tokens[i].name_text or "" for i in free)
            reading.suggestions = self._nearest(words, settlement.key if settlement else None)
            return reading
        _, span, ties = best
        reading.house, reading.house_text = self._house(tokens, span)
        hint = self._kind_hint(tokens, span, used | set(range(span.start, span.end)))
        if len(ties) > 1 and hint:
            # «аллея Зелёноя»: as near to «Зелёная» as to «Зелёное», but only one is an alley.
            of_kind = [name for name in ties if any(
                s.kind == hint and (settlement is None or s.settlement_key == settlement.key)
                for s in self.by_name[name])]
            if len(of_kind) == 1:
                ties = of_kind
        pool = [s for name in ties for s in self.by_name[name]
                if settlement is None or s.settlement_key == settlement.key]
        if len(ties) > 1:
            reading.problem = "unknown"
            reading.suggestions = pool[:10]
            return reading
        streets_of_kind = [s for s in pool if s.kind == hint] if hint else []
        reading.streets = streets_of_kind or pool
        unexplained = self._unexplained(tokens, used | set(range(span.start, span.end)))
        if unexplained and settlement is None:
            fuzzy = self._fuzzy_settlement(tokens, unexplained)
            if fuzzy is not None:
                key, settlement_positions = fuzzy
                reading.settlement = self.settlements[key]
                reading.streets = [s for s in reading.streets if s.settlement_key == key]
                unexplained = [i for i in unexplained if i not in settlement_positions]
        if unexplained or not reading.streets:
            reading.problem = "unknown_words" if unexplained else "not_in_settlement"
            reading.unknown_words = " ".join(tokens[i].text for i in unexplained)
            reading.suggestions = (reading.streets or pool)[:10]
            reading.streets = []
        return reading

    def _nearest(self, text: str, settlement_key: str | None, limit: int = 5) -> list[StreetRef]:
        names = self.settlement_names.get(settlement_key, []) if settlement_key else self.names
        if not text or not names:
            return []
        found = process.extract(text, names, scorer=OSA.normalized_distance, limit=limit,
                                score_cutoff=0.5)
        result: list[StreetRef] = []
        for name, _, _ in found:
            result.extend(s for s in self.by_name[name] if settlement_key is None or s.settlement_key == settlement_key)
        return result[:limit * 2]

    # --- typeahead -------------------------------------------------------------------------------------------

    def suggest(self, text: str, limit: int = 10) -> list[StreetRef]:
        """Streets for what the citizen has typed so far: any word of the name starting with the typed text,
        narrowed by a settlement and a street type when they are recognised; typos tolerated after three letters."""
        tokens = [t for t in parse_address(text, is_place=self.is_known_word).tokens if t.kind != "sep"]
        _, settlement_spans = self._spans(tokens)
        settlement = settlement_spans[0] if settlement_spans else None
        used = set(range(settlement.start, settlement.end)) if settlement else set()
        if settlement is not None and not any(t.name_text for i, t in enumerate(tokens) if i not in used):
            used, settlement = set(), None  # only a settlement typed so far: it may be a street's beginning
        kinds: set[str] = set()
        words: list[str] = []
        for position, token in enumerate(tokens):
            if position in used:
                continue
            if token.kind == "street_type":
                more = any(tokens[j].name_text for j in range(position + 1, len(tokens)) if j not in used)
                if more or token.raw not in STREET_KIND_NAMES.values():
                    kinds.add(token.text)  # a type word; in full and last it may be a name («Набережная»)
                    continue
            name_text = token.name_text
            if name_text is None or (token.kind == "num" and position == len(tokens) - 1 and position > 0):
                continue  # the house number being typed
            words.append(name_text)
        prefix = " ".join(w for w in words if w)
        if len(prefix.replace(" ", "")) < 2:
            return []

        def keep(street: StreetRef) -> bool:
            return (settlement is None or street.settlement_key == settlement.key) and \
                (not kinds or street.kind in kinds)

        keys = self._prefixed(prefix)
        streets = [s for key in keys for s in self.by_name[key] if keep(s)]
        if not streets and len(prefix) >= 3:
            length = len(prefix)
            truncated = self._truncated.get(length)
            if truncated is None:
                truncated = self._truncated[length] = [key[:length] for key in self.names]
            cutoff = 1 if length < 7 else 2
            found = process.extract(prefix, truncated, scorer=OSA.distance, score_cutoff=cutoff,
                                    limit=50)
            ranked = sorted(((score, self.names[index]) for _, score, index in found))
            streets = [s for _, key in ranked for s in self.by_name[key] if keep(s)]
        unique = list({s.id: s for s in streets}.values())
        return unique[:limit]

    def _prefixed(self, prefix: str) -> list[str]:
        """Names starting with the prefix first, then names with another word starting with it."""
        start = bisect.bisect_left(self.names, prefix)
        keys: list[str] = []
        for key in self.names[start:]:
            if not key.startswith(prefix):
                break
            keys.append(key)
        position = bisect.bisect_left(self.word_index, (prefix, ""))
        seen = set(keys)
        for word, key in self.word_index[position:]:
            if not word.startswith(prefix):
                break
            if key not in seen:
                seen.add(key)
                keys.append(key)
        return keys


def _runs(tokens: Sequence[Token], positions: Iterable[int]) -> list[list[int]]:
    """Consecutive positions of the same comma-separated part."""
    runs: list[list[int]] = []
    for position in sorted(positions):
        if runs and runs[-1][-1] == position - 1 and tokens[runs[-1][-1]].segment == tokens[position].segment:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


# --- building and caching -----------------------------------------------------------------------------------------

def read_stamp(using: str = "default") -> int | None:
    """The territory's version stamp as this connection sees it (None: no stamp row, never cached)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT stamp FROM territory_territoryversion WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else None


def build_index(stamp: int | None, using: str = "default") -> TerritoryIndex:
    districts = {row[0]: DistrictRef(*row) for row in District.objects.using(using).values_list(
        "id", "code", "name", "kind", "population", "centre")}
    officers: dict[int, OfficerRef] = {}
    for officer in Officer.objects.using(using).only("id", "full_name", "phone", "email", "office_address",
                                                     "office_hours", "photo"):
        photo_url = ""
        if officer.photo:
            try:
                photo_url = officer.photo.url
            except ValueError:
                photo_url = ""
        officers[officer.pk] = OfficerRef(officer.pk, officer.full_name, officer.phone, officer.email,
                                          officer.office_address, officer.office_hours, photo_url)
    precincts = {
        pk: PrecinctRef(pk, number, name, population, districts[district_id],
                        officers.get(officer_id) if officer_id else None)
        for pk, number, name, population, district_id, officer_id in Precinct.objects.using(using).values_list(
            "id", "number", "name", "population", "district_id", "officer_id")}
    ranges: dict[int, list[HouseRange]] = {}
    for street_id, house_from, house_to, parity, precinct_id in (
            AddressRange.objects.using(using).order_by("street_id", "house_from", "id")
            .values_list("street_id", "house_from", "house_to", "parity", "precinct_id").iterator(chunk_size=20_000)):
        ranges.setdefault(street_id, []).append(HouseRange(house_from, house_to, parity, precincts[precinct_id]))
    streets = []
    for pk, district_id, settlement, kind, name in Street.objects.using(using).values_list(
            "id", "district_id", "settlement", "kind", "name"):
        district = districts[district_id]
        streets.append(StreetRef(
            id=pk, settlement=settlement.strip(),
            settlement_label=settlement_label(settlement, district.kind, district.centre),
            kind=canonical_street_kind(kind), name=name.strip(), district=district, key=name_key(name),
            settlement_key=name_key(settlement), ranges=tuple(ranges.get(pk, ()))))
    return TerritoryIndex(stamp, streets, [d.name for d in districts.values()])


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int], TerritoryIndex] = OrderedDict()
_KEEP = 2


def territory_index(using: str = "default") -> TerritoryIndex:
    """The index for the territory as the current transaction sees it; rebuilt when its stamp changed."""
    stamp = read_stamp(using)
    if stamp is None:
        return build_index(None, using)
    key = (using, stamp)
    index = _cache.get(key)
    if index is not None:
        return index
    with _lock:
        index = _cache.get(key)
        if index is None:
            index = build_index(stamp, using)
            _cache[key] = index
            while len(_cache) > _KEEP:
                _cache.popitem(last=False)
    return index


def clear_cache() -> None:
    with _lock:
        _cache.clear()
