"""A signed-in user's Viewer is built in one query (issue 18: sessions are not cached, and the partner's
agreements were read on every build): groups, profile, organisation and whether it works today, joined."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal.accounts.models import StaffProfile
from portal.accounts.selectors import viewer_for_user
from portal.core.viewer import Role
from portal.testing import factories

pytestmark = pytest.mark.django_db


def _user(username: str, *roles: str, organisation: Any = None) -> Any:
    user = get_user_model().objects.create(username=username)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if organisation is not None:
        StaffProfile.objects.create(user=user, subject=f"sub-{username}", organisation=organisation)
    return user


def test_partner_viewer_in_one_query(django_assert_num_queries: Any) -> None:
    school = factories.organisation(code="school-q", kind="school")
    user = _user("partner.q", "partner", "editor", organisation=school)
    with django_assert_num_queries(1):
        viewer = viewer_for_user(user)
    assert viewer.is_partner and viewer.organisation_id == school.pk and viewer.organisation_code == "school-q"
    assert viewer.roles == frozenset({Role.PARTNER, Role.EDITOR}) and viewer.subject == "sub-partner.q"


def test_partner_without_agreement_in_force_acts_for_no_organisation(django_assert_num_queries: Any) -> None:
    ended = factories.organisation(code="school-ended", kind="school",
                                   agreement_until=dt.date.today() - dt.timedelta(days=2))
    user = _user("partner.ended", "partner", organisation=ended)
    with django_assert_num_queries(1):
        viewer = viewer_for_user(user)
    assert viewer.organisation_id is None and not viewer.is_partner


def test_institution_and_user_without_profile(django_assert_num_queries: Any) -> None:
    kcson = factories.organisation(code="kcson-q", kind="social_service")
    coordinator = _user("coordinator.q", "coordinator", organisation=kcson)
    with django_assert_num_queries(1):
        viewer = viewer_for_user(coordinator)
    assert viewer.institution_id == kcson.pk and viewer.organisation_id is None
    plain = _user("nobody.q")
    with django_assert_num_queries(1):
        viewer = viewer_for_user(plain)
    assert viewer.roles == frozenset() and viewer.subject == f"django:{plain.pk}"
