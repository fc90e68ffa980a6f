"""Public pages from the cache (issue 18, item 3): anonymous pages are served without SQL, the chrome and the site
cost nothing per request, publishing shows at once, per language; never for signed-in visitors or pages with a
form of their own, but for the consultations page whose empty form is the same for everyone; no CSRF token or CSP
nonce shared between visitors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cms.models import HomePage, OfficerFinderPage, PortalSettings
from tests.cms.conftest import make_territory
from tests.cms.test_site_plumbing import public_pages  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture
def pages(public_pages: None) -> dict[str, str]:  # noqa: F811
    make_territory()
    finder = OfficerFinderPage.objects.live().get(locale__language_code="ru").url
    return {"home": "/", "finder": f"{finder}?address=Заречный, ул. Ленина, 5", "needs": "/nuzhdy-semei/",
            "consultations": "/vopros-spetsialistu/"}


@pytest.mark.parametrize("name", ["home", "finder", "needs"])
def test_an_anonymous_page_is_served_again_without_sql(client: Client, pages: dict[str, str], name: str,
                                                       django_assert_max_num_queries: Any) -> None:
    first = client.get(pages[name])
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_max_num_queries(0):
        again = client.get(pages[name])
    assert again.status_code == 200 and again["X-Page-Cache"] == "hit"
    assert TOKEN.sub("", again.content.decode()) .count("Ленина") == TOKEN.sub("", first.content.decode()).count(
        "Ленина")


def test_the_consultations_page_is_served_again_without_sql_with_each_visitors_own_token(
        pages: dict[str, str], django_assert_max_num_queries: Any) -> None:
    """The consultations page (its question form and the public answers) was rendered for every visitor: 10
    queries each time. Its empty form is the same for everyone but for the CSRF token, which each copy gets
    anew; the form posted with a token from a copy is accepted by the CSRF check."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert first.get(pages["consultations"])["X-Page-Cache"] == "miss"
    with django_assert_max_num_queries(0):
        response = second.get(pages["consultations"])
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    body = response.content.decode()
    tokens = set(TOKEN.findall(body))
    assert len(TOKEN.findall(body)) >= 2 and len(tokens) == 1  # the question form and the language switch
    assert tokens.isdisjoint(TOKEN.findall(first.get(pages["consultations"]).content.decode()))
    posted = second.post(pages["consultations"], {"csrfmiddlewaretoken": tokens.pop(), "author_name": "Анна",
                                                  "text": "Кор"})
    assert posted.status_code == 400 and "X-Page-Cache" not in posted  # past the CSRF check; never kept
    page = posted.content.decode()
    assert 'value="Анна"' in page and "Кор</textarea>" in page and 'aria-invalid="true"' in page
    assert second.post(pages["consultations"], {"author_name": "Анна"}).status_code == 403  # no token: refused


def test_asking_keeps_the_copies_and_publishing_an_answer_shows_at_once(pages: dict[str, str]) -> None:
    from portal.consultations import services
    from portal.consultations.models import Question, Topic
    from portal.territory.models import District

    client = Client()
    client.get(pages["consultations"])
    client.get("/")
    topic = Topic.objects.create(name="Тема кэша", slug="cache-topic", sort_order=99)
    question = services.ask_question(author_name="Иван Петров", email="", topic_id=topic.pk,
                                     district_id=District.objects.order_by("pk").first().pk,
                                     text="Как получить пособие на ребёнка в нашем районе?", consent=True)
    assert Client().get("/")["X-Page-Cache"] == "miss"  # the new topic (a public list) starts a new generation
    Client().get(pages["consultations"])
    services.ask_question(author_name="Мария", email="", topic_id=topic.pk, district_id=question.district_id,
                          text="Ещё один вопрос о пособии на ребёнка, без ответа.", consent=True)
    assert Client().get(pages["consultations"])["X-Page-Cache"] == "hit"  # an asked question is not public
    question.status, question.answer = Question.Status.PUBLISHED, "Ответ специалиста о пособии."
    question.published_at = question.created_at
    question.save()
    response = Client().get(pages["consultations"])
    assert response["X-Page-Cache"] == "miss" and "Ответ специалиста о пособии." in response.content.decode()
    question.status = Question.Status.ANSWERED  # hidden again
    question.save()
    assert "Ответ специалиста о пособии." not in Client().get(pages["consultations"]).content.decode()


def test_a_page_that_shows_an_asker_their_question_is_their_own(client: Client, pages: dict[str, str]) -> None:
    """After asking, the thank-you page with the question's number comes from the asker's session: never kept."""
    session = client.session
    session["consultations_asked_question"] = 12345
    session.save()
    response = client.get(pages["consultations"] + "?sent=1")
    assert "X-Page-Cache" not in response and "12345" in response.content.decode()
    assert "12345" not in Client().get(pages["consultations"] + "?sent=1").content.decode()


