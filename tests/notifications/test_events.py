"""Told at once, after the commit: a measure assigned, reassigned or cancelled → the organisation's address, its
contacts marked to receive assignments and its staff in-app; an organisation without an address → an audit row
and «организация не уведомлена» for the coordinator; a signal's status → the reporting organisation, the status
only. Opt-outs apply; no message carries personal data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import services as case_services
from portal.cases.models import Measure
from portal.core.mail import deliver_due
from portal.core.models import OutboundMail
from portal.core.viewer import Role
from portal.notifications import selectors, services
from portal.notifications.messages import render
from portal.notifications.models import Channel, Kind, Notification, OptOut
from portal.testing import factories as f
from tests.notifications.world import account, approve, assign, build

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=20)


def _sent_to(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind, channel=Channel.EMAIL).values_list("recipient", flat=True))


def _mail_texts() -> list[str]:
    deliver_due(limit=10_000)
    return [f"{message.subject}\n{message.body}" for message in mail.outbox]


def test_assigned_measure_tells_the_organisation_its_contacts_and_its_staff(
        django_capture_on_commit_callbacks: Any) -> None:
    world = build(registered_on=timezone.localdate() - dt.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        measure = assign(world, "m", deadline=SOON)
    assert _sent_to(Kind.MEASURE_ASSIGNED) == ["mail:kuznetsova@example.org", "mail:school7@example.org",
                                               f"user:{world.partner.pk}"]
    assert Notification.objects.filter(kind=Kind.MEASURE_ASSIGNED, channel=Channel.IN_APP,
                                       user=world.partner).count() == 1
    texts = _mail_texts()
    assert len(texts) == 3
    assert all(world.case.code in text and "Консультация педагога-психолога" in text for text in texts)
    assert all(f"/workspace/measures/{measure.pk}/" in text for text in texts)
    # The job runs again (a retry): nothing is sent twice.
    event = AuditEvent.objects.filter(verb="measure.assign", object_id=str(measure.pk)).get()
    assert services.notify_event(event.pk) == 0
    assert OutboundMail.objects.count() == 3


def test_reassigned_and_cancelled(django_capture_on_commit_callbacks: Any) -> None:
    world = build(registered_on=timezone.localdate() - dt.timedelta(days=10))
    hospital = f.organisation(kind="healthcare", code="hospital-1", name="ЦРБ")
    hospital.email = "crb@example.org"
    hospital.save()
    measure = assign(world, "m", deadline=SOON)
    approve(world)
    with django_capture_on_commit_callbacks(execute=True):
        measure = case_services.reassign_measure(viewer=world.coordinator_viewer, measure_id=measure.pk,
                                                 version=measure.version, organisation_id=hospital.pk,
                                                 reason="Нужен врач")
    assert _sent_to(Kind.MEASURE_ASSIGNED) == ["mail:crb@example.org"]
    assert _sent_to(Kind.MEASURE_WITHDRAWN) == ["mail:kuznetsova@example.org", "mail:school7@example.org",
                                                f"user:{world.partner.pk}"]
    with django_capture_on_commit_callbacks(execute=True):
        case_services.cancel_measure(viewer=world.coordinator_viewer, measure_id=measure.pk,
                                     version=measure.version, reason="Не требуется")
    assert _sent_to(Kind.MEASURE_CANCELLED) == ["mail:crb@example.org"]
    subjects = [text.split("\n")[0] for text in _mail_texts()]
    assert any("отменено" in subject for subject in subjects), subjects


def test_organisation_without_an_address_is_audited_and_shown_to_the_coordinator(
        django_capture_on_commit_callbacks: Any) -> None:
    world = build(registered_on=timezone.localdate() - dt.timedelta(days=10))
    silent = f.organisation(kind="ngo", code="ngo-silent", name="НКО без адреса")
    with django_capture_on_commit_callbacks(execute=True):
        measure = assign(world, "m", deadline=SOON, organisation=silent)
    assert selectors.organisations_not_notified(measure_ids=[measure.pk]) == {measure.pk}
    audit = AuditEvent.objects.get(verb="notification.not_delivered")
    assert audit.object_id == str(measure.pk) and audit.details["organisation"] == silent.pk
    told = Notification.objects.filter(kind=Kind.NOT_NOTIFIED, user=world.coordinator)
    assert sorted(told.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.IN_APP]
    assert "не уведомлен" in render(Kind.NOT_NOTIFIED, told.first().params).subject
    # A measure of an organisation with an address is not flagged.
    with django_capture_on_commit_callbacks(execute=True):
        other = assign(world, "n", deadline=SOON)
    assert selectors.organisations_not_notified(measure_ids=[measure.pk, other.pk]) == {measure.pk}
    # The coordinator sees it on the case card, next to that measure only.
    Group.objects.get(name="coordinator").permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(world.coordinator)
    card = client.get(f"/admin/casework/cases/{world.case.pk}/").content.decode()
    flagged = re.findall(r'data-measure-id="(\d+)".*?</tr>', card, flags=re.S)
    rows = dict(zip(flagged, re.findall(r'data-measure-id="\d+"(.*?)</tr>', card, flags=re.S), strict=True))
    assert "организация не уведомлена" in rows[str(measure.pk)]
    assert "организация не уведомлена" not in rows[str(other.pk)]


def test_signal_status_reaches_the_reporting_organisation_without_findings(
        django_capture_on_commit_callbacks: Any) -> None:
    world = build(registered_on=timezone.localdate() - dt.timedelta(days=10))
    coordinator = world.coordinator_viewer
    with django_capture_on_commit_callbacks(execute=True):
        signal = case_services.receive_signal(viewer=coordinator, source="school", summary="Пропуски занятий, "
                                              "Смирнова Ольга Ивановна", reporter_organisation_id=world.school.pk)
        case_services.start_signal_check(viewer=coordinator, signal_id=signal.pk)
        case_services.record_inspection(viewer=coordinator, signal_id=signal.pk, inspected_on=timezone.localdate(),
                                        findings="Долги за ЖКУ у семьи Смирновой", need_circumstances=["debts"])
        case_services.confirm_signal(viewer=coordinator, signal_id=signal.pk)
    statuses = [row.params["status"] for row in Notification.objects.filter(
        kind=Kind.SIGNAL_STATUS, recipient="mail:school7@example.org").order_by("pk")]
    assert statuses == ["checking", "confirmed"]
    texts = _mail_texts()
    assert texts and all(f"№ {signal.pk}" in text for text in texts)
    for text in texts:
        assert "Смирнов" not in text and "ЖКУ" not in text and "Пропуски" not in text
        assert world.case.code not in text
        assert "/workspace/signals/" in text
    # The school sees its signals' status in its workspace, and nothing of the check.
    client = Client()
    client.force_login(world.partner)
    page = client.get("/workspace/signals/")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(rf'data-signal="{signal.pk}" data-status="confirmed"', html)
    assert "Смирнов" not in html and "ЖКУ" not in html and "Пропуски" not in html
    # Staff have no such page; another partner sees none of the school's signals.
    other = f.organisation(kind="police", code="police-x")
    stranger = account("police", Role.PARTNER, email="police@example.org", organisation=other)
    client.force_login(stranger)
    assert f'data-signal="{signal.pk}"' not in client.get("/workspace/signals/").content.decode()


def test_opt_out_per_kind_and_channel(django_capture_on_commit_callbacks: Any) -> None:
    world = build(registered_on=timezone.localdate() - dt.timedelta(days=10))
    services.set_opt_outs(viewer=world.partner_viewer, opt_outs={(Kind.MEASURE_ASSIGNED, Channel.EMAIL)})
    with django_capture_on_commit_callbacks(execute=True):
        assign(world, "m", deadline=SOON)
    rows = Notification.objects.filter(kind=Kind.MEASURE_ASSIGNED, user=world.partner)
    assert list(rows.values_list("channel", flat=True)) == [Channel.IN_APP]
    assert selectors.unread_count(viewer=world.partner_viewer) == 1
    services.mark_read(viewer=world.partner_viewer)
    assert selectors.unread_count(viewer=world.partner_viewer) == 0
    assert OptOut.objects.filter(user=world.partner).count() == 1
    from portal.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.set_opt_outs(viewer=world.partner_viewer, opt_outs={("no_such_kind", Channel.EMAIL)})


def test_no_message_carries_personal_data(django_capture_on_commit_callbacks: Any) -> None:
    """Every message rendered in both languages is scanned for the family's personal data, including the fields
    shared with the partner and a task that names the family."""
    world = build(registered_on=timezone.localdate() - dt.timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        measure = assign(world, "m", deadline=timezone.localdate() - dt.timedelta(days=25),
                         task="Навестить Смирнову Ольгу Ивановну, тел. +7 912 000-00-00")
        approve(world)
        measure = Measure.objects.get(pk=measure.pk)
        case_services.set_shared_fields(viewer=world.coordinator_viewer, measure_id=measure.pk,
                                        version=measure.version,
                                        fields=["first_name", "last_name", "middle_name", "phone", "address"])
    services.run_daily(timezone.localdate())
    rows = list(Notification.objects.exclude(channel=Channel.NONE))
    assert {row.kind for row in rows} >= {Kind.MEASURE_ASSIGNED, Kind.MEASURE_OVERDUE, Kind.MEASURE_ESCALATED,
                                          Kind.OVERDUE_DIGEST}
    texts = _mail_texts()
    for row in rows:
        for language in ("ru", "en"):
            message = render(row.kind, {**row.params, "link": row.link}, language=language, opt_out=True)
            texts.append(f"{message.subject}\n{message.body}")
    assert texts
    for text in texts:
        for value in world.personal_data:
            assert value not in text, (value, text)


def test_partner_and_role_staff_see_only_their_own_list() -> None:
    world = build()
    Notification.objects.create(key="k", kind=Kind.MEASURE_ASSIGNED, channel=Channel.IN_APP,
                                recipient=f"user:{world.partner.pk}", user=world.partner, day=timezone.localdate(),
                                params={"case": "X", "task": "t", "deadline": "2026-01-01", "organisation": "o"})
    assert selectors.unread_count(viewer=world.partner_viewer) == 1
    assert selectors.unread_count(viewer=world.coordinator_viewer) == 0
    assert world.partner_viewer.has_role(Role.PARTNER)


def test_staff_find_their_notifications_from_the_admin_menu(admin_client: Client) -> None:
    page = admin_client.get("/admin/")
    assert page.status_code == 200
    assert "/notifications/" in page.content.decode()  # the sidebar menu (rendered from JSON)
    listing = admin_client.get("/notifications/")
    assert listing.status_code == 200 and "Уведомлений пока нет." in listing.content.decode()


def test_a_benefactor_stops_the_needs_digest_by_its_link(db: None) -> None:
    from portal.community.models import Benefactor
    from portal.notifications.models import NeedsDigestSubscription
    from portal.territory.models import District

    district = District.objects.create(code="b-district", name="Ленинский район", kind="urban")
    benefactor = Benefactor.objects.create(kind=Benefactor.Kind.INDIVIDUAL, name="Благотворитель",
                                           email="ben@example.org", help_kinds=["material"], district=district,
                                           consent_processing_at=timezone.now(), status=Benefactor.Status.APPROVED)
    NeedsDigestSubscription.objects.create(benefactor=benefactor)
    address = f"/notifications/needs/stop/{services.unsubscribe_token(benefactor.pk)}/"
    client = Client()
    assert "Прекратить письма" in client.get(address).content.decode()  # a link scanner's GET changes nothing
    assert NeedsDigestSubscription.objects.exists()
    assert "больше не будете" in client.post(address).content.decode()
    assert not NeedsDigestSubscription.objects.exists()
    assert client.get(f"/notifications/needs/stop/{benefactor.pk}/").status_code == 404


def test_nothing_is_announced_while_the_demo_loader_captures_mail(django_capture_on_commit_callbacks: Any) -> None:
    from portal.core.mail import capture_mail

    world = build(registered_on=timezone.localdate() - dt.timedelta(days=10))
    with capture_mail(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assign(world, "m", deadline=SOON)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assign(world, "n", deadline=SOON)
    assert Notification.objects.filter(kind=Kind.MEASURE_ASSIGNED).exists()
    assert callbacks is not None
