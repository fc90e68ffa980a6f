"""«I can help» → offer → coordinator notified → measure → fulfilled → the need shows covered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import services as case_services
from portal.cases.models import Case, Measure
from portal.community import selectors, services
from portal.community.models import Benefactor, Offer
from portal.core.errors import InvalidTransition, NotFound, ValidationFailed
from portal.testing import factories


@pytest.fixture
def need_world(make_case: Any) -> Any:
    worlds = [make_case() for _ in range(3)]
    needs = [services.publish_need(viewer=w.coordinator, case_id=w.case.pk, help_kind="material", urgency="soon",
                                   summary="Нужны продукты") for w in worlds]
    return worlds[0], needs[0]


def test_offer_form_validation_and_notice(need_world: Any, django_capture_on_commit_callbacks: Any) -> None:
    world, need = need_world
    url = f"/registry/needs/{need.pk}/help/"
    client = Client()
    bad = client.post(url, {"name": "", "email": "", "phone": "", "consent": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Укажите ваше имя или название организации." in html
    assert "Необходимо ваше согласие на обработку персональных данных." in html
    no_contact = client.post(url, {"name": "Иван", "consent": "on"})
    assert "Оставьте адрес почты или телефон" in no_contact.content.decode()
    assert Offer.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"name": "Иван", "email": "ivan@example.org", "consent": "on", "message": "Привезу"})
    assert ok.status_code == 302
    offer = Offer.objects.get()
    assert offer.need == need and offer.status == Offer.Status.NEW
    assert mail.outbox and "kcson@example.org" in mail.outbox[0].to
    assert list(selectors.offers_for(world.coordinator)) == [offer]
    assert Client().get("/registry/needs/999999/help/").status_code == 404


@pytest.fixture
def need_group(make_case: Any) -> list[tuple[Any, Any]]:
    worlds = [make_case() for _ in range(3)]
    return [(w, services.publish_need(viewer=w.coordinator, case_id=w.case.pk, help_kind="material", urgency="soon",
                                      summary="Нужны продукты")) for w in worlds]


def _offer(need: Any) -> Offer:
    return services.offer_help(need_id=need.pk, name="Иван Петров", email="ivan@example.org", phone="",
                               message="", consent=True)


def _accept(world: Any, offer: Offer) -> Offer:
    return services.accept_offer(viewer=world.coordinator, offer_id=offer.pk, task="Передать продуктовый набор",
                                 deadline=timezone.localdate() + dt.timedelta(days=10))


def _fulfil(world: Any, measure: Measure) -> None:
    world.case = case_services.approve_programme(viewer=world.coordinator, case_id=world.case.pk,
                                                 decided_on=world.case.registered_on, protocol_number="7",
                                                 participants="Куратор")
    measure = Measure.objects.get(pk=measure.pk)
    case_services.fulfil_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                                 result="Набор передан")


def test_offer_becomes_measure_then_covered(need_group: list[tuple[Any, Any]]) -> None:
    world, need = need_group[0]
    assert selectors.public_need(need.pk).status == "open"
    offers = [_offer(n) for _w, n in need_group]
    assert selectors.public_need(need.pk).status == "open"
    accepted = _accept(world, offers[0])
    measure = accepted.measure
    assert measure is not None and accepted.status == Offer.Status.ACCEPTED
    assert measure.organisation_id == world.case.institution_id and measure.responsible_person == "Иван Петров"
    assert measure.kind == "material"
    # Status is shown, so it counts for the k = 3 rule: one need in progress beside two open ones would be
    # singled out (and the two open ones too) — the whole district's material needs leave the registry.
    assert selectors.public_need(need.pk) is None and selectors.public_needs() == []
    with pytest.raises(InvalidTransition):
        services.accept_offer(viewer=world.coordinator, offer_id=accepted.pk, task="ещё",
                              deadline=timezone.localdate())
    measures = [measure] + [_accept(w, o).measure for (w, _n), o in zip(need_group[1:], offers[1:], strict=True)]
    assert {n.status for n in selectors.public_needs()} == {"in_progress"}
    assert len(selectors.public_needs()) == 3
    for (w, _need), m in zip(need_group, measures, strict=True):
        _fulfil(w, m)
    assert selectors.public_need(need.pk).status == "covered"
    html = Client().get("/registry/needs/").content.decode()
    assert html.count("Помощь найдена") == 3 and "закрыта" not in html and "Могу помочь" not in html
    with pytest.raises(InvalidTransition):
        services.offer_help(need_id=need.pk, name="Ещё", email="x@example.org", phone="", message="", consent=True)
    # Issue 20: the offer page of a need whose help is found refuses at once — no form to fill in first.
    page = Client().get(f"/registry/needs/{need.pk}/help/")
    html = page.content.decode()
    assert page.status_code == 200 and "Помощь по этой нужде уже найдена" in html
    assert 'name="consent"' not in html and 'name="email"' not in html and "Нужны продукты" in html
    count = Offer.objects.count()
    late = Client().post(f"/registry/needs/{need.pk}/help/", {"name": "Ещё", "email": "x@example.org",
                                                              "consent": "on"})
    assert late.status_code == 409 and "Помощь по этой нужде уже найдена" in late.content.decode()
    assert Offer.objects.count() == count


def _approved_fund(world: Any, editor: Any) -> tuple[Benefactor, Any]:
    org = factories.organisation(kind="ngo", name="Фонд «Добрые руки»")
    benefactor = services.sign_up_benefactor(kind="legal_entity", name="Фонд «Добрые руки»", email="fund@example.org",
                                             phone="+7 (342) 222-33-44", help_kinds=["material"],
                                             district_id=world.district.pk, consent_processing=True,
                                             consent_publication=True, contact_person="Васильева Анна")
    services.approve_benefactor(viewer=editor, benefactor_id=benefactor.pk, organisation_id=org.pk)
    return Benefactor.objects.get(pk=benefactor.pk), org


def test_legal_entity_partner_gets_the_measure_only_when_the_coordinator_confirms(need_world: Any,
                                                                                   editor: Any) -> None:
    world, need = need_world
    benefactor, org = _approved_fund(world, editor)
    offer = services.offer_help(need_id=need.pk, name="Фонд", email="FUND@example.org", phone="", message="",
                                consent=True)
    assert offer.benefactor is None  # a typed e-mail proves nothing
    assert selectors.unverified_benefactor_matches(offer) == [benefactor]
    with pytest.raises(ValidationFailed) as unconfirmed:
        services.accept_offer(viewer=world.coordinator, offer_id=offer.pk, task="Продуктовый набор",
                              deadline=timezone.localdate() + dt.timedelta(days=5), benefactor_id=benefactor.pk)
    assert unconfirmed.value.field == "benefactor_confirmed"
    assert Offer.objects.get(pk=offer.pk).measure is None
    accepted = services.accept_offer(viewer=world.coordinator, offer_id=offer.pk, task="Продуктовый набор",
                                     deadline=timezone.localdate() + dt.timedelta(days=5),
                                     benefactor_id=benefactor.pk, benefactor_confirmed=True)
    assert accepted.measure.organisation_id == org.pk
    assert accepted.measure.responsible_person == "Васильева Анна"
    assert accepted.benefactor == benefactor
    event = AuditEvent.objects.get(verb="offer.accept", object_id=str(offer.pk))
    assert event.details["benefactor_confirmed"] is True


def test_impostor_with_a_benefactors_email_gets_nothing_of_the_partner(need_world: Any, editor: Any) -> None:
    world, need = need_world
    _benefactor, org = _approved_fund(world, editor)
    offer = services.offer_help(need_id=need.pk, name="Самозванец", email="fund@example.org", phone="",
                                message="Я из фонда", consent=True)
    accepted = services.accept_offer(viewer=world.coordinator, offer_id=offer.pk, task="Продуктовый набор",
                                     deadline=timezone.localdate() + dt.timedelta(days=5))
    assert accepted.measure.organisation_id == world.case.institution_id != org.pk
    assert accepted.measure.responsible_person == "Самозванец" and accepted.benefactor is None


def test_only_approved_benefactors_can_be_linked(need_world: Any) -> None:
    world, need = need_world
    pending = services.sign_up_benefactor(kind="individual", name="Ждёт модерации", email="wait@example.org",
                                          phone="", help_kinds=["material"], district_id=world.district.pk,
                                          consent_processing=True, consent_publication=True)
    offer = services.offer_help(need_id=need.pk, name="Ждёт", email="wait@example.org", phone="", message="",
                                consent=True)
    assert selectors.unverified_benefactor_matches(offer) == []
    with pytest.raises(ValidationFailed) as refused:
        services.accept_offer(viewer=world.coordinator, offer_id=offer.pk, task="Набор",
                              deadline=timezone.localdate(), benefactor_id=pending.pk, benefactor_confirmed=True)
    assert refused.value.field == "benefactor"


def test_phone_match_is_shown_as_unverified_too(need_world: Any, editor: Any) -> None:
    world, need = need_world
    benefactor, _org = _approved_fund(world, editor)
    offer = services.offer_help(need_id=need.pk, name="Фонд", email="", phone="8 342 222 33 44", message="",
                                consent=True)
    assert selectors.unverified_benefactor_matches(offer) == [benefactor]


def test_needs_of_a_closed_case_refuse_offers(need_world: Any) -> None:
    world, need = need_world
    Case.objects.filter(pk=world.case.pk).update(status=Case.Status.CLOSED)
    assert selectors.public_need(need.pk) is None
    with pytest.raises(NotFound):
        services.offer_help(need_id=need.pk, name="Иван", email="ivan@example.org", phone="", message="",
                            consent=True)
    response = Client().post(f"/registry/needs/{need.pk}/help/", {"name": "Иван", "email": "ivan@example.org",
                                                                  "consent": "on"})
    assert response.status_code == 404 and Offer.objects.count() == 0


@override_settings(PUBLIC_FORM_RATE_LIMITS={"offer": (2, 3600)})
def test_honeypot_counts_toward_the_rate_limit(need_world: Any) -> None:
    _world, need = need_world
    url = f"/registry/needs/{need.pk}/help/"
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(2):
        bot = client.post(url, {"name": "Бот", "email": "bot@example.org", "consent": "on", "website": "spam"})
        assert bot.status_code == 302
    person = client.post(url, {"name": "Иван", "email": "ivan@example.org", "consent": "on"})
    assert person.status_code == 429 and Offer.objects.count() == 0


def test_other_coordinator_cannot_accept(need_world: Any) -> None:
    _world, need = need_world
    offer = services.offer_help(need_id=need.pk, name="Иван", email="", phone="+7 912 000-11-22", message="",
                                consent=True)
    stranger = factories.coordinator(factories.organisation(kind="social_service"))
    with pytest.raises(NotFound):
        services.accept_offer(viewer=stranger, offer_id=offer.pk, task="x", deadline=timezone.localdate())
    assert list(selectors.offers_for(stranger)) == []
    assert Offer.objects.get().measure is None