def test_signed_in_visitors_get_their_own_page(client: Client, pages: dict[str, str],
                                               django_assert_max_num_queries: Any) -> None:
    client.get("/")  # an anonymous copy exists
    user = get_user_model().objects.create_user("reader.t", first_name="Анна", last_name="Читателева")
    client.force_login(user)
    with django_assert_max_num_queries(20):  # 39 before: session, user, routing, the page's own lists
        response = client.get("/")
    assert "X-Page-Cache" not in response
    assert "Читателева" in response.content.decode()
    assert "Читателева" not in Client().get("/").content.decode()


def test_publishing_shows_at_once_in_each_language(client: Client, pages: dict[str, str]) -> None:
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    english = Client()
    english.cookies["django_language"] = "en"
    english_before = english.get("/").content.decode()
    assert english.get("/")["X-Page-Cache"] == "hit"

    home = HomePage.objects.get(locale__language_code="ru")
    home.intro = "Новое вступление главной страницы"
    home.save_revision().publish()

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss" and "Новое вступление главной страницы" in response.content.decode()
    assert english.get("/")["X-Page-Cache"] == "miss"  # every language starts again
    assert english_before != response.content.decode()  # and the two languages never share a copy


def test_unpublishing_and_settings_changes_show_at_once(client: Client, pages: dict[str, str]) -> None:
    finder = OfficerFinderPage.objects.live().get(locale__language_code="ru")
    assert client.get(finder.url).status_code == 200
    client.get("/")
    settings_row = PortalSettings.for_site(finder.get_site())
    settings_row.hotline_phone = "8 800 000-00-77"
    settings_row.save()
    assert "8 800 000-00-77" in client.get("/").content.decode()
    finder.unpublish()
    assert client.get(finder.url).status_code == 404


def test_no_token_or_nonce_is_shared_between_visitors(pages: dict[str, str]) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/")
    response = second.get("/")
    assert response["X-Page-Cache"] == "hit"
    body = response.content.decode()
    [token] = TOKEN.findall(body)
    assert token not in first.get("/").content.decode()
    # The token served from the cache is this visitor's own: the language switch accepts it.
    switched = second.post("/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "en", "next": "/"})
    assert switched.status_code == 302


def test_a_copy_gets_the_visitors_own_nonce(rf: Any) -> None:
    """A page with inline styles (none of the public ones today) is kept with its nonce, and served with the
    nonce of the request that reads it, the one django-csp puts in that response's header."""
    from django.http import HttpResponse

    from cms.page_cache import _entry, _replay

    rendering = rf.get("/")
    rendering._csp_nonce = "b2xkLW5vbmNl"
    entry = _entry(rendering, HttpResponse(b'<style nonce="b2xkLW5vbmNl">p{}</style><p>b2xkLW5vbmNl</p>'))
    request = rf.get("/")
    request.csp_nonce = "bmV3LW5vbmNl"
    response = _replay(request, entry)
    assert response.content == b'<style nonce="bmV3LW5vbmNl">p{}</style><p>bmV3LW5vbmNl</p>'
    assert response["X-Page-Cache"] == "hit" and response["Content-Type"] == "text/html; charset=utf-8"


def test_a_copy_gets_one_token_of_the_visitors_secret(rf: Any) -> None:
    """Every form of a copy gets the same fresh token, masked from this visitor's CSRF secret (a new secret and
    cookie for a visitor without one), in the format Django's CSRF check unmasks."""
    from django.http import HttpResponse
    from django.middleware.csrf import _check_token_format, _unmask_cipher_token

    from cms.page_cache import _entry, _replay, masked_csrf_token

    token = "A" * 64
    form = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'.encode()
    entry = _entry(rf.get("/"), HttpResponse(b"<form>" + form + b"</form><form>" + form + b"</form>"))
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = "s" * 32
    body = _replay(request, entry).content.decode()
    [own] = set(TOKEN.findall(body))
    assert body.count(own) == 2 and own != token and request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    _check_token_format(own)
    assert _unmask_cipher_token(own) == "s" * 32
    newcomer = rf.get("/")
    fresh = masked_csrf_token(newcomer)
    assert len(newcomer.META["CSRF_COOKIE"]) == 32 and _unmask_cipher_token(fresh) == newcomer.META["CSRF_COOKIE"]
    assert len({masked_csrf_token(request)[:32] for _ in range(50)}) == 50  # a fresh mask each time
