"""A benefactor who ticks «send me new needs» on the public sign-up form gets, once approved, a daily digest of
the needs of its district and kinds of help (kind, urgency, number and a link — the public fields only), each
need once; asking for it without an e-mail address is told next to the field, nothing typed lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from portal.cases.models import Consent
from portal.community.models import Benefactor, Need
from portal.notifications.models import Channel, NeedsDigestSubscription, Notification
from portal.notifications.services import run_needs_digests
from tests.notifications.world import build

pytestmark = pytest.mark.django_db
URL = "/registry/benefactors/"


def _form(district_pk: int, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {"kind": "individual", "name": "Сергей Волков", "email": "volkov@example.org",
                               "phone": "", "help_kinds": ["material"], "district": district_pk,
                               "description": "Продукты", "consent_processing": "on", "needs_digest": "on",
                               "website": ""}
    data.update(changes)
    return data


def test_opt_in_on_the_sign_up_form_then_a_digest_of_matching_needs() -> None:
    cache.clear()
    world = build()
    district = world.case.precinct.district
    refused = Client().post(URL, _form(district.pk, email=""))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Укажите адрес электронной почты, чтобы получать новые нужды." in html
    assert "Сергей Волков" in html  # what was typed is kept
    assert not Benefactor.objects.exists()

    assert Client().post(URL, _form(district.pk)).status_code in (200, 302)
    benefactor = Benefactor.objects.get()
    assert NeedsDigestSubscription.objects.filter(benefactor=benefactor).exists()
    consent = Consent.objects.create(person=world.case.applicant, purpose=Consent.Purpose.PUBLICATION,
                                     given_on=timezone.localdate())
    for kind in ("material", "legal"):
        Need.objects.create(case=world.case, category="low_income", district=district, help_kind=kind,
                            urgency="urgent", consent=consent, created_by="coord")
    today = timezone.localdate()
    assert run_needs_digests(today).total == 0  # not approved yet: nothing
    Benefactor.objects.filter(pk=benefactor.pk).update(status=Benefactor.Status.APPROVED)
    assert run_needs_digests(today).total == 1
    row = Notification.objects.get(kind="needs_digest")
    assert (row.channel, row.recipient) == (Channel.EMAIL, "mail:volkov@example.org")
    assert [item["kind"] for item in row.params["items"]] == ["material"]
    assert "/notifications/needs/stop/" in row.mail.body and "материальная" in row.mail.body.lower()
    assert world.case.code not in row.mail.body and "Смирнов" not in row.mail.body
    assert run_needs_digests(today).total == 0
    assert run_needs_digests(today + dt.timedelta(days=1)).total == 0  # each need once
