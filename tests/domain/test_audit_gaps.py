"""Issue 11, finding 4: every refused write leaves an attempt row (not found, role gates, version conflicts), the
implicit case transition on a partner's first report is audited, and every create, edit and delete through the
Wagtail admin's default views of officers, territory and the partner registry leaves a row with before/after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.cases import services as s
from portal.cases.models import Case
from portal.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role
from portal.partners.models import Agreement, Contact, Organisation
from portal.territory.models import District, Officer, Precinct
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _attempts(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, verb=verb).order_by("id"))


def _refused(call: Callable[[], Any], error: type[DomainError], verb: str) -> AuditEvent:
    """The call is refused with `error`, and exactly one attempt row says so."""
    before = len(_attempts(verb))
    with pytest.raises(error) as refused:
        call()
    rows = _attempts(verb)
    assert len(rows) == before + 1, verb
    assert rows[-1].details["refused"] == refused.value.code
    assert rows[-1].details["message"] == refused.value.message
    return rows[-1]


# --- Refusals by not_found and by role gates ---------------------------------------------------------------

def test_not_found_refusals_leave_attempt_rows() -> None:
    mine, other = f.registered_case(), f.registered_case()
    school = f.organisation(kind="school")
    _, measure = f.approved_case_with_measure(partner_org=school, world=mine)
    stranger = f.partner(f.organisation(kind="school"))
    row = _refused(lambda: s.assign_measure(viewer=other.coordinator, case_id=mine.case.pk, task="Чужое",
                                            kind="legal", deadline=TODAY, organisation_id=school.pk),
                   NotFound, "measure.assign")
    assert (row.object_type, row.object_id, row.actor_organisation) == (
        "cases.case", str(mine.case.pk), other.institution.code)
    row = _refused(lambda: s.accept_measure(viewer=stranger, measure_id=measure.pk, version=measure.version),
                   NotFound, "measure.accept")
    assert row.object_id == str(measure.pk) and row.details["arguments"]["version"] == measure.version
    _refused(lambda: s.record_review(viewer=other.coordinator, case_id=mine.case.pk, reviewed_on=TODAY,
                                     findings="Чужое"), NotFound, "case.review")
    _refused(lambda: s.update_person(viewer=other.coordinator, person_id=mine.applicant.pk, phone="1"),
             NotFound, "person.update")
    signal = s.receive_signal(viewer=mine.coordinator, source="hotline", summary="Звонок")
    _refused(lambda: s.start_signal_check(viewer=other.coordinator, signal_id=signal.pk), NotFound, "signal.check")
    _refused(lambda: s.comment_measure(viewer=stranger, measure_id=measure.pk, text="?"), NotFound,
             "measure.comment")


def test_role_gate_refusals_leave_attempt_rows() -> None:
    world = f.registered_case()
    supervisor = f.viewer_with(Role.SUPERVISOR)
    editor = f.viewer_with(Role.EDITOR)
    _refused(lambda: s.create_household(viewer=supervisor, precinct_id=world.precinct.pk, address="ул. Мира, 1"),
             PermissionDenied, "household.create")
    _refused(lambda: s.create_person(viewer=editor, household_id=None, last_name="Ким", first_name="Ли"),
             PermissionDenied, "person.create")
    _refused(lambda: s.receive_signal(viewer=editor, source="hotline", summary="Звонок"),
             PermissionDenied, "signal.receive")
    _refused(lambda: s.extend_case(viewer=supervisor, case_id=world.case.pk, version=world.case.version,
                                   ends_on=TODAY, decided_on=TODAY, protocol_number="1", participants="Все"),
             PermissionDenied, "case.extend")


def test_validation_errors_are_not_attempts() -> None:
    world = f.registered_case()
    before = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count()
    with pytest.raises(ValidationFailed):
        s.create_household(viewer=world.coordinator, precinct_id=world.precinct.pk, address="  ")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT).count() == before


# --- Version conflicts of cases -------------------------------------------------------------------------------

def test_case_version_conflicts_leave_attempt_rows() -> None:
    world, _measure = f.approved_case_with_measure(partner_org=f.organisation(kind="school"))
    case = Case.objects.get(pk=world.case.pk)
    stale = case.version - 1
    row = _refused(lambda: s.extend_case(viewer=world.coordinator, case_id=case.pk, version=stale,
                                         ends_on=case.ends_on + dt.timedelta(days=30), decided_on=TODAY,
                                         protocol_number="8/2026", participants="Куратор"),
                   Conflict, "case.extend")
    assert row.object_id == str(case.pk) and row.details["arguments"]["version"] == stale
    _refused(lambda: s.close_case(viewer=world.coordinator, case_id=case.pk, version=stale, closed_on=TODAY,
                                  outcome="resolved", results="Итог", recommendations="Нет"),
             Conflict, "case.close")
    assert Case.objects.get(pk=case.pk).version == case.version  # nothing changed


# --- The implicit transition on a partner's first report --------------------------------------------------------

def test_first_accept_puts_the_case_under_way_with_an_audit_row() -> None:
    school = f.organisation(kind="school")
    world, measure = f.approved_case_with_measure(partner_org=school)
    case = Case.objects.get(pk=world.case.pk)
    assert case.status == Case.Status.PROGRAMME_APPROVED
    s.accept_measure(viewer=f.partner(school), measure_id=measure.pk, version=measure.version)
    after = Case.objects.get(pk=case.pk)
    assert after.status == Case.Status.IN_PROGRESS and after.version == case.version + 1
    [row] = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), verb="case.under_way")
    assert row.action == AuditEvent.Action.TRANSITION and row.actor_organisation == school.code
    assert row.changes == {"status": ["programme_approved", "in_progress"],
                           "version": [case.version, case.version + 1]}
    assert row.details == {"measure": measure.pk}


# --- Wagtail's default views of officers, territory and the partner registry ------------------------------------

def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))
    return client


def _form(instance: Any, fields: list[str], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, f"{name}_id", None) if hasattr(instance, f"{name}_id") else getattr(instance, name)
        data[name] = "" if value is None else (value.isoformat() if isinstance(value, dt.date) else value)
    data.pop("photo", None)
    return {**data, **changes}


def _rows(model: type[Any], operation: str, pk: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=f"{model._meta.label_lower}.admin_{operation}",
                                          object_id=str(pk)).order_by("id"))


def _edit_and_delete(client: Client, url: str, instance: Any, fields: list[str], **changes: Any) -> AuditEvent:
    """Edit through /admin/<url>/edit/, then delete through /admin/<url>/delete/; both audited."""
    model, pk = type(instance), instance.pk
    edited = client.post(f"/admin/{url}/edit/{pk}/", _form(instance, fields, **changes))
    assert edited.status_code == 302, edited.content.decode()[:3000]
    edit = _rows(model, "edit", pk)[-1]
    for name, value in changes.items():  # (a save may derive more, e.g. a street's normalised name)
        assert edit.changes[name] == [getattr(instance, name), value]
    deleted = client.post(f"/admin/{url}/delete/{pk}/")
    assert deleted.status_code == 302, deleted.content.decode()[:3000]
    assert not model.objects.filter(pk=pk).exists()
    [delete] = _rows(model, "delete", pk)
    assert delete.action == AuditEvent.Action.DELETE
    assert all(after is None for _before, after in delete.changes.values())
    return delete


def test_officer_edits_through_the_admin_are_audited_and_a_new_sign_in_name_unlinks_the_account() -> None:
    client = _admin()
    institution = f.organisation(kind="social_service")
    account = User.objects.create_user("officer.old", password="x")
    created = client.post("/admin/officers/new/", {
        "full_name": "Новикова Ирина", "phone": "", "email": "", "office_address": "", "office_hours": "",
        "username": "officer.old", "institution": institution.pk})
    assert created.status_code == 302, created.content.decode()[:3000]
    officer = Officer.objects.get(username="officer.old")
    [create] = _rows(Officer, "create", officer.pk)
    assert create.changes["username"] == [None, "officer.old"]
    Officer.objects.filter(pk=officer.pk).update(user=account)
    officer.refresh_from_db()
    fields = ["full_name", "phone", "email", "office_address", "office_hours", "username", "institution"]
    edited = client.post(f"/admin/officers/edit/{officer.pk}/", _form(officer, fields, username="officer.new"))
    assert edited.status_code == 302, edited.content.decode()[:3000]
    [edit] = _rows(Officer, "edit", officer.pk)
    assert edit.changes == {"username": ["officer.old", "officer.new"], "user_id": [account.pk, None]}
    assert edit.actor_name == "root"
    officer.refresh_from_db()
    delete = _edit_and_delete(client, "officers", officer, fields, phone="+7 900 000-00-00")
    assert delete.changes["username"] == ["officer.new", None]


def test_territory_edits_and_deletes_through_the_admin_are_audited() -> None:
    client = _admin()
    created = client.post("/admin/districts/new/", {"code": "north", "name": "Северный", "kind": "rural",
                                                     "population": 9000, "centre": ""})
    assert created.status_code == 302, created.content.decode()[:3000]
    district = District.objects.get(code="north")
    assert _rows(District, "create", district.pk)
    street = f.street(district_obj=district, name="Лесная")
    precinct_made = client.post("/admin/precincts/new/", {"district": district.pk, "number": 5, "name": "",
                                                          "population": 100, "officer": ""})
    assert precinct_made.status_code == 302, precinct_made.content.decode()[:3000]
    precinct = Precinct.objects.get(district=district, number=5)
    assert _rows(Precinct, "create", precinct.pk)
    houses = f.address_range(street_obj=street, precinct_obj=precinct, house_from=1, house_to=9)
    _edit_and_delete(client, "address_ranges", houses, ["street", "precinct", "house_from", "house_to", "parity"],
                     house_to=11)
    _edit_and_delete(client, "streets", street, ["district", "settlement", "kind", "name"], name="Лесная-2")
    deleted = client.post(f"/admin/precincts/delete/{precinct.pk}/")
    assert deleted.status_code == 302 and _rows(Precinct, "delete", precinct.pk)
    _edit_and_delete(client, "districts", district, ["code", "name", "kind", "population", "centre"],
                     population=9100)


def test_partner_registry_edits_and_deletes_through_the_admin_are_audited() -> None:
    client = _admin()
    organisation = f.organisation(kind="ngo")
    agreement = Agreement.objects.create(organisation=organisation, number="1", signed_on=dt.date(2026, 1, 1))
    contact = Contact.objects.create(organisation=organisation, full_name="Иванов Иван")
    _edit_and_delete(client, "agreements", agreement, ["organisation", "number", "signed_on", "expires_on",
                                                       "subject"], number="1-А")
    _edit_and_delete(client, "contacts", contact, ["organisation", "full_name", "position", "phone", "email"],
                     position="директор")
    deleted = client.post(f"/admin/organisations/delete/{organisation.pk}/")
    assert deleted.status_code == 302, deleted.content.decode()[:3000]
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    [row] = _rows(Organisation, "delete", organisation.pk)
    assert row.changes["code"] == [organisation.code, None]


def test_admin_workflow_post_outside_the_scope_is_an_attempt() -> None:
    from django.contrib.auth.models import Group, Permission

    from portal.accounts.models import StaffProfile

    mine, other = f.registered_case(), f.registered_case()
    user = User.objects.create_user("coord-other", password="x")
    group, _ = Group.objects.get_or_create(name="coordinator")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=other.institution, subject="sub-coord-other")
    client = Client()
    client.force_login(user)
    answer = client.post(f"/admin/cases-workflow/case/{mine.case.pk}/review/",
                         {"reviewed_on": TODAY.isoformat(), "findings": "Чужое"})
    assert answer.status_code == 404
    [row] = _attempts("admin.case.review")
    assert (row.object_type, row.object_id, row.details["refused"]) == ("cases.case", str(mine.case.pk),
                                                                         "not_found")


def test_admin_changes_refused_by_the_permission_policy_are_attempts() -> None:
    from django.contrib.auth.models import Group, Permission

    from portal.accounts.models import StaffProfile

    world = f.registered_case()
    officer = f.officer(username="officer.kept", institution=world.institution)
    user = User.objects.create_user("coord-policy", password="x")
    group, _ = Group.objects.get_or_create(name="coordinator")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=world.institution, subject="sub-coord-policy")
    client = Client()
    client.force_login(user)
    refused = (302, 403)  # Wagtail answers a refusal with a redirect to the dashboard and a message
    assert client.get(f"/admin/officers/edit/{officer.pk}/").status_code in refused  # looking is no attempt
    assert client.post(f"/admin/officers/edit/{officer.pk}/", {"full_name": "X", "username": "mine"}).status_code in (
        refused)
    assert client.post(f"/admin/cases/delete/{world.case.pk}/").status_code in refused
    assert Officer.objects.get(pk=officer.pk).username == "officer.kept" and Case.objects.filter(pk=world.case.pk)
    rows = AuditEvent.objects.filter(action=AuditEvent.Action.ATTEMPT, actor_name="coord-policy").order_by("id")
    assert [(row.verb, row.object_id, row.details["refused"]) for row in rows] == [
        ("territory.officer.admin_edit", str(officer.pk), "forbidden"),
        ("cases.case.admin_delete", str(world.case.pk), "forbidden")]
