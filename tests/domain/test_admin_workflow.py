"""Lifecycle actions in the Wagtail admin go through the services: rules, scope, conflicts, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.utils import timezone

from portal.accounts.models import StaffProfile
from portal.audit.models import AuditEvent
from portal.cases.models import Case, Measure
from portal.partners.models import Organisation
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


def _coordinator_client(institution: Organisation) -> Client:
    user = User.objects.create_user(f"coord-{institution.code}", password="x")
    group, _ = Group.objects.get_or_create(name="coordinator")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=institution, subject=f"sub-{user.username}")
    client = Client()
    client.force_login(user)
    return client


def _url(kind: str, pk: int, action: str) -> str:
    return f"/admin/cases-workflow/{kind}/{pk}/{action}/"


def test_programme_approval_and_measure_through_the_admin() -> None:
    world = f.registered_case()
    school = f.organisation(kind="school", code="school-admin-wf")
    client = _coordinator_client(world.institution)

    page = client.get(f"/admin/cases/inspect/{world.case.pk}/", follow=True)  # → the case card
    assert page.status_code == 200
    # Approval needs a measure first: the card says why instead of offering it.
    body = page.content.decode()
    assert "Add at least one measure" in body or "добавьте хотя бы одно мероприятие" in body
    assert f"/admin/casework/do/case/{world.case.pk}/measure/" in page.content.decode()

    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    added = client.post(_url("case", world.case.pk, "measure"), {
        "task": "Консультация психолога", "kind": "psychological", "deadline": deadline,
        "organisation": school.pk, "content": "", "place": "", "responsible_person": ""})
    assert added.status_code == 302, added.content.decode()[:3000]
    measure = Measure.objects.get(case=world.case)
    assert measure.organisation == school
    assert AuditEvent.objects.filter(object_type="cases.measure", object_id=str(measure.pk)).exists()

    approved = client.post(_url("case", world.case.pk, "approve"), {
        "decided_on": world.case.registered_on.isoformat(), "protocol_number": "7/2026",
        "participants": "Куратор, участковый", "started_on": "", "term_months": 6})
    assert approved.status_code == 302, approved.content.decode()[:3000]
    world.case.refresh_from_db()
    assert world.case.status in (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS)


def test_refused_transition_is_a_form_error_and_changes_nothing() -> None:
    world, _measure = f.approved_case_with_measure(partner_org=f.organisation(kind="school", code="school-open"))
    client = _coordinator_client(world.institution)
    # Closing a case with a measure still open is refused by the service.
    response = client.post(_url("case", world.case.pk, "close"), {
        "closed_on": timezone.localdate().isoformat(), "outcome": "resolved", "results": "Итоги",
        "recommendations": "Рекомендации", "version": world.case.version})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    world.case.refresh_from_db()
    assert world.case.status != Case.Status.CLOSED

    # Bad input (term longer than 6 months, missing protocol) → field errors, nothing saved.
    fresh = f.registered_case(institution=world.institution)
    bad = client.post(_url("case", fresh.case.pk, "approve"), {
        "decided_on": "not a date", "protocol_number": "", "participants": "x", "term_months": 9})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) >= {"decided_on", "protocol_number", "term_months"}
    fresh.case.refresh_from_db()
    assert fresh.case.status == Case.Status.REGISTERED


def test_stale_version_is_reported_as_a_conflict() -> None:
    school = f.organisation(kind="school", code="school-conflict")
    world, measure = f.approved_case_with_measure(partner_org=school)
    client = _coordinator_client(world.institution)
    response = client.post(_url("measure", measure.pk, "cancel"), {"reason": "Дубль", "version": measure.version - 1
                                                                   if measure.version > 1 else 99})
    assert response.status_code == 200
    assert "changed" in response.content.decode() or "изменил" in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == Measure.Status.ASSIGNED

    ok = client.post(_url("measure", measure.pk, "cancel"), {"reason": "Дубль", "version": measure.version})
    assert ok.status_code == 302
    measure.refresh_from_db()
    assert measure.status == Measure.Status.CANCELLED and measure.cancel_reason == "Дубль"


def test_other_institutions_cases_are_out_of_reach() -> None:
    mine = f.registered_case()
    other = f.registered_case()
    client = _coordinator_client(mine.institution)
    assert client.get(_url("case", other.case.pk, "approve")).status_code == 404
    assert client.post(_url("case", other.case.pk, "approve"), {
        "decided_on": other.case.registered_on.isoformat(), "protocol_number": "1", "participants": "x",
        "term_months": 6}).status_code == 404
    other.case.refresh_from_db()
    assert other.case.status == Case.Status.REGISTERED
    assert client.get(_url("case", mine.case.pk, "no-such-action")).status_code == 404


def test_list_filters_overdue_and_review_due() -> None:
    school = f.organisation(kind="school", code="school-filters")
    world, late = f.approved_case_with_measure(partner_org=school)
    _world, timely = f.approved_case_with_measure(partner_org=school, world=world,
                                                  deadline=timezone.localdate() + dt.timedelta(days=60))
    Measure.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    late.refresh_from_db()
    client = _coordinator_client(world.institution)
    overdue = client.get("/admin/measures/?overdue=true")
    assert overdue.status_code == 200
    rows = list(overdue.context["object_list"])
    assert late in rows and timely not in rows
    not_overdue = list(client.get("/admin/measures/?overdue=false").context["object_list"])
    assert timely in not_overdue and late not in not_overdue

    Case.objects.filter(pk=world.case.pk).update(review_due_on=timezone.localdate() - dt.timedelta(days=1))
    other = f.registered_case(institution=world.institution)
    due = list(client.get("/admin/cases/?review_due=true").context["object_list"])
    assert world.case in due and other.case not in due
    by_district = list(client.get(f"/admin/cases/?district={other.precinct.district_id}").context["object_list"])
    assert other.case in by_district and world.case not in by_district
