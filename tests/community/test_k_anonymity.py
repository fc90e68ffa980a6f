"""Issue 11, finding 7: the needs registry must not single out a family.

Every attribute a card shows (category, district, kind of help, urgency, status, how long ago it was
published) counts for the k = 3 rule, and so does every combination the public filters can reach: no
filtered list may contain a card whose shown attributes are shared by fewer than 3 cards of that list.
Checked exhaustively over the demo data (through the page too) and over generated data (property test).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.cases.models import Category
from portal.community import selectors
from portal.community.models import Need, PublicStatus, Urgency
from portal.partners.models import HelpKind
from portal.territory.models import District

K = 3


def shown_attributes(need: selectors.PublicNeed) -> tuple[str, ...]:
    """What a card shows besides its free-text description (see needs.html / _need_card.html)."""
    return (need.category, need.category_label, need.district_code, need.help_kind, need.urgency, need.status,
            need.open_for)


def small_groups(cards: list[selectors.PublicNeed]) -> list[tuple[str, ...]]:
    sizes = Counter(shown_attributes(card) for card in cards)
    return [group for group, size in sizes.items() if size < K]


def filter_values(cards: list[selectors.PublicNeed]) -> dict[str, list[str]]:
    """Every value each public filter accepts (the shown values, the full choice lists and "any")."""
    return {
        "district_code": ["", *sorted({c.district_code for c in cards} | set(District.objects.values_list(
            "code", flat=True)))],
        "help_kind": ["", *HelpKind.values],
        "urgency": ["", *Urgency.values],
        "status": ["", *PublicStatus.values],
        "category": ["", *sorted({c.category for c in cards if c.category} | set(Category.values))],
    }


def words(cards: list[selectors.PublicNeed]) -> list[str]:
    text = " ".join(" ".join((c.summary, c.category_label, c.help_kind_label, c.district_name, c.urgency_label,
                              c.status_label)) for c in cards)
    return sorted({word.strip("«»,.").lower() for word in text.split() if len(word) > 2})


def assert_no_filter_singles_out(cards: list[selectors.PublicNeed], values: dict[str, list[str]],
                                 texts: list[str]) -> int:
    """Every combination of the structured filters, and each word of the text filter alone and with
    each district and kind of help: no result holds a group smaller than K. Returns how many were tried."""
    assert not small_groups(cards), small_groups(cards)
    tried = 0
    names = list(values)
    for combination in itertools.product(*(values[name] for name in names)):
        result = selectors.filter_public_needs(cards, **dict(zip(names, combination, strict=True)))
        assert not small_groups(result), (combination, small_groups(result))
        tried += 1
    for text in texts:
        for district, help_kind in itertools.product(values["district_code"], values["help_kind"]):
            result = selectors.filter_public_needs(cards, text=text, district_code=district, help_kind=help_kind)
            assert not small_groups(result), (text, district, help_kind, small_groups(result))
            tried += 1
    return tried


@pytest.fixture
def demo_needs(db: None) -> list[selectors.PublicNeed]:
    from portal.demo.community import load_demo
    from portal.demo.generate import generate

    generate(scale="demo", seed=3)
    load_demo(verbose=False)
    return selectors.public_needs()


def test_demo_needs_cannot_be_singled_out_by_any_filter(demo_needs: list[selectors.PublicNeed]) -> None:
    published = Need.objects.filter(withdrawn_at__isnull=True).count()
    assert published >= 15 and len(demo_needs) >= 12  # most of the demo is shown (the rest is too rare)
    tried = assert_no_filter_singles_out(demo_needs, filter_values(demo_needs), words(demo_needs))
    assert tried > 1000
    # The page applies the same filters: each single filter over HTTP, on the real view.
    client = Client()
    params = {"district_code": "district", "help_kind": "help", "urgency": "urgency", "status": "status"}
    for name, values in filter_values(demo_needs).items():
        if name not in params:
            continue
        for value in values:
            response = client.get("/registry/needs/", {params[name]: value})
            assert response.status_code == 200
            assert not small_groups(list(response.context["needs"])), (name, value)
    for word in words(demo_needs)[:40]:
        assert not small_groups(list(client.get("/registry/needs/", {"q": word}).context["needs"])), word


def test_text_filter_returns_whole_groups(demo_needs: list[selectors.PublicNeed]) -> None:
    card = demo_needs[0]
    word = max(card.summary.split(), key=len)
    result = selectors.public_needs(text=word)
    assert card.id in {n.id for n in result}
    group = [n for n in demo_needs if shown_attributes(n) == shown_attributes(card)]
    assert len(group) >= K and {n.id for n in group} <= {n.id for n in result}
    assert word.lower() in result[0].summary.lower()  # matching cards come first


# --- Generated data: any mix of needs, the rule holds -------------------------------------------------

DISTRICTS = [District(pk=i, code=f"d{i}", name=f"Район {i}") for i in range(1, 4)]
TODAY = dt.date(2026, 12, 1)


@st.composite
def needs(draw: Any) -> list[Need]:
    count = draw(st.integers(min_value=0, max_value=45))
    made = []
    for pk in range(1, count + 1):
        need = Need(
            pk=pk, category=draw(st.sampled_from(Category.values)), district=draw(st.sampled_from(DISTRICTS)),
            help_kind=draw(st.sampled_from(HelpKind.values[:3])), urgency=draw(st.sampled_from(Urgency.values)),
            summary=draw(st.sampled_from(["Нужны продукты", "Нужна зимняя куртка", "Нужен репетитор"])),
        )
        need.created_at = timezone.make_aware(dt.datetime.combine(
            TODAY - dt.timedelta(days=draw(st.sampled_from([0, 3, 10, 40, 120]))), dt.time(12)))
        need.is_covered = draw(st.booleans()) and draw(st.booleans())
        need.is_under_way = not need.is_covered and draw(st.booleans()) and draw(st.booleans())
        made.append(need)
    return made


@settings(max_examples=60, deadline=None)
@given(needs())
def test_generated_needs_cannot_be_singled_out_by_any_filter(generated: list[Need]) -> None:
    cards = selectors._anonymised(generated, TODAY)
    values = {
        "district_code": ["", *(d.code for d in DISTRICTS)], "help_kind": ["", *HelpKind.values[:3]],
        "urgency": ["", *Urgency.values], "status": ["", *PublicStatus.values],
        "category": ["", "families", "adults", "elderly_disabled", *Category.values],
    }
    assert_no_filter_singles_out(cards, values, ["продукты", "куртка", "район", "срочно"])
    # Nothing is hidden but what has to be: the last generalisation keeps only district, kind of help and
    # status, so at most K-1 needs of each such class can be left without a group.
    shown = {c.id for c in cards}
    hidden = Counter((n.district.code, n.help_kind, n.is_covered, n.is_under_way) for n in generated
                     if n.pk not in shown)
    assert all(count < K for count in hidden.values()), hidden
