"""Issue 11 finding 11 (Django side): the local emergency sign-in at /admin/login/ is throttled by django-axes;
a lockout is audited; single sign-on is not affected."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?local=1"


@pytest.fixture
def superuser() -> object:
    return get_user_model().objects.create_superuser("emergency", "root@example.org", "the-right-one-42")


def _attempt(client: Client, password: str, username: str = "emergency") -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def test_admin_login_is_locked_after_wrong_passwords(superuser: object, settings: object) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    answers = [_attempt(attacker, f"guess-{n}").status_code for n in range(100)]
    assert answers[:4] == [200] * 4  # the form again, with an error
    assert set(answers[4:]) == {429}  # the 5th wrong password locks (LOGIN_FAILURE_LIMIT)
    refused = _attempt(attacker, "the-right-one-42")
    assert refused.status_code == 429 and "_auth_user_id" not in attacker.session  # before: signed in
    assert refused["Retry-After"] == str(15 * 60)
    assert "Слишком много неудачных попыток входа" in refused.content.decode()
    assert AuditEvent.objects.filter(verb="sign_in_locked_out", details__username="emergency").exists()
    # the lockout is for this username from this address: the owner elsewhere still signs in
    owner = Client(REMOTE_ADDR="198.51.100.20")
    signed_in = _attempt(owner, "the-right-one-42")
    assert signed_in.status_code == 302 and "_auth_user_id" in owner.session


def test_success_resets_the_count(superuser: object) -> None:
    client = Client(REMOTE_ADDR="203.0.113.8")
    for n in range(4):
        assert _attempt(client, f"typo-{n}").status_code == 200
    assert _attempt(client, "the-right-one-42").status_code == 302
    client.logout()
    for n in range(4):
        assert _attempt(client, f"typo-again-{n}").status_code == 200
    assert _attempt(client, "the-right-one-42").status_code == 302


def test_settings_use_the_axes_backend_first(settings: object) -> None:
    from django.conf import settings as conf

    assert conf.AUTHENTICATION_BACKENDS[0] == "identity.backends.LocalSignInThrottle"
    assert conf.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
