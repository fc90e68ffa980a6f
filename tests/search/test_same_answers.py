"""Issue 18: the faster search gives the same answers. The references below are the implementations the engine
and the loaders had before (pure-Python edit distance recomputed for every word pair, every trigram of every
typed word in the candidate query, documents built from model instances); the current ones must agree."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from portal.cases.models import Case, Person
from portal.cases.search_documents import load_cases, load_persons
from portal.partners.models import HelpKind, Organisation
from portal.partners.search_documents import load_organisations
from portal.territory.addresses import (
    STREET_KIND_NAMES,
    STREET_KIND_SHORT,
    canonical_street_kind,
    settlement_label,
    street_label,
)
from portal.territory.models import Street
from portal.territory.search_documents import load_streets
from portal.testing import factories
from search.backends import embedded as engine
from search.backends.embedded import EmbeddedBackend
from search.normalise import QueryTerm, query_terms
from search.registry import INDEXES

LETTERS = "абвгдежзиклмнопрстуфхцчшщыэюя"


def reference_distance(a: str, b: str, limit: int) -> int:
    """The engine's former pure-Python Levenshtein distance, cut at `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def reference_term_cost(term: QueryTerm, words: Sequence[str]) -> int | None:
    best: int | None = None
    limit = engine.allowed_typos(term.text)
    for word in words:
        if word.startswith(term.text) or word in term.alternatives:
            return 0
        if limit:
            d = min(reference_distance(term.text, word[: len(term.text)], limit),
                    reference_distance(term.text, word, limit))
            if d <= limit and (best is None or d < best):
                best = d
    return best


def reference_score(terms: Sequence[QueryTerm], rows: Sequence[tuple[int, str, str, str]]) -> list[engine.Scored]:
    scored = []
    for rowid, title, text, sort_key in rows:
        title_words = title.split()
        all_words = title_words + text.split()
        costs = [reference_term_cost(term, all_words) for term in terms]
        if None not in costs:
            title_hits = sum(reference_term_cost(term, title_words) is not None for term in terms)
            scored.append((sum(c for c in costs if c is not None), -title_hits, sort_key, rowid))
    return scored


def word(rng: random.Random, low: int = 2, high: int = 11) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(low, high)))


def test_edit_distance_and_scores_match_the_reference() -> None:
    rng = random.Random(18)
    for _ in range(3000):
        a, b, limit = word(rng), word(rng), rng.choice([1, 2])
        if rng.random() < 0.5:  # near misses, the interesting case
            b = a[:rng.randrange(len(a))] + rng.choice(LETTERS) + a[rng.randrange(len(a)) + 1:]
        assert min(engine.distance(a, b, limit), limit + 1) == min(reference_distance(a, b, limit), limit + 1)
    vocabulary = [word(rng, 3, 9) for _ in range(60)]
    rows = [(i, " ".join(rng.sample(vocabulary, 2)), " ".join(rng.sample(vocabulary, 4)), word(rng))
            for i in range(400)]
    for _ in range(150):
        typed = rng.choice(vocabulary)
        if rng.random() < 0.5:
            i = rng.randrange(len(typed))
            typed = typed[:i] + rng.choice(LETTERS) + typed[i + 1:]
        text = f"{typed} {rng.choice(vocabulary)[:rng.randint(1, 5)]}" if rng.random() < 0.5 else typed
        terms = query_terms(text)
        assert engine.score(terms, rows) == reference_score(terms, rows)


def all_grams(terms: Sequence[QueryTerm]) -> list[str]:
    """The former candidate query: every trigram of every typed word, «улица» and «г.» included."""
    return sorted({g for term in terms for t in (term.text, *term.alternatives) for g in engine.trigrams(t)})


