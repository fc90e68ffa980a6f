"""Full sign-in round trip: Django test client → development realm over HTTP (python-keycloak) → back signed in."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from identity import web
from identity.testing import realm_file_for
from portal.accounts.models import StaffProfile
from portal.testing import factories

# Needs identity-core's token verification and development realm.
pytest.importorskip("identity.keycloak")


class FormParser(HTMLParser):
    """The first <form> of a page: action, method and its inputs' default values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
            self._in_form = True
        elif tag in ("input", "button") and self._in_form and values.get("name"):
            if values.get("type") not in ("submit", "button") or tag == "input":
                self.fields.setdefault(values["name"], values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def realm_login(browser: requests.Session, auth_url: str, username: str, password: str = "demo") -> requests.Response:
    """Fill the development realm's login page like a browser; returns the redirect back to the portal."""
    page = browser.get(auth_url, allow_redirects=False)
    assert page.status_code == 200, page.text[:500]
    assert "Вход" in page.text or "Войти" in page.text  # the realm's login page is in Russian
    form = FormParser()
    form.feed(page.text)
    assert form.action is not None and form.method == "post"
    fields = {key: value for key, value in form.fields.items() if key not in ("username", "password")}
    fields.update({"username": username, "password": password})
    return browser.post(urljoin(page.url, form.action), data=fields, allow_redirects=False)


@pytest.fixture
def devrealm(portal_server: Any, settings: Any, tmp_path: Any) -> Any:
    settings.IDENTITY_DEVREALM_URL = portal_server.url
    settings.KEYCLOAK_URL = ""
    settings.DEVREALM_ISSUER = f"{portal_server.url}/realms/portal"
    settings.KEYCLOAK_REALM_FILE = realm_file_for(tmp_path, portal_server.url, "http://testserver")
    web.reset_clients()
    factories.demo_organisations()
    yield portal_server
    web.reset_clients()


def sign_in(client: Client, browser: requests.Session, username: str, next_url: str = "/accounts/profile/",
            password: str = "demo") -> Any:
    start = client.get("/accounts/login/", {"next": next_url})
    assert start.status_code == 302, start.content[:500]
    back = realm_login(browser, start["Location"], username, password)
    assert back.status_code in (302, 303), back.text[:500]
    location = urlsplit(back.headers["Location"])
    assert location.path == "/accounts/callback/"
    return client.get(location.path, dict(part.split("=", 1) for part in location.query.split("&")))


def test_partner_round_trip(devrealm: Any) -> None:
    client, browser = Client(), requests.Session()
    response = sign_in(client, browser, "partner.school")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    profile = client.get("/accounts/profile/").content.decode()
    assert "Ольга Смирнова" in profile or "Смирнова" in profile
    assert "организация-партнёр" in profile
    user = get_user_model().objects.get(username="partner.school")
    assert not user.is_staff and user.groups.filter(name="partner").exists()
    assert StaffProfile.objects.get(user=user).organisation.code == "school-7"
    tokens = client.session[web.SESSION_TOKENS]
    assert tokens["access_token"] and tokens["refresh_token"] and tokens["id_token"]


def test_coordinator_round_trip_gives_admin_access(devrealm: Any) -> None:
    client, browser = Client(), requests.Session()
    sign_in(client, browser, "coordinator.petrova", next_url="/admin/")
    user = get_user_model().objects.get(username="coordinator.petrova")
    assert user.is_staff and user.has_perm("wagtailadmin.access_admin")
    assert client.get("/admin/").status_code == 200


def test_wrong_password_stays_on_the_realm_page(devrealm: Any) -> None:
    client, browser = Client(), requests.Session()
    start = client.get("/accounts/login/")
    answer = realm_login(browser, start["Location"], "partner.school", "wrong")
    assert answer.status_code in (200, 400, 401)
    assert "_auth_user_id" not in client.session


def test_code_cannot_be_replayed(devrealm: Any) -> None:
    client, browser = Client(), requests.Session()
    start = client.get("/accounts/login/")
    back = urlsplit(realm_login(browser, start["Location"], "partner.police").headers["Location"])
    query = dict(part.split("=", 1) for part in back.query.split("&"))
    assert client.get("/accounts/callback/", query).status_code == 302
    # Same code on a new sign-in attempt (new state): Keycloak refuses the used code → a clear 400.
    other = Client()
    state = urlsplit(other.get("/accounts/login/")["Location"]).query
    new_state = dict(part.split("=", 1) for part in state.split("&"))["state"]
    response = other.get("/accounts/callback/", {"state": new_state, "code": query["code"]})
    assert response.status_code == 400
    assert "Вход не выполнен" in response.content.decode()


def test_refresh_through_the_realm(devrealm: Any) -> None:
    client, browser = Client(), requests.Session()
    sign_in(client, browser, "partner.clinic")
    session = client.session
    old = dict(session[web.SESSION_TOKENS])
    session[web.SESSION_TOKENS] = {**old, "expires_at": 0}
    session.save()
    assert client.get("/accounts/profile/").status_code == 200
    fresh = client.session[web.SESSION_TOKENS]
    assert fresh["access_token"] != old["access_token"] and fresh["expires_at"] > 0


def test_logout_through_the_realm(devrealm: Any) -> None:
    client, browser = Client(), requests.Session()
    sign_in(client, browser, "partner.ngo")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{devrealm.url}/realms/portal/protocol/openid-connect/logout?")
    assert "_auth_user_id" not in client.session
    ended = browser.get(response["Location"], allow_redirects=False)
    assert ended.status_code in (302, 303)
    assert ended.headers["Location"] == "http://testserver/accounts/logged-out/"
    # The realm's session is over: the next sign-in shows the password form again.
    start = client.get("/accounts/login/")
    again = browser.get(start["Location"], allow_redirects=False)
    assert again.status_code == 200 and 'name="password"' in again.text
