"""The registries' admin screens over HTTP with staff users: benefactor moderation, needs, offers.

Every action goes through its service; malformed posts (non-numeric ids, unknown actions or filters,
missing objects) get a clear message and a 302/400/404, never a 500."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from portal.community import services
from portal.community.models import Benefactor, Need, Offer
from portal.testing import factories

ADMIN = "/admin/community"


def notes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def editor_client(staff_client: Callable[..., Client]) -> Client:
    return staff_client("editor.reg", "editor")


@pytest.fixture
def pending(place: Any) -> Benefactor:
    return services.sign_up_benefactor(kind="legal_entity", name="Фонд «Добрые руки»", email="fund@example.org",
                                       phone="", help_kinds=["material"], district_id=place["district"].pk,
                                       consent_processing=True, consent_publication=True,
                                       contact_person="Васильева Анна")


@pytest.fixture
def coordinator_client(staff_client: Callable[..., Client], place: Any) -> Client:
    return staff_client("coord.reg", "coordinator", place["institution"])


@pytest.fixture
def need_group(make_case: Any) -> list[Any]:
    """Three cases of one institution with a published need each (a group large enough to be shown)."""
    worlds = [make_case() for _ in range(3)]
    for world in worlds:
        services.publish_need(viewer=world.coordinator, case_id=world.case.pk, help_kind="material",
                              urgency="soon", summary="Нужны продукты")
    return worlds


# --- Benefactors ------------------------------------------------------------------------------------

def test_benefactor_is_approved_with_a_partner_organisation(editor_client: Client, pending: Benefactor) -> None:
    listing = editor_client.get(f"{ADMIN}/benefactors/")
    assert listing.status_code == 200 and "Фонд «Добрые руки»" in listing.content.decode()
    org = factories.organisation(kind="ngo", name="Фонд «Добрые руки»")
    url = f"{ADMIN}/benefactors/{pending.pk}/"
    assert editor_client.get(url).status_code == 200
    approved = editor_client.post(url, {"action": "approve", "organisation": org.pk})
    assert approved.status_code == 302 and notes(approved) == ["Готово."]
    pending.refresh_from_db()
    assert pending.status == Benefactor.Status.APPROVED and pending.organisation == org
    assert "Фонд «Добрые руки»" in Client().get("/registry/benefactors/").content.decode()


def test_benefactor_is_rejected_with_a_reason(editor_client: Client, pending: Benefactor) -> None:
    url = f"{ADMIN}/benefactors/{pending.pk}/"
    empty = editor_client.post(url, {"action": "reject", "reason": ""})
    assert empty.status_code == 400 and "Укажите причину." in empty.content.decode()
    rejected = editor_client.post(url, {"action": "reject", "reason": "Не удалось связаться"})
    assert rejected.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Benefactor.Status.REJECTED and pending.rejection_reason == "Не удалось связаться"
    again = editor_client.post(url, {"action": "reject", "reason": "ещё раз"})
    assert again.status_code == 400 and notes(again)


@pytest.mark.parametrize("data", [{"action": "fly"}, {}, {"action": "approve", "organisation": "abc"},
                                  {"action": "approve", "organisation": "\x00"},
                                  {"action": "approve", "organisation": "999999"}])
def test_malformed_benefactor_posts(editor_client: Client, pending: Benefactor, data: dict[str, str]) -> None:
    response = editor_client.post(f"{ADMIN}/benefactors/{pending.pk}/", data)
    assert response.status_code in (302, 400)
    assert Benefactor.objects.get(pk=pending.pk).status == Benefactor.Status.PENDING


def test_only_moderators_see_benefactors(staff_client: Callable[..., Client], pending: Benefactor) -> None:
    officer = staff_client("officer.reg", "officer")
    assert officer.get(f"{ADMIN}/benefactors/{pending.pk}/").status_code == 404


# --- Needs ----------------------------------------------------------------------------------------

def test_coordinator_publishes_and_withdraws_a_need(coordinator_client: Client, make_case: Any,
                                                    need_group: list[Any]) -> None:
    world = make_case()
    page = coordinator_client.get(f"{ADMIN}/needs/")
    assert page.status_code == 200 and world.case.code in page.content.decode()
    bad = coordinator_client.post(f"{ADMIN}/needs/", {"action": "publish", "case": world.case.pk,
                                                      "help_kind": "material", "urgency": "soon",
                                                      "summary": "Позвоните 8-912-345-67-89"})
    assert bad.status_code == 400 and not Need.objects.filter(case=world.case).exists()
    published = coordinator_client.post(f"{ADMIN}/needs/", {"action": "publish", "case": world.case.pk,
                                                            "help_kind": "material", "urgency": "soon",
                                                            "summary": "Нужны продукты"})
    assert published.status_code == 302
    need = Need.objects.get(case=world.case)
    no_reason = coordinator_client.post(f"{ADMIN}/needs/", {"action": "withdraw", "need": need.pk, "reason": ""})
    assert no_reason.status_code == 400 and "Укажите причину снятия с публикации." in notes(no_reason)
    withdrawn = coordinator_client.post(f"{ADMIN}/needs/", {"action": "withdraw", "need": need.pk,
                                                           "reason": "Помощь получена"})
    assert withdrawn.status_code == 302
    need.refresh_from_db()
    assert need.withdrawn_at is not None and need.withdrawn_reason == "Помощь получена"


@pytest.mark.parametrize("need", ["abc", "", "\x00", "1e3", "-1", "99999999999999999999999", "999999"])
def test_withdraw_with_a_bad_need_id_is_a_message_not_a_500(coordinator_client: Client, need_group: list[Any],
                                                            need: str) -> None:
    response = coordinator_client.post(f"{ADMIN}/needs/", {"action": "withdraw", "need": need, "reason": "x"})
    assert response.status_code == 400
    assert notes(response) and Need.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_unknown_needs_action_and_foreign_needs(coordinator_client: Client, staff_client: Callable[..., Client],
                                                need_group: list[Any]) -> None:
    response = coordinator_client.post(f"{ADMIN}/needs/", {"action": "fly"})
    assert response.status_code == 302 and notes(response) == ["Неизвестное действие."]
    stranger = staff_client("coord.other", "coordinator", factories.organisation(kind="social_service"))
    need = Need.objects.first()
    refused = stranger.post(f"{ADMIN}/needs/", {"action": "withdraw", "need": need.pk, "reason": "чужая"})
    assert refused.status_code == 400 and notes(refused)
    assert Need.objects.get(pk=need.pk).withdrawn_at is None


# --- Offers ----------------------------------------------------------------------------------------

def _offer(need_group: list[Any], email: str = "ivan@example.org") -> Offer:
    need = Need.objects.filter(case=need_group[0].case).get()
    return services.offer_help(need_id=need.pk, name="Иван Петров", email=email, phone="", message="Привезу",
                               consent=True)


def test_coordinator_accepts_an_offer(coordinator_client: Client, need_group: list[Any]) -> None:
    offer = _offer(need_group)
    listing = coordinator_client.get(f"{ADMIN}/offers/")
    assert listing.status_code == 200 and "Иван Петров" in listing.content.decode()
    url = f"{ADMIN}/offers/{offer.pk}/"
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    missing = coordinator_client.post(url, {"action": "accept", "task": "", "deadline": deadline})
    assert missing.status_code == 400 and Offer.objects.get(pk=offer.pk).measure is None
    accepted = coordinator_client.post(url, {"action": "accept", "task": "Передать продукты", "deadline": deadline})
    assert accepted.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.measure is not None and offer.benefactor is None
    assert offer.measure.organisation_id == need_group[0].case.institution_id


def test_benefactor_link_needs_an_explicit_confirmed_choice(coordinator_client: Client, editor: Any,
                                                            need_group: list[Any], pending: Benefactor) -> None:
    org = factories.organisation(kind="ngo", name="Фонд «Добрые руки»")
    services.approve_benefactor(viewer=editor, benefactor_id=pending.pk, organisation_id=org.pk)
    offer = _offer(need_group, email="fund@example.org")
    url = f"{ADMIN}/offers/{offer.pk}/"
    page = coordinator_client.get(url).content.decode()
    assert "Непроверенное совпадение" in page and f'data-benefactor="{pending.pk}"' in page
    assert f'<option value="{pending.pk}" selected' not in page  # never pre-selected
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = {"action": "accept", "task": "Продукты", "deadline": deadline, "benefactor": pending.pk}
    unconfirmed = coordinator_client.post(url, data)
    assert unconfirmed.status_code == 400
    assert "кто угодно" in " ".join(unconfirmed.context["accept"].errors["benefactor_confirmed"])
    assert Offer.objects.get(pk=offer.pk).measure is None
    confirmed = coordinator_client.post(url, {**data, "benefactor_confirmed": "on"})
    assert confirmed.status_code == 302
    offer.refresh_from_db()
    assert offer.benefactor_id == pending.pk and offer.measure.organisation_id == org.pk


def test_coordinator_declines_an_offer(coordinator_client: Client, need_group: list[Any]) -> None:
    offer = _offer(need_group)
    url = f"{ADMIN}/offers/{offer.pk}/"
    assert coordinator_client.post(url, {"action": "decline", "reason": ""}).status_code == 400
    declined = coordinator_client.post(url, {"action": "decline", "reason": "Помощь уже получена"})
    assert declined.status_code == 302
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.DECLINED
    late = coordinator_client.post(url, {"action": "decline", "reason": "ещё раз"})
    assert late.status_code == 400 and notes(late)


@pytest.mark.parametrize("data", [{"action": "fly"}, {}, {"action": "accept", "task": "x", "deadline": "abc"},
                                  {"action": "accept", "task": "x", "deadline": "2026-01-01", "benefactor": "abc"},
                                  {"action": "accept", "task": "x\x00", "deadline": "2026-01-01"}])
def test_malformed_offer_posts(coordinator_client: Client, need_group: list[Any], data: dict[str, str]) -> None:
    offer = _offer(need_group)
    response = coordinator_client.post(f"{ADMIN}/offers/{offer.pk}/", data)
    assert response.status_code in (302, 400)
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.NEW


@pytest.mark.parametrize("path", ["/benefactors/?status=%00", "/benefactors/?status=nope", "/offers/?status=%00",
                                  "/offers/?status=nope"])
def test_bad_status_filters_show_everything_with_a_message(editor_client: Client, coordinator_client: Client,
                                                           path: str) -> None:
    client = editor_client if path.startswith("/benefactors") else coordinator_client
    response = client.get(f"{ADMIN}{path}")
    assert response.status_code == 200 and notes(response) == ["Неизвестный статус: показано всё."]


@pytest.mark.parametrize("path", ["/benefactors/999999/", "/offers/999999/"])
def test_missing_objects_are_404(editor_client: Client, coordinator_client: Client, path: str) -> None:
    client = editor_client if path.startswith("/benefactors") else coordinator_client
    assert client.get(f"{ADMIN}{path}").status_code == 404
    assert client.post(f"{ADMIN}{path}", {"action": "approve"}).status_code == 404


def _needs_page_queries(client: Client) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{ADMIN}/needs/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_needs_page_makes_a_fixed_number_of_queries(coordinator_client: Client, make_case: Any) -> None:
    """Issue 11, finding 13: the page asked for each case's family and consents (two queries per case, about
    600 at its cap of 300 cases). Now the number of queries does not grow with the number of cases."""
    few = [make_case() for _ in range(2)] + [make_case(publication=False)]
    small, html = _needs_page_queries(coordinator_client)
    assert all(w.case.code in html for w in few[:2]) and few[2].case.code not in html
    many = [make_case() for _ in range(8)] + [make_case(publication=False) for _ in range(2)]
    for world in many[:3]:
        services.publish_need(viewer=world.coordinator, case_id=world.case.pk, help_kind="material",
                              urgency="soon", summary="Нужны продукты")
    large, html = _needs_page_queries(coordinator_client)
    assert all(w.case.code in html for w in many[:8]) and not any(w.case.code in html for w in many[8:])
    assert large == small, (small, large)


def test_coordinator_rewrites_what_is_needed(coordinator_client: Client, need_group: list[Any]) -> None:
    """Issue 20: the plain-words description is written when publishing and can be corrected in the admin,
    checked for personal data like at publication, and audited."""
    from portal.audit.models import AuditEvent

    need = Need.objects.filter(case=need_group[0].case).get()
    refused = coordinator_client.post(f"{ADMIN}/needs/", {"action": "describe", "need": need.pk,
                                                          "summary": "Звоните маме: 8 912 345-67-89"})
    assert refused.status_code == 400 and any("персональных данных" in n for n in notes(refused))
    empty = coordinator_client.post(f"{ADMIN}/needs/", {"action": "describe", "need": need.pk, "summary": " "})
    assert empty.status_code == 400 and "Опишите простыми словами, что нужно." in notes(empty)
    assert Need.objects.get(pk=need.pk).summary == "Нужны продукты"
    saved = coordinator_client.post(f"{ADMIN}/needs/", {"action": "describe", "need": need.pk,
                                                        "summary": "Нужны крупы, масло и детское питание"})
    assert saved.status_code == 302
    assert Need.objects.get(pk=need.pk).summary == "Нужны крупы, масло и детское питание"
    event = AuditEvent.objects.filter(verb="need.describe", object_id=str(need.pk)).get()
    assert event.changes["summary"] == ["Нужны продукты", "Нужны крупы, масло и детское питание"]
    page = coordinator_client.get(f"{ADMIN}/needs/").content.decode()
    assert "Нужны крупы, масло и детское питание" in page
    public = Client().get("/registry/needs/").content.decode()
    assert "Нужны крупы, масло и детское питание" in public
