"""Publishing needs from cases: consent, scoping, anonymisation and rare-combination suppression."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import services as case_services
from portal.cases.models import Case, Consent
from portal.community import selectors, services
from portal.community.models import Need
from portal.core.errors import InvalidTransition, NotFound, ValidationFailed
from portal.testing import factories
from search.models import OutboxEntry


def publish(world: Any, help_kind: str = "material", summary: str = "Нужна зимняя одежда для детей") -> Need:
    return services.publish_need(viewer=world.coordinator, case_id=world.case.pk, help_kind=help_kind,
                                 urgency="urgent", summary=summary)


def test_a_need_says_what_is_needed(make_case: Any) -> None:
    """Issue 20: publishing asks for the plain-words description; the error names what was found."""
    world = make_case()
    for empty in ("", "   "):
        with pytest.raises(ValidationFailed) as refused:
            publish(world, summary=empty)
        assert refused.value.field == "summary" and "что нужно" in str(refused.value.message)
    with pytest.raises(ValidationFailed) as refused:
        publish(world, summary="Нужна куртка, звоните 8 912 345-67-89")
    assert "8 912 345-67-89" in str(refused.value.message) and "телефон" in str(refused.value.message)
    assert Need.objects.count() == 0


def test_publication_needs_the_familys_consent(make_case: Any) -> None:
    without = make_case(publication=False)
    with pytest.raises(InvalidTransition):
        publish(without)
    world = make_case()
    consent = Consent.objects.get(person=world.applicant, purpose=Consent.Purpose.PUBLICATION)
    case_services.withdraw_consent(viewer=world.coordinator, consent_id=consent.pk,
                                   withdrawn_on=timezone.localdate())
    with pytest.raises(InvalidTransition):
        publish(world)
    assert Need.objects.count() == 0


def test_withdrawn_consent_hides_a_published_need(make_case: Any) -> None:
    worlds = [make_case() for _ in range(3)]
    needs = [publish(w) for w in worlds]
    assert len(selectors.public_needs()) == 3
    consent = Consent.objects.get(person=worlds[0].applicant, purpose=Consent.Purpose.PUBLICATION)
    case_services.withdraw_consent(viewer=worlds[0].coordinator, consent_id=consent.pk,
                                   withdrawn_on=timezone.localdate() - dt.timedelta(days=0))
    shown = {n.id for n in selectors.public_needs(today=timezone.localdate() + dt.timedelta(days=1))}
    assert needs[0].pk not in shown


def test_other_institutions_coordinator_cannot_publish(make_case: Any) -> None:
    world = make_case()
    stranger = factories.coordinator(factories.organisation(kind="social_service"))
    with pytest.raises(NotFound):
        services.publish_need(viewer=stranger, case_id=world.case.pk, help_kind="material", urgency="soon",
                              summary="")
    attempt = AuditEvent.objects.get(action=AuditEvent.Action.ATTEMPT, verb="need.publish")
    assert attempt.object_id == str(world.case.pk) and attempt.details["refused"] == "not_found"


@pytest.mark.parametrize("summary", [
    "Позвоните маме 8-912-345-67-89", "Живут на ул. Ленина, д. 5", "Ребёнку 7 лет нужна куртка",
    "Родился 12.05.2019", "Смирновой нужна помощь", "Ольге нужен холодильник",
    # The portal's personal-data detector (portal.core.personal_data), as for consultation answers:
    "Пишите в телеграм @mama_olya", "Паспорт 4510 123456", "СНИЛС 112-233-445 95", "Живут в д. Сосновка, 12",
    "Иванова Мария Петровна просит помощи", "Пишите: ivanova(собака)mail.ru",
])
def test_summary_with_personal_data_is_refused(make_case: Any, summary: str) -> None:
    world = make_case()
    with pytest.raises(ValidationFailed) as refused:
        publish(world, summary=summary)
    assert refused.value.field == "summary"
    assert Need.objects.count() == 0


def test_rare_combinations_are_suppressed(make_case: Any) -> None:
    first, second = make_case(), make_case()
    publish(first)
    publish(second)
    assert selectors.public_needs() == []
    assert selectors.public_need(Need.objects.first().pk) is None
    publish(make_case())
    shown = selectors.public_needs()
    assert len(shown) == 3
    assert {n.category for n in shown} == {"low_income"} and not any(n.coarsened for n in shown)
    assert OutboxEntry.objects.filter(kind="need").exists()


def test_rare_categories_are_coarsened_when_the_group_is_large_enough(make_case: Any) -> None:
    publish(make_case(categories=["low_income"]))
    publish(make_case(categories=["large_family"]))
    publish(make_case(categories=["disabled_child"]))
    shown = selectors.public_needs()
    assert len(shown) == 3
    assert {n.category for n in shown} == {"families"} and all(n.coarsened for n in shown)
    assert {n.category_label for n in shown} == {"семья с детьми"}


def test_exact_group_shown_and_a_lone_rest_suppressed(make_case: Any) -> None:
    for _ in range(3):
        publish(make_case(categories=["low_income"]))
    lone = publish(make_case(categories=["large_family"]))
    shown = selectors.public_needs()
    assert len(shown) == 3 and lone.pk not in {n.id for n in shown}


def test_public_needs_page_shows_no_personal_data(make_case: Any) -> None:
    worlds = [make_case() for _ in range(3)]
    for w in worlds:
        publish(w)
    html = Client().get("/registry/needs/").content.decode()
    assert html.count('class="card registry-item need"') == 3
    assert "Нужна зимняя одежда для детей" in html and "Ленинский район" in html
    for w in worlds:
        for secret in (w.applicant.last_name, w.applicant.first_name, w.applicant.phone, "ул. Ленина, д. 5",
                       w.case.code, "1990"):
            assert secret not in html


def test_needs_of_a_closed_case_leave_the_registry_and_search(make_case: Any) -> None:
    worlds = [make_case() for _ in range(4)]
    needs = [publish(w) for w in worlds]
    assert len(selectors.public_needs()) == 4
    OutboxEntry.objects.all().delete()
    closing = worlds[0]
    case = case_services.close_case(viewer=closing.coordinator, case_id=closing.case.pk,
                                    version=Case.objects.get(pk=closing.case.pk).version,
                                    closed_on=timezone.localdate(), outcome=Case.Outcome.values[0],
                                    results="Трудная жизненная ситуация преодолена", recommendations="Нет")
    assert case.status == Case.Status.CLOSED
    shown = {n.id for n in selectors.public_needs()}
    assert needs[0].pk not in shown and len(shown) == 3
    assert selectors.public_need(needs[0].pk) is None
    assert Client().get(f"/registry/needs/{needs[0].pk}/help/").status_code == 404
    # The closed case's need and the rest of its group are re-indexed (the search drops it).
    queued = set(OutboxEntry.objects.filter(kind="need").values_list("object_id", flat=True))
    assert {str(n.pk) for n in needs} <= queued
    from portal.community.search_documents import need_document, need_ids

    assert need_document(needs[0].pk) is None and needs[0].pk not in need_ids()


def test_withdrawn_consent_queues_the_need_for_search(make_case: Any) -> None:
    worlds = [make_case() for _ in range(3)]
    needs = [publish(w) for w in worlds]
    OutboxEntry.objects.all().delete()
    consent = Consent.objects.get(person=worlds[0].applicant, purpose=Consent.Purpose.PUBLICATION)
    case_services.withdraw_consent(viewer=worlds[0].coordinator, consent_id=consent.pk,
                                   withdrawn_on=timezone.localdate())
    queued = set(OutboxEntry.objects.filter(kind="need").values_list("object_id", flat=True))
    assert str(needs[0].pk) in queued


def test_coarsened_needs_still_say_what_is_needed(make_case: Any) -> None:
    """Issue 20: every card says in plain words what is needed, also when its category is coarsened (the
    description is written for the public and checked for personal data; it is not a quasi-identifier)."""
    publish(make_case(categories=["low_income"]), summary="Нужна стиральная машина")
    publish(make_case(categories=["large_family"]), summary="Нужна детская кроватка")
    publish(make_case(categories=["disabled_child"]), summary="Нужна прогулочная коляска")
    shown = selectors.public_needs()
    assert len(shown) == 3 and all(n.coarsened for n in shown)
    assert {n.summary for n in shown} == {"Нужна стиральная машина", "Нужна детская кроватка",
                                          "Нужна прогулочная коляска"}
    html = Client().get("/registry/needs/").content.decode()
    assert "стиральная машина" in html and "коляска" in html
    from portal.community.search_documents import need_document

    assert {need_document(n.id)["text"] for n in shown} == {n.summary for n in shown}
