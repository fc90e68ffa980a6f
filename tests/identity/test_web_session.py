"""The single sign-on session: token refresh by the middleware, sign-out, the request's Viewer."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from keycloak.exceptions import KeycloakConnectionError, KeycloakPostError

from identity import web
from identity.accounts import apply_roles
from portal.core.viewer import Role

pytestmark = pytest.mark.django_db

END_SESSION = "http://sso.test/realms/portal/protocol/openid-connect/logout"


class FakeProvider:
    client_id = "portal-web"

    def __init__(self) -> None:
        self.refresh_calls: list[str] = []
        self.refresh_error: Exception | None = None
        self.logout_calls: list[str] = []

    def well_known(self) -> dict[str, Any]:
        return {"issuer": "http://sso.test/realms/portal", "end_session_endpoint": END_SESSION}

    def refresh_token(self, refresh_token: str) -> dict[str, Any]:
        self.refresh_calls.append(refresh_token)
        if self.refresh_error:
            raise self.refresh_error
        return {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": 300,
                "refresh_expires_in": 1800}

    def logout(self, refresh_token: str) -> dict[str, Any]:
        self.logout_calls.append(refresh_token)
        return {}


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch, settings: Any) -> FakeProvider:
    fake = FakeProvider()
    settings.KEYCLOAK_URL = "http://sso.test"  # a Keycloak: the browser goes to its own addresses
    monkeypatch.setattr(web, "openid_client", lambda: fake)
    return fake


@pytest.fixture
def signed_in(client: Client) -> Client:
    user = get_user_model().objects.create_user("partner.school", first_name="Ольга", last_name="Смирнова")
    apply_roles(user=user, roles=[Role.PARTNER], organisation=None)
    client.force_login(user, backend="identity.backends.KeycloakBackend")
    return client


def _set_tokens(client: Client, *, expires_in: float, refresh_expires_in: float = 1800, id_token: str = "id-1") -> None:
    session = client.session
    now = time.time()
    session[web.SESSION_TOKENS] = {"access_token": "access-1", "refresh_token": "refresh-1", "id_token": id_token,
                                   "expires_at": now + expires_in,
                                   "refresh_expires_at": now + refresh_expires_in if refresh_expires_in else 0}
    session.save()


def test_fresh_token_is_not_refreshed(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=600)
    assert signed_in.get("/accounts/logged-out/").status_code == 200
    assert provider.refresh_calls == []
    assert signed_in.session[web.SESSION_TOKENS]["access_token"] == "access-1"


def test_token_near_expiry_is_refreshed(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=10)
    assert signed_in.get("/accounts/logged-out/").status_code == 200
    assert provider.refresh_calls == ["refresh-1"]
    tokens = signed_in.session[web.SESSION_TOKENS]
    assert (tokens["access_token"], tokens["refresh_token"], tokens["id_token"]) == ("access-2", "refresh-2", "id-1")
    assert tokens["expires_at"] > time.time() + 200
    assert "_auth_user_id" in signed_in.session


def test_refused_refresh_signs_out_cleanly(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=-5)
    provider.refresh_error = KeycloakPostError(error_message="invalid_grant", response_code=400)
    response = signed_in.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in signed_in.session
    assert web.SESSION_TOKENS not in signed_in.session


def test_expired_refresh_token_signs_out_without_calling_keycloak(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=-5, refresh_expires_in=-1)
    signed_in.get("/accounts/logged-out/")
    assert provider.refresh_calls == []
    assert "_auth_user_id" not in signed_in.session


def test_unreachable_keycloak_keeps_a_still_valid_session(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=20)
    provider.refresh_error = KeycloakConnectionError("Can't connect to server")
    signed_in.get("/accounts/logged-out/")
    assert provider.refresh_calls == ["refresh-1"]
    assert "_auth_user_id" in signed_in.session


def test_logout_ends_the_keycloak_session_with_id_token_hint(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=600, id_token="the-id-token")
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == END_SESSION
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query == {"id_token_hint": "the-id-token", "client_id": "portal-web",
                     "post_logout_redirect_uri": "http://testserver/accounts/logged-out/"}
    assert "_auth_user_id" not in signed_in.session
    assert web.SESSION_TOKENS not in signed_in.session


def test_logout_needs_post(signed_in: Client, provider: FakeProvider) -> None:
    _set_tokens(signed_in, expires_in=600)
    response = signed_in.get("/accounts/logout/")
    assert response.status_code == 200 and "Выйти" in response.content.decode()
    assert "_auth_user_id" in signed_in.session


def test_local_session_logout_goes_to_the_signed_out_page(client: Client, provider: FakeProvider) -> None:
    user = get_user_model().objects.create_superuser("root", password="x-very-secret-1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/accounts/logout/")
    assert response["Location"] == "http://testserver/accounts/logged-out/"
    assert "_auth_user_id" not in client.session


def test_viewer_and_token_of_a_local_session(client: Client) -> None:
    user = get_user_model().objects.create_user("editor.local", first_name="Юлия", last_name="Лебедева")
    apply_roles(user=user, roles=[Role.EDITOR], organisation=None)
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    viewer = web.viewer_for_request(request)
    assert viewer.roles == frozenset({Role.EDITOR}) and viewer.user_id == user.pk
    assert viewer.display_name == "Юлия Лебедева"
    assert web.access_token_for(request) is None


def test_anonymous_request() -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = Client().session
    assert web.viewer_for_request(request).is_anonymous
    assert web.access_token_for(request) is None


def test_access_token_for_a_signed_in_session(signed_in: Client) -> None:
    _set_tokens(signed_in, expires_in=600)
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="partner.school")
    request.session = signed_in.session
    assert web.access_token_for(request) == "access-1"
    _set_tokens(signed_in, expires_in=-1)
    request.session = signed_in.session
    assert web.access_token_for(request) is None


def test_signed_in_user_on_the_login_page_gets_no_redirect_loop(client: Client, provider: FakeProvider) -> None:
    user = get_user_model().objects.create_user("partner.x", first_name="Анна", last_name="В")
    apply_roles(user=user, roles=[Role.PARTNER], organisation=None)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/accounts/login/", {"next": "/admin/"})
    assert response.status_code == 200
    assert "Войти под другой учётной записью" in response.content.decode()
