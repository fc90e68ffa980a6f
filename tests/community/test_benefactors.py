"""Benefactor sign-up form, moderation and the public list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from portal.audit.models import AuditEvent
from portal.community import selectors, services
from portal.community.models import Benefactor
from portal.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from portal.core.viewer import Viewer
from portal.testing import factories

URL = "/registry/benefactors/"


@pytest.fixture
def district(db: None) -> Any:
    return factories.district(code="b-district", name="Октябрьский район")


def good(where: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "individual", "name": "Сергей Волков", "email": "volkov@example.org",
                            "phone": "", "help_kinds": ["material", "social"], "district": where.pk,
                            "description": "Могу привезти продукты и одежду", "consent_processing": "on",
                            "consent_publication": "on", "website": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("changes, field, message", [
    ({"kind": ""}, "kind", "Укажите, кто вы: физическое или юридическое лицо."),
    ({"kind": "robot"}, "kind", "Укажите, кто вы: физическое или юридическое лицо."),
    ({"name": ""}, "name", "Укажите ваше имя или название организации."),
    ({"email": "volkov@"}, "email", "Укажите правильный адрес электронной почты."),
    ({"email": "", "phone": ""}, "email", "Оставьте адрес почты или телефон, чтобы мы могли с вами связаться."),
    ({"email": "", "phone": "позвоните"}, "phone", "Укажите номер телефона цифрами"),
    ({"help_kinds": None}, "help_kinds", "Выберите хотя бы один вид помощи."),
    ({"help_kinds": ["flying"]}, "help_kinds", "Выберите виды помощи из списка."),
    ({"district": ""}, "district", "Выберите район, в котором можете помогать."),
    ({"description": "Звоните 8-912-345-67-89"}, "description", "Не указывайте телефоны"),
    ({"consent_processing": None}, "consent_processing", "Необходимо ваше согласие на обработку персональных данных."),
])
def test_bad_sign_up_is_refused_with_a_clear_message(district: Any, changes: dict[str, Any], field: str,
                                                     message: str) -> None:
    response = Client().post(URL, good(district, **changes))
    assert response.status_code == 400
    errors = [str(e) for e in response.context["form"].errors[field]]
    assert any(message in e for e in errors), errors
    assert Benefactor.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="community.benefactor").exists()


def test_sign_up_moderation_and_public_list(district: Any, editor: Viewer) -> None:
    client = Client()
    assert client.post(URL, good(district)).status_code == 302
    benefactor = Benefactor.objects.get()
    assert benefactor.status == Benefactor.Status.PENDING
    audit = AuditEvent.objects.get(object_type="community.benefactor", verb="benefactor.sign_up")
    assert audit.changes["email"] == [None, "volkov@example.org"]
    assert "Сергей Волков" not in client.get(URL).content.decode()
    services.approve_benefactor(viewer=editor, benefactor_id=benefactor.pk)
    html = client.get(URL).content.decode()
    assert "Сергей Волков" in html and "volkov@example.org" not in html
    assert list(selectors.public_benefactors(help_kind="material")) == [benefactor]
    assert list(selectors.public_benefactors(help_kind="legal")) == []
    with pytest.raises(InvalidTransition):
        services.approve_benefactor(viewer=editor, benefactor_id=benefactor.pk)
    services.reject_benefactor(viewer=editor, benefactor_id=benefactor.pk, reason="Отозвал заявку")
    assert "Сергей Волков" not in client.get(URL).content.decode()


def test_approved_without_publication_consent_is_not_public(district: Any, editor: Viewer) -> None:
    Client().post(URL, good(district, consent_publication=None))
    benefactor = Benefactor.objects.get()
    services.approve_benefactor(viewer=editor, benefactor_id=benefactor.pk)
    assert list(selectors.public_benefactors()) == []


def test_only_moderators_moderate(district: Any) -> None:
    Client().post(URL, good(district))
    benefactor = Benefactor.objects.get()
    with pytest.raises(PermissionDenied):
        services.approve_benefactor(viewer=Viewer.anonymous(), benefactor_id=benefactor.pk)
    with pytest.raises(ValidationFailed):
        services.reject_benefactor(viewer=Viewer.system(), benefactor_id=benefactor.pk, reason="")
    assert Benefactor.objects.get().status == Benefactor.Status.PENDING


def test_only_a_legal_entity_links_to_a_partner(district: Any, editor: Viewer) -> None:
    Client().post(URL, good(district))
    org = factories.organisation(kind="ngo")
    with pytest.raises(ValidationFailed):
        services.approve_benefactor(viewer=editor, benefactor_id=Benefactor.objects.get().pk, organisation_id=org.pk)