def test_address_words_out_of_the_candidate_query_change_no_answer(tmp_path: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(12)
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.ensure_index("streets", INDEXES["streets"])
    kinds = list(STREET_KIND_NAMES.items())
    settlements = ["Заречный", "Берёзовка", "Лесной", "Сосновка"]
    documents = []
    for i in range(1, 301):
        kind, kind_name = rng.choice(kinds)
        name = word(rng, 4, 10).capitalize()
        documents.append({"id": str(i), "name": name, "kind": kind, "kind_name": kind_name,
                          "settlement": rng.choice(settlements), "label": f"{STREET_KIND_SHORT[kind]} {name}",
                          "district_code": "zar", "district_name": "Заречный район", "precinct_ids": [str(i % 7)]})
    backend.upsert("streets", documents)
    queries = []
    for document in rng.sample(documents, 60):
        name, settlement = document["name"], document["settlement"]
        queries += [f"ул {name}", f"улица {name[:5]}", f"г. {settlement}, улица {name}", f"{document['kind']} {name}",
                    f"пр-т {name[:4]}", f"село {settlement} {name[1:]}", f"улица {settlement}"]

    def answers() -> list[tuple[list[str], int]]:
        found = [backend.search("streets", q, limit=10) for q in queries]
        return [([hit["id"] for hit in result.hits], result.total) for result in found]

    now = answers()
    monkeypatch.setattr(engine, "candidate_grams", all_grams)
    assert now == answers()  # below CANDIDATES, leaving address words out changes nothing
    backend.close()


def test_candidates_read_without_bm25_when_all_fit_change_no_answer(tmp_path: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Up to CANDIDATES matches are all scored, so their bm25 order is not computed (hits that tie on the ranking
    key get it from a query over those rows alone); a rebuilt index (bulk-load FTS5 settings) answers the same
    as one written document by document."""
    rng = random.Random(21)
    documents = [{"id": f"case-{i}", "type": "case", "title": f"{word(rng, 4, 9)} {word(rng, 4, 9)}",
                  "text": rng.choice(["Заречный район активный", "Березовский район закрыт", "1980", ""]),
                  "precinct_id": [str(i % 5)], "institution_id": [str(i % 3)]} for i in range(1, 401)]
    documents += [{**documents[0], "id": "case-900"}]  # an exact tie of the ranking key
    built = EmbeddedBackend(tmp_path / "built.sqlite3")
    new = built.begin_rebuild("staff", INDEXES["staff"])
    built.upsert(new, documents)
    built.finish_rebuild("staff", new)
    written = EmbeddedBackend(tmp_path / "written.sqlite3")
    for document in documents:
        written.upsert("staff", [document])
    queries = [d["title"].split()[0][:n] for d in rng.sample(documents, 40) for n in (3, 5)]
    queries += [d["title"][:-1] + "а" for d in rng.sample(documents, 20)] + ["район", "зар", documents[0]["title"]]

    def answers(backend: EmbeddedBackend) -> list[tuple[list[str], int]]:
        found = [backend.search("staff", q, limit=10, scope=scope) for q in queries
                 for scope in (None, {"precinct_id": ["1"]})]
        return [([hit["id"] for hit in result.hits], result.total) for result in found]

    now = answers(built)
    assert now == answers(written)
    monkeypatch.setattr(engine, "_tied", lambda scored: [item[3] for item in scored])  # bm25 order for all
    assert now == answers(built)
    monkeypatch.setattr(engine, "CANDIDATES", 20)  # more matches than candidates: bm25 picks them
    assert answers(built) == answers(written)
    built.close()
    written.close()


def test_place_words_narrowing_by_the_filter_table_changes_no_answer(tmp_path: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A typed settlement or district word (`IndexSpec.place_fields`) picks the candidates through the filter table
    instead of the FTS match: the same hits and totals as without that rule — with streets named like a settlement
    (prefix and typo) elsewhere, districts named after their centre, and a settlement added after the first query
    (the memoised place values follow the file)."""
    rng = random.Random(33)
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.ensure_index("streets", INDEXES["streets"])
    kinds = list(STREET_KIND_NAMES.items())
    places = {"Заречный": "Ленинский район г. Заречный", "Полазна": "Городской округ Полазна",
              "Мохово": "Муниципальный округ Кунгурово", "Кунгурово": "Муниципальный округ Кунгурово",
              "Сива": "Городской округ Сива"}
    names = [word(rng, 4, 10).capitalize() for _ in range(40)] + ["Заречная", "2-й Заречный", "Полярная", "Ленина",
                                                                   "Сивая", "Кунгуровская"]

    def street(i: int, settlement: str) -> dict[str, Any]:
        kind, kind_name = rng.choice(kinds)
        name = rng.choice(names)
        return {"id": str(i), "name": name, "kind": kind, "kind_name": kind_name, "settlement": settlement,
                "label": f"{settlement} {STREET_KIND_SHORT[kind]} {name}", "district_code": settlement[:3],
                "district_name": places.get(settlement, "Новый район"), "precinct_ids": [str(i % 7)]}

    backend.upsert("streets", [street(i, rng.choice(list(places))) for i in range(1, 401)])
    narrowed: list[bool] = []
    real = EmbeddedBackend._narrowed

    def counting(self: EmbeddedBackend, *args: Any) -> Any:
        rows = real(self, *args)
        narrowed.append(rows is not None)
        return rows

    queries = [f"ул {name} {settlement}" for name in names[::3] for settlement in places]
    queries += [f"г. {settlement}, улица {name}" for name in names[1::4] for settlement in places]
    queries += [f"{name} {settlement[:-1]}а" for name in names[::5] for settlement in places]  # a typo
    queries += ["Ленина Кунгурово", "Заречный Полазна", "ул 2-й Заречный Полазна", "Полазна Ленина", "Заречный"]

    def answers() -> list[tuple[list[str], int]]:
        found = [backend.search("streets", q, limit=10) for q in queries]
        found += [backend.search("streets", q, limit=10, filters={"district_code": ["Пол"]}) for q in queries[:20]]
        return [([hit["id"] for hit in result.hits], result.total) for result in found]

    monkeypatch.setattr(EmbeddedBackend, "_narrowed", counting)
    now = answers()
    assert sum(narrowed) > len(queries) // 2  # the rule took most of them
    monkeypatch.setattr(EmbeddedBackend, "_narrowed", lambda self, *args: None)
    assert now == answers()
    monkeypatch.setattr(EmbeddedBackend, "_narrowed", real)
    narrowed.clear()
    monkeypatch.setattr(EmbeddedBackend, "_narrowed", counting)
    backend.upsert("streets", [{**street(900, "Новоселье"), "name": "Ленина", "kind": "ул", "kind_name": "улица"}])
    assert [hit["id"] for hit in backend.search("streets", "ул Ленина Новоселье").hits] == ["900"]
    assert narrowed == [True]
    backend.close()


# --- the loaders: plain rows now, model instances before ----------------------------------------------------------

def reference_streets(ids: Iterable[int]) -> list[dict[str, Any]]:
    documents = []
    for street in Street.objects.filter(pk__in=list(ids)).select_related("district").prefetch_related(
            "ranges__precinct"):
        precincts = sorted({r.precinct_id for r in street.ranges.all()})
        label = street_label(settlement_label(street.settlement, street.district.kind, street.district.centre),
                             canonical_street_kind(street.kind), street.name.strip())
        documents.append({
            "id": str(street.pk), "name": street.name, "kind": street.kind,
            "kind_name": STREET_KIND_NAMES.get(street.kind, street.kind), "settlement": street.settlement,
            "label": label,
            "district_code": street.district.code, "district_name": street.district.name,
            "precinct_ids": [str(pk) for pk in precincts],
            "ranges": [{"precinct_id": r.precinct_id, "precinct_number": r.precinct.number,
                        "house_from": r.house_from, "house_to": r.house_to, "parity": r.parity}
                       for r in sorted(street.ranges.all(), key=lambda r: (r.house_from, r.pk))],
        })
    return documents


def reference_organisations(ids: Iterable[int]) -> list[dict[str, Any]]:
    help_names = dict(HelpKind.choices)
    return [{
        "id": str(org.pk), "code": org.code, "name": org.name, "short_name": org.short_name, "kind": org.kind,
        "kind_name": str(org.get_kind_display()), "district_code": org.district.code if org.district_id else "",
        "district_name": org.district.name if org.district_id else "", "address": org.address, "phone": org.phone,
        "website": org.website, "description": org.description, "help_kinds": list(org.help_kinds),
        "help_kind_names": [str(help_names.get(kind, kind)) for kind in org.help_kinds],
    } for org in Organisation.objects.filter(pk__in=list(ids), active=True).select_related("district")]


def reference_cases(ids: Iterable[int]) -> list[dict[str, Any]]:
    cases = Case.objects.filter(pk__in=list(ids)).select_related("applicant", "precinct__district")
    return [{"id": f"case-{case.pk}", "type": "case", "object_id": case.pk,
             "title": f"{case.code} {case.applicant.full_name}",
             "text": f"{case.precinct.district.name} {case.get_status_display()}", "code": case.code,
             "status": case.status, "precinct_id": [str(case.precinct_id)],
             "institution_id": [str(case.institution_id)]} for case in cases]


def reference_persons(ids: Iterable[int]) -> list[dict[str, Any]]:
    from django.db.models import Q

    pks = list(ids)
    persons = list(Person.objects.filter(pk__in=pks).select_related("household"))
    household_ids = {p.household_id for p in persons if p.household_id}
    institutions: dict[int, set[int]] = {}
    by_household: dict[int, set[int]] = {}
    for applicant_id, household_id, institution_id in Case.objects.filter(
            Q(applicant_id__in=pks) | Q(household_id__in=household_ids)).values_list(
            "applicant_id", "household_id", "institution_id"):
        institutions.setdefault(applicant_id, set()).add(institution_id)
        by_household.setdefault(household_id, set()).add(institution_id)
    documents = []
    for person in persons:
        inst = set(institutions.get(person.pk, set()))
        prec: set[int] = set()
        if person.household_id:
            prec.add(person.household.precinct_id)
            inst |= by_household.get(person.household_id, set())
        documents.append({
            "id": f"person-{person.pk}", "type": "person", "object_id": person.pk, "title": person.full_name,
            "text": str(person.birth_date.year) if person.birth_date else "",
            "precinct_id": [str(pk) for pk in sorted(prec)],
            "institution_id": [str(pk) for pk in sorted(inst)],
        })
    return documents


def by_id(documents: list[dict[str, Any]]) -> dict[str, str]:
    return {document["id"]: json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)
            for document in documents}


@pytest.mark.django_db
def test_loaders_build_the_documents_they_built_from_model_instances() -> None:
    worlds = [factories.registered_case() for _ in range(3)]
    for world in worlds[:2]:  # streets of the worlds' districts, some with two precincts
        street = factories.street(district_obj=world.district, name=f"Садовая {world.precinct.pk}")
        factories.address_range(street_obj=street, precinct_obj=world.precinct, house_from=1, house_to=20)
        factories.address_range(street_obj=street, precinct_obj=worlds[2].precinct, house_from=21, house_to=99)
    factories.organisation(kind="ngo", name="Фонд помощи", district_obj=worlds[0].district)
    factories.organisation(kind="school", name="Школа № 5")
    for model, load, reference in [(Street, load_streets, reference_streets),
                                   (Organisation, load_organisations, reference_organisations),
                                   (Case, load_cases, reference_cases), (Person, load_persons, reference_persons)]:
        pks = sorted(model.objects.values_list("pk", flat=True))
        for ids in (pks, pks[:1], [*pks, 999_999], list(range(pks[0], pks[0] + 60))):  # the last by id range
            assert by_id(load([str(pk) for pk in ids])) == by_id(reference(ids)), model.__name__
