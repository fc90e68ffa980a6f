"""The Viewer of a verified token is kept for a short time (identity.viewer_cache): a repeated token is not looked
up again, the entry ends 30 s before the token's expiry and after 60 s at most, and deactivating the organisation,
ending its agreement or changing the account drops it at once."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from identity.keycloak import TokenRejected, verify_access_token
from identity.testing import issue_token
from identity.viewer_cache import ViewerCache, viewers
from portal.core.viewer import Viewer
from portal.partners.models import Agreement, Organisation


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    viewers.clear()
    yield
    viewers.clear()


class Clocks:
    def __init__(self) -> None:
        self.monotonic = 1000.0
        self.wall = 1_800_000_000.0


def _cache(**kwargs: Any) -> tuple[ViewerCache, Clocks]:
    clocks = Clocks()
    return ViewerCache(clock=lambda: clocks.monotonic, wall_clock=lambda: clocks.wall, **kwargs), clocks


def test_entry_lives_until_30_s_before_expiry_and_60_s_at_most() -> None:
    cache, clocks = _cache()
    someone = Viewer(subject="s", username="someone")
    cache.put("long", {"exp": clocks.wall + 3600}, someone, generation=cache.generation)
    cache.put("short", {"exp": clocks.wall + 40}, someone, generation=cache.generation)
    cache.put("ending", {"exp": clocks.wall + 30}, someone, generation=cache.generation)
    cache.put("no-exp", {}, someone, generation=cache.generation)
    assert cache.get("long") is someone and cache.get("short") is someone
    assert cache.get("ending") is None and cache.get("no-exp") is None  # never stored
    clocks.monotonic += 10.5
    assert cache.get("short") is None and cache.get("long") is someone
    clocks.monotonic += 49
    assert cache.get("long") is someone
    clocks.monotonic += 1
    assert cache.get("long") is None


def test_bounded_and_cleared_and_a_viewer_built_across_a_clear_is_not_kept() -> None:
    cache, clocks = _cache(max_entries=3)
    exp = {"exp": clocks.wall + 600}
    for n in range(5):
        cache.put(f"t{n}", exp, Viewer(subject=str(n)), generation=cache.generation)
    assert len(cache) == 3 and cache.get("t0") is None and cache.get("t4") is not None
    before = cache.generation
    cache.clear()
    assert len(cache) == 0 and cache.get("t4") is None
    cache.put("late", exp, Viewer(subject="late"), generation=before)  # read before the clear
    assert cache.get("late") is None


def test_repeated_token_reads_nothing(region_orgs: None, django_assert_num_queries: Any) -> None:
    token = issue_token(username="partner.school")
    first = verify_access_token(token)
    assert first.organisation_code == "school-7"
    with django_assert_num_queries(0):
        assert verify_access_token(token) is first
    other = verify_access_token(issue_token(username="officer.ivanova"))
    assert other.institution_code == "kcson-zarechny" and verify_access_token(token) is first


def test_deactivated_organisation_is_refused_at_once(region_orgs: None) -> None:
    token = issue_token(username="partner.school")
    assert verify_access_token(token).organisation_code == "school-7"
    organisation = Organisation.objects.get(code="school-7")
    organisation.active = False
    organisation.save()
    with pytest.raises(TokenRejected) as info:
        verify_access_token(token)
    assert info.value.reason == "no_organisation"


def test_ended_agreement_acts_for_no_organisation_at_once(region_orgs: None) -> None:
    token = issue_token(username="partner.school")
    assert verify_access_token(token).organisation_code == "school-7"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for agreement in Agreement.objects.filter(organisation__code="school-7"):
        agreement.expires_on = yesterday
        agreement.save()
    assert verify_access_token(token).organisation_id is None


def test_account_change_drops_the_cached_viewer(region_orgs: None) -> None:
    token = issue_token(username="partner.school")
    first = verify_access_token(token)
    user = get_user_model().objects.create_user(username="partner.school")  # first sign-in to the portal
    second = verify_access_token(token)
    assert second is not first and second.user_id == user.pk and first.user_id is None
    user.is_active = False
    user.save()
    assert verify_access_token(token) is not second
