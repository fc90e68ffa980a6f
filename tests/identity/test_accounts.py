"""Django accounts from single sign-on identities: groups, permissions, organisation, officer link; demo users."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Page

from identity.accounts import STAFF_ROLES, organisation_for_groups, sync_user
from portal.accounts.models import StaffProfile
from portal.accounts.selectors import viewer_for_user
from portal.audit.models import AuditEvent
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.territory.models import District, Officer
from portal.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> Organisation:
    return factories.organisation(code="school-7", name="СОШ № 7", kind="school")


@pytest.fixture
def kcson() -> Organisation:
    return Organisation.objects.create(code="kcson-zarechny", name="КЦСОН", kind="social_service")


def _claims(username: str, sub: str, **extra: str) -> dict[str, str]:
    return {"sub": sub, "preferred_username": username, "given_name": "Ольга", "family_name": "Смирнова",
            "email": f"{username}@demo.example", **extra}


def test_partner_becomes_signed_in_non_staff_user_of_its_organisation(school: Organisation) -> None:
    viewer = Viewer(subject="sub-1", username="partner.school", display_name="Ольга Смирнова",
                    roles=frozenset({Role.PARTNER}), organisation_id=school.pk, organisation_code=school.code)
    user = sync_user(viewer=viewer, claims=_claims("partner.school", "sub-1"))
    assert (user.username, user.first_name, user.last_name) == ("partner.school", "Ольга", "Смирнова")
    assert user.email == "partner.school@demo.example"
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["partner"]
    assert not user.has_perm("wagtailadmin.access_admin")
    profile = StaffProfile.objects.get(user=user)
    assert (profile.subject, profile.organisation_id) == ("sub-1", school.pk)
    # The Django-user path gives the same scope as the token.
    same = viewer_for_user(user)
    assert same.is_partner and same.organisation_id == school.pk and same.roles == frozenset({Role.PARTNER})
    assert AuditEvent.objects.filter(verb="identity.account_synced", object_id=str(user.pk)).count() == 1


def test_second_sign_in_updates_instead_of_duplicating(school: Organisation) -> None:
    viewer = Viewer(subject="sub-2", username="p", roles=frozenset({Role.PARTNER}), organisation_id=school.pk)
    first = sync_user(viewer=viewer, claims=_claims("p", "sub-2"))
    # Renamed in Keycloak, now a coordinator without organisation: same account (matched by subject).
    renamed = Viewer(subject="sub-2", username="p2", roles=frozenset({Role.COORDINATOR}))
    second = sync_user(viewer=renamed, claims=_claims("p2", "sub-2", given_name="Ирина"))
    assert second.pk == first.pk
    assert get_user_model().objects.count() == 1
    second.refresh_from_db()
    assert second.username == "p2" and second.first_name == "Ирина"
    assert list(second.groups.values_list("name", flat=True)) == ["coordinator"]
    assert second.is_staff
    assert StaffProfile.objects.get(user=second).organisation_id is None
    # Nothing changed: no second audit record.
    sync_user(viewer=renamed, claims=_claims("p2", "sub-2", given_name="Ирина"))
    assert AuditEvent.objects.filter(verb="identity.account_synced").count() == 2


@pytest.mark.parametrize("role", sorted(Role, key=str))
def test_staff_flags_and_admin_access_per_role(role: Role) -> None:
    viewer = Viewer(subject=f"sub-{role}", username=f"user-{role}", roles=frozenset({role}))
    user = sync_user(viewer=viewer, claims=_claims(f"user-{role}", f"sub-{role}"))
    user = get_user_model().objects.get(pk=user.pk)  # fresh permission cache
    assert user.is_staff == (role in STAFF_ROLES)
    assert user.is_superuser == (role == Role.ADMIN)
    assert user.has_perm("wagtailadmin.access_admin") == (role != Role.PARTNER)


def test_editor_group_may_edit_and_publish_the_site_root() -> None:
    sync_user(viewer=Viewer(subject="e", username="editor.site", roles=frozenset({Role.EDITOR})),
              claims=_claims("editor.site", "e"))
    editor = Group.objects.get(name="editor")
    codenames = set(GroupPagePermission.objects.filter(group=editor).values_list("permission__codename", flat=True))
    assert {"add_page", "change_page", "publish_page"} <= codenames
    pages = set(GroupPagePermission.objects.filter(group=editor).values_list("page_id", flat=True))
    assert len(pages) == 1 and Page.objects.filter(pk__in=pages, depth__lte=2).exists()
    assert not GroupPagePermission.objects.filter(group__name="officer").exists()


def test_officer_is_linked_to_its_officer_record_and_precincts(kcson: Organisation) -> None:
    district = District.objects.create(code="d1", name="Район", kind="urban")
    officer = Officer.objects.create(full_name="Иванова Марина", username="officer.ivanova", institution=kcson)
    precinct = district.precincts.create(number=1, officer=officer)
    viewer = Viewer(subject="o", username="officer.ivanova", roles=frozenset({Role.OFFICER}),
                    institution_id=kcson.pk, institution_code=kcson.code)
    user = sync_user(viewer=viewer, claims=_claims("officer.ivanova", "o"))
    officer.refresh_from_db()
    assert officer.user_id == user.pk
    same = viewer_for_user(user)
    assert same.institution_id == kcson.pk and same.precinct_ids == frozenset({precinct.pk})


def test_organisation_for_groups_matches_kind_and_code(school: Organisation, kcson: Organisation) -> None:
    assert organisation_for_groups(["/partners/school-7"]) == school
    assert organisation_for_groups(["/institutions/kcson-zarechny"]) == kcson
    assert organisation_for_groups(["/institutions/school-7"]) is None  # a school is not an institution
    assert organisation_for_groups(["/partners/unknown", "/other"]) is None


def test_demo_users_are_idempotent_and_get_their_groups(settings: object) -> None:
    from portal.demo.accounts import load_demo
    from portal.demo.region import DEMO_USERS

    factories.demo_organisations()
    settings.DEBUG = True  # type: ignore[attr-defined]
    load_demo(verbose=False)
    load_demo(verbose=False)
    users = get_user_model().objects.filter(username__in=[spec["username"] for spec in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    for spec in DEMO_USERS:
        user = users.get(username=spec["username"])
        assert sorted(user.groups.values_list("name", flat=True)) == sorted(spec["roles"])
        assert user.check_password("demo")
        viewer = viewer_for_user(user)
        assert viewer.roles == frozenset(Role(name) for name in spec["roles"])
        code = spec["groups"][0].rsplit("/", 1)[1] if spec["groups"] else None
        assert (viewer.organisation_code or viewer.institution_code) == code
    assert Group.objects.filter(name__in=[role.value for role in Role]).count() == len(Role)
