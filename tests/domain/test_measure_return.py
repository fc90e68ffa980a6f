"""Coded facts of not providing help (issue 16, item 1): not fulfilled needs a reason code (a comment for
«other»); a partner returns a measure it cannot take (возвращено), allowed from assigned or accepted only, refused
to other roles; the coordinator reassigns or cancels it and cannot close the case while it waits; the ledger
counts the return by its code and the coordinator's digest lists it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.cases import services as s
from portal.cases.models import Case, Measure
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.notifications import services as notifications
from portal.notifications.messages import render
from portal.notifications.models import Channel, Kind, Notification
from portal.reports.models import LedgerEvent
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_not_fulfilled_needs_a_reason_code_and_a_comment_for_other() -> None:
    school = f.organisation(kind="school")
    _world, measure = f.approved_case_with_measure(partner_org=school)
    partner = f.partner(school)
    with pytest.raises(ValidationFailed) as no_code:
        s.report_measure_not_fulfilled(viewer=partner, measure_id=measure.pk, version=measure.version,
                                       reason_code="", reason="Семья переехала")
    assert no_code.value.field == "reason_code"
    with pytest.raises(ValidationFailed) as unknown:
        s.report_measure_not_fulfilled(viewer=partner, measure_id=measure.pk, version=measure.version,
                                       reason_code="bored")
    assert unknown.value.field == "reason_code"
    with translation.override("ru"), pytest.raises(ValidationFailed) as other:
        s.report_measure_not_fulfilled(viewer=partner, measure_id=measure.pk, version=measure.version,
                                       reason_code="other", reason="  ")
    assert other.value.field == "reason" and str(other.value) == "Поясните причину «другое»."
    done = s.report_measure_not_fulfilled(viewer=partner, measure_id=measure.pk, version=measure.version,
                                          reason_code="recipient_refused")
    assert (done.status, done.not_fulfilled_code, done.not_fulfilled_reason) == (
        Measure.Status.NOT_FULFILLED, "recipient_refused", "")
    fact = LedgerEvent.objects.get(measure_id=measure.pk, kind=LedgerEvent.Kind.MEASURE_NOT_FULFILLED)
    assert fact.reason == "recipient_refused"


def test_partner_returns_an_assigned_or_accepted_measure_and_the_coordinator_reassigns_it() -> None:
    school, hospital = f.organisation(kind="school"), f.organisation(kind="healthcare")
    world, measure = f.approved_case_with_measure(partner_org=school)
    partner = f.partner(school)
    with translation.override("ru"), pytest.raises(ValidationFailed) as other:
        s.return_measure(viewer=partner, measure_id=measure.pk, version=measure.version, reason_code="other")
    assert str(other.value) == "Поясните причину «другое»."
    returned = s.return_measure(viewer=partner, measure_id=measure.pk, version=measure.version,
                                reason_code="not_our_profile", reason="Нужен психиатр, у нас его нет")
    assert (returned.status, returned.return_code, returned.is_open) == (Measure.Status.RETURNED,
                                                                         "not_our_profile", False)
    # A return is no report of work: the programme is not put into execution by it.
    assert Case.objects.get(pk=world.case.pk).status == Case.Status.PROGRAMME_APPROVED
    fact = LedgerEvent.objects.get(measure_id=measure.pk, kind=LedgerEvent.Kind.MEASURE_RETURNED)
    assert (fact.reason, fact.organisation_id) == ("not_our_profile", school.pk)
    # No longer the partner's: no report, no second return.
    with pytest.raises(InvalidTransition):
        s.fulfil_measure(viewer=partner, measure_id=measure.pk, version=returned.version, result="x")
    with translation.override("ru"), pytest.raises(InvalidTransition) as again:
        s.return_measure(viewer=partner, measure_id=measure.pk, version=returned.version, reason_code="no_capacity")
    assert "возвращено" in str(again.value)
    # The coordinator cannot close the case while it waits …
    case = Case.objects.get(pk=world.case.pk)
    with translation.override("ru"), pytest.raises(InvalidTransition) as closing:
        s.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version, closed_on=TODAY,
                     outcome="moved", results="Переехали", recommendations="—")
    assert "возвращённых организацией: 1" in str(closing.value)
    # … and reassigns it (to another organisation, or the same one once the obstacle is gone).
    reassigned = s.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=returned.version,
                                    organisation_id=hospital.pk, reason="Профиль ЦРБ")
    assert (reassigned.status, reassigned.organisation_id) == (Measure.Status.ASSIGNED, hospital.pk)
    accepted = s.accept_measure(viewer=f.partner(hospital), measure_id=measure.pk, version=reassigned.version)
    back = s.return_measure(viewer=f.partner(hospital), measure_id=measure.pk, version=accepted.version,
                            reason_code="no_capacity")
    cancelled = s.cancel_measure(viewer=world.coordinator, measure_id=measure.pk, version=back.version,
                                 reason="Не требуется")
    assert cancelled.status == Measure.Status.CANCELLED


def test_return_refused_to_other_roles_and_audited() -> None:
    school, police = f.organisation(kind="school"), f.organisation(kind="police")
    world, measure = f.approved_case_with_measure(partner_org=school)
    with pytest.raises(NotFound):  # another organisation does not even see it
        s.return_measure(viewer=f.partner(police), measure_id=measure.pk, version=measure.version,
                         reason_code="no_capacity")
    with pytest.raises(PermissionDenied):  # the coordinator reassigns; the return is the organisation's
        s.return_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                         reason_code="no_capacity")
    with pytest.raises((PermissionDenied, NotFound)):
        s.return_measure(viewer=f.viewer_with(Role.SUPERVISOR), measure_id=measure.pk, version=measure.version,
                         reason_code="no_capacity")
    assert Measure.objects.get(pk=measure.pk).status == Measure.Status.ASSIGNED
    assert AuditEvent.objects.filter(verb="measure.return", action=AuditEvent.Action.ATTEMPT).count() == 3


def test_the_coordinators_digest_lists_a_return_once() -> None:
    from tests.notifications.world import approve, assign, build

    world = build(registered_on=TODAY - dt.timedelta(days=10))
    measure = assign(world, "m", deadline=TODAY + dt.timedelta(days=20))
    approve(world)
    measure.refresh_from_db()
    s.return_measure(viewer=world.partner_viewer, measure_id=measure.pk, version=measure.version,
                     reason_code="documents_missing")
    notifications.run_coordinator_digests(TODAY)
    digest = Notification.objects.filter(kind=Kind.COORDINATOR_DIGEST, channel=Channel.EMAIL).get()
    assert [item["reason"] for item in digest.params["returned"]] == ["documents_missing"]
    with translation.override("ru"):
        text = render(Kind.COORDINATOR_DIGEST, digest.params, language="ru")
    assert "возвращённые организацией" in text.body and "нет документов" in text.body
    notifications.run_coordinator_digests(TODAY + dt.timedelta(days=1))
    assert Notification.objects.filter(kind=Kind.COORDINATOR_DIGEST, channel=Channel.EMAIL).count() == 1
