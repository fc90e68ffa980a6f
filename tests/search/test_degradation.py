"""With the search engine down, the public registries still answer, filtered by the database.

Consultations and benefactors ask the search index first and fall back to database filtering
(`search.api.search_ids` returns None on SearchUnavailable); the needs and partner
registries filter in the database only and never ask the index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Consent
from portal.community import services as community
from portal.consultations import services as consultations
from portal.consultations.models import Question, Topic
from portal.core.viewer import Role, Viewer
from portal.testing import factories
from search import api
from search.backends.embedded import EmbeddedBackend
from search.models import OutboxEntry
from search.sync import sync

pytestmark = pytest.mark.django_db

EDITOR = Viewer(subject="editor-1", username="editor", display_name="Лебедева Юлия", roles=frozenset({Role.EDITOR}))


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every `search.api.search` call: (index, outcome) with outcome "ok" or the exception's class name."""
    calls: list[tuple[str, str]] = []
    real = api.search

    def spy(index_name: str, query: str, **kwargs: Any) -> api.SearchResult:
        try:
            result = real(index_name, query, **kwargs)
        except Exception as exc:
            calls.append((index_name, exc.__class__.__name__))
            raise
        calls.append((index_name, "ok"))
        return result

    monkeypatch.setattr(api, "search", spy)
    cache.clear()  # rate limits of the public forms
    yield calls


def topic_moderator(topic: Topic) -> Viewer:
    """The editor as a moderator of `topic` (only a topic's moderators answer and publish its questions)."""
    user, _created = User.objects.get_or_create(username=EDITOR.username)
    topic.moderators.add(user)
    return replace(EDITOR, user_id=user.pk)


def published(topic: Topic, district: Any, text: str, answer: str) -> Question:
    question = consultations.ask_question(author_name="Анна", email="", topic_id=topic.pk, district_id=district.pk,
                                          text=text, consent=True)
    editor = topic_moderator(topic)
    consultations.answer_question(viewer=editor, question_id=question.pk, answer=answer)
    return consultations.publish_question(viewer=editor, question_id=question.pk)


def shown_questions(response: Any) -> list[int]:
    return [q.pk for _topic, questions in response.context["groups"] for q in questions]


def test_consultations_fall_back_to_database_filtering(embedded: EmbeddedBackend,
                                                       searches: list[tuple[str, str]]) -> None:
    district = factories.district(code="deg-c", name="Ленинский район")
    benefits = Topic.objects.create(name="Пособия и выплаты", slug="deg-benefits", sort_order=1)
    housing = Topic.objects.create(name="Жильё и ЖКУ", slug="deg-housing", sort_order=2)
    subsidy = published(housing, district, "Как оформить субсидию на оплату ЖКУ пенсионеру?", "Подайте заявление.")
    allowance = published(benefits, district, "Как получить пособие на ребёнка?", "Через Госуслуги.")
    sync()
    client = Client()
    up = client.get("/consultations/", {"q": "субсидию"})
    assert up.status_code == 200 and shown_questions(up) == [subsidy.pk]
    assert searches == [("consultation", "ok")]

    embedded.fail = True
    down = client.get("/consultations/", {"q": "субсидию"})
    assert down.status_code == 200 and shown_questions(down) == [subsidy.pk]
    assert searches[-1] == ("consultation", "SearchUnavailable")
    assert shown_questions(client.get("/consultations/", {"q": "пособие", "topic": "deg-benefits"})) == [
        allowance.pk]
    assert shown_questions(client.get("/consultations/", {"q": "субсидию", "topic": "deg-benefits"})) == []
    nothing = client.get("/consultations/", {"q": "трактор"})
    assert nothing.status_code == 200 and shown_questions(nothing) == []
    assert sorted(shown_questions(client.get("/consultations/"))) == sorted([subsidy.pk, allowance.pk])


def test_benefactors_fall_back_to_database_filtering(embedded: EmbeddedBackend,
                                                     searches: list[tuple[str, str]]) -> None:
    district = factories.district(code="deg-b", name="Октябрьский район")
    listed = []
    people = (("Сергей Волков", "Привезу продукты и одежду"), ("Анна Мельникова", "Юридическая помощь"))
    for name, description in people:
        benefactor = community.sign_up_benefactor(
            kind="individual", name=name, email=f"{len(listed)}@example.org", phone="", help_kinds=["material"],
            district_id=district.pk, description=description, consent_processing=True, consent_publication=True)
        listed.append(community.approve_benefactor(viewer=EDITOR, benefactor_id=benefactor.pk))
    sync()
    assert not OutboxEntry.objects.exists()
    client = Client()
    up = client.get("/registry/benefactors/", {"q": "продукты"})
    assert up.status_code == 200 and list(up.context["benefactors"]) == [listed[0]]
    assert searches == [("benefactor", "ok")]

    embedded.fail = True
    down = client.get("/registry/benefactors/", {"q": "продукты"})
    assert down.status_code == 200 and list(down.context["benefactors"]) == [listed[0]]
    assert searches[-1] == ("benefactor", "SearchUnavailable")
    by_name = client.get("/registry/benefactors/", {"q": "Мельникова", "district": "deg-b"})
    assert list(by_name.context["benefactors"]) == [listed[1]]
    assert list(client.get("/registry/benefactors/", {"q": "трактор"}).context["benefactors"]) == []


def test_needs_and_partners_never_depend_on_search(embedded: EmbeddedBackend,
                                                   searches: list[tuple[str, str]]) -> None:
    place = factories.district(code="deg-n", name="Ленинский район")
    precinct = factories.precinct(district_obj=place)
    institution = factories.organisation(kind="social_service", code="kcson-deg", name="КЦСОН Ленинский",
                                         district_obj=place)
    for summary in ("Нужна зимняя одежда для детей", "Нужна детская кроватка", "Нужна зимняя обувь"):
        world = factories.registered_case(institution=institution, precinct_obj=precinct)
        case_services.record_consent(viewer=world.coordinator, person_id=world.applicant.pk,
                                     purpose=Consent.Purpose.PUBLICATION,
                                     given_on=timezone.localdate() - dt.timedelta(days=1))
        community.publish_need(viewer=world.coordinator, case_id=world.case.pk, help_kind="material",
                               urgency="urgent", summary=summary)
    embedded.fail = True
    client = Client()
    needs = client.get("/registry/needs/", {"q": "зимняя"})
    assert needs.status_code == 200
    # The text filter returns whole groups of needs that look alike (k-anonymity), the matching ones first.
    assert len(needs.context["needs"]) == 3
    assert sorted(n.summary for n in needs.context["needs"][:2]) == ["Нужна зимняя обувь",
                                                                      "Нужна зимняя одежда для детей"]
    assert client.get("/registry/needs/", {"q": "трактор"}).context["needs"] == []
    partners = client.get("/registry/partners/", {"q": "КЦСОН"})
    assert partners.status_code == 200 and list(partners.context["organisations"]) == [institution]
    assert list(client.get("/registry/partners/", {"q": "трактор"}).context["organisations"]) == []
    assert searches == []  # neither registry asks the index (see the report: the "needs" index has no reader)
