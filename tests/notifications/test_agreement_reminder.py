"""Coordinators are reminded 30 days before a partner's agreement on interaction ends (issue 16, item 3): the
coordinators of the institutions whose open cases have open measures with that partner, or, when there are
none, every coordinator of the partner's district; once per agreement."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.core.viewer import Role
from portal.notifications import services
from portal.notifications.messages import render
from portal.notifications.models import Channel, Kind, Notification
from portal.partners.models import Agreement
from portal.testing import factories as f
from tests.notifications.world import DAY0, account, assign, build

pytestmark = pytest.mark.django_db


def _digests(user: object) -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.COORDINATOR_DIGEST, channel=Channel.EMAIL, user=user)
                .order_by("day", "pk"))


def test_coordinators_are_reminded_once_thirty_days_before_an_agreement_ends() -> None:
    world = build(registered_on=DAY0 - dt.timedelta(days=5))
    assign(world, "open", deadline=DAY0 + dt.timedelta(days=10))
    Agreement.objects.filter(organisation=world.school).update(expires_on=DAY0 + dt.timedelta(days=20))
    # A partner with no open measures anywhere: its district's coordinators are told, nobody else.
    north = f.district(code="north", name="Северный район")
    clinic = f.organisation(kind="healthcare", code="clinic-n", name="Поликлиника Северная", district_obj=north,
                            agreement_until=DAY0 + dt.timedelta(days=30))
    north_kcson = f.organisation(kind="social_service", code="kcson-n", district_obj=north)
    north_coordinator = account("coord-n", Role.COORDINATOR, email="coord-n@example.org", organisation=north_kcson)
    # An agreement ending later than 30 days (told a day later), one renewed by a later agreement (never).
    police = f.organisation(kind="police", code="police-n", district_obj=north,
                            agreement_until=DAY0 + dt.timedelta(days=31))
    renewed = f.organisation(kind="culture", code="lib-n", district_obj=north,
                             agreement_until=DAY0 + dt.timedelta(days=10))
    Agreement.objects.create(organisation=renewed, number="2-СС", signed_on=DAY0, expires_on=dt.date(2030, 1, 1))

    first = services.run_coordinator_digests(DAY0)
    assert first.total > 0
    [ours] = _digests(world.coordinator)
    assert ours.params["agreements_ending"] == [
        {"organisation": str(world.school), "number": Agreement.objects.get(organisation=world.school).number,
         "date": (DAY0 + dt.timedelta(days=20)).isoformat()}]
    [theirs] = _digests(north_coordinator)
    assert [item["organisation"] for item in theirs.params["agreements_ending"]] == [str(clinic)]
    body = render(Kind.COORDINATOR_DIGEST, theirs.params, language="ru").body
    assert "Соглашения о взаимодействии, истекающие в течение 30 дней" in body
    assert f"{clinic}, соглашение №" in body and (DAY0 + dt.timedelta(days=30)).strftime("%d.%m.%Y") in body
    assert "agreement №" in render(Kind.COORDINATOR_DIGEST, theirs.params, language="en").body

    # Once per agreement: the next days tell nothing new about it.
    for offset in (1, 2, 15):
        services.run_coordinator_digests(DAY0 + dt.timedelta(days=offset))
    assert all("agreements_ending" not in row.params for row in _digests(world.coordinator)[1:])
    # The police's agreement enters the 30-day window the next day and is told then, the clinic's not again.
    later = [item["organisation"] for row in _digests(north_coordinator)[1:] for item in row.params.get(
        "agreements_ending", [])]
    assert later == [str(police)]


def test_an_organisation_without_a_district_and_without_open_measures_reminds_the_supervisors() -> None:
    world = build(registered_on=DAY0 - dt.timedelta(days=5))
    regional = f.organisation(kind="healthcare", code="minzdrav", name="Министерство здравоохранения",
                              agreement_until=DAY0 + dt.timedelta(days=3))
    services.run_coordinator_digests(DAY0)
    assert not any("agreements_ending" in row.params for row in _digests(world.coordinator))
    [told] = _digests(world.supervisor)
    assert [item["organisation"] for item in told.params["agreements_ending"]] == [str(regional)]
