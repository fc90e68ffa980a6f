from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from portal.accounts.models import StaffProfile
from portal.audit.models import AuditEvent
from portal.partners.models import Organisation
from portal.testing import factories as f

pytestmark = pytest.mark.django_db


def _staff(username: str, role: str, organisation: Organisation | None = None) -> User:
    user = User.objects.create_user(username, password="x")
    group, _ = Group.objects.get_or_create(name=role)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"sub-{username}")
    return user


def test_coordinator_lists_only_own_institution_cases() -> None:
    north = f.registered_case()
    south = f.registered_case()
    client = Client()
    client.force_login(_staff("coord", "coordinator", north.institution))
    page = client.get("/admin/cases/")
    assert page.status_code == 200
    body = page.content.decode()
    assert north.case.code in body and south.case.code not in body
    # The registry's inspect page opens the case card of the workspace; another institution's case is not found.
    opened = client.get(f"/admin/cases/inspect/{north.case.pk}/", follow=True)
    assert opened.status_code == 200 and opened.redirect_chain[-1][0] == f"/admin/casework/cases/{north.case.pk}/"
    assert client.get(f"/admin/cases/inspect/{south.case.pk}/").status_code == 404
    assert client.get(f"/admin/casework/cases/{south.case.pk}/").status_code == 404
    # Read-only: no editing of a case outside the workflow.
    assert client.get(f"/admin/cases/edit/{north.case.pk}/").status_code in (302, 403)


def test_organisation_form_goes_through_the_service() -> None:
    admin = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(admin)
    data = {"code": "ngo-new", "name": "Фонд «Новый»", "short_name": "", "kind": "ngo", "district": "",
            "address": "", "phone": "", "email": "", "website": "", "description": "", "help_kinds": '["social"]',
            "active": "on"}
    created = client.post("/admin/organisations/new/", data)
    assert created.status_code == 302, created.content.decode()[:2000]
    organisation = Organisation.objects.get(code="ngo-new")
    assert AuditEvent.objects.filter(verb="organisation.create", object_id=str(organisation.pk)).exists()
    # A domain refusal comes back as a form error, not a 500, and nothing is saved.
    bad = client.post("/admin/organisations/new/", {**data, "code": "ngo-bad", "help_kinds": '["flying"]'})
    assert bad.status_code == 200
    assert not Organisation.objects.filter(code="ngo-bad").exists()


def test_audit_log_is_for_admins_only() -> None:
    f.registered_case()
    client = Client()
    client.force_login(_staff("editor", "editor"))
    assert client.get("/admin/audit/").status_code in (302, 403)
    client.force_login(User.objects.create_superuser("root", password="x"))
    assert client.get("/admin/audit/").status_code == 200
