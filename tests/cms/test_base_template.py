"""The shared base template: navigation, language switch, sign-in link, hotline."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_header_and_footer(client, site_tree) -> None:
    body = client.get("/").content.decode()
    assert 'href="#main"' in body and '<main id="main"' in body
    assert 'action="/i18n/setlang/"' in body and 'value="en"' in body
    assert 'href="/accounts/login/?next=/home/%3Fnext%3D/"' in body  # signed in: the role's home, else back here
    for path in ("/services/", "/urgent/", "/news/", "/booklet/", "/officer/"):
        assert f'href="{path}"' in body
    assert 'href="tel:88003001234"' in body
    assert "cms/portal.css" in body and "//cdn" not in body and "https://" not in body.split("</head>")[0]


def test_language_switch_to_english_and_back(client, site_tree) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})
    assert response.status_code == 302 and response["Location"] == "/services/"
    body = client.get("/services/").content.decode()
    assert '<html lang="en">' in body and "Sign in" in body and "Hotline" in body
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="ru">' in body and "Войти" in body and "Горячая линия" in body


def test_signed_in_user_sees_sign_out(client, site_tree) -> None:
    user = get_user_model().objects.create_user("coordinator", first_name="Анна", last_name="Смирнова")
    client.force_login(user)
    body = client.get("/").content.decode()
    assert 'action="/accounts/logout/"' in body and "Анна Смирнова" in body
    assert "/accounts/login/" not in body


def test_base_renders_without_any_site(db) -> None:
    from wagtail.models import Site

    Site.objects.all().delete()
    request = RequestFactory().get("/consultations/")
    request.user = get_user_model()()
    html = render_to_string("base.html", {"request": request})
    assert "8-800-300-12-34" in html and "<main" in html


def test_other_apps_can_fill_the_blocks(db) -> None:
    from django.template import engines

    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Т{% endblock %}{% block extra_head %}<meta name="x">'
        '{% endblock %}{% block content %}<p>контент</p>{% endblock %}{% block extra_js %}<script src="/a.js">'
        '</script>{% endblock %}')
    request = RequestFactory().get("/")
    request.user = get_user_model()()
    html = template.render({"request": request}, request)
    assert "<title>Т — " in html and '<meta name="x">' in html and "<p>контент</p>" in html
    assert '<script src="/a.js">' in html
