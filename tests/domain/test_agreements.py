"""Access follows the agreement on interaction (seed 004 rows 31–32, issue 16 item 3): a partner without an
agreement in force is not assigned measures, sees none and reports on none; institutions need no agreement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.accounts.selectors import build_viewer
from portal.audit.models import AuditEvent
from portal.cases import services
from portal.cases.selectors import measures_for
from portal.core.errors import NotFound, ValidationFailed
from portal.core.viewer import Role
from portal.partners.models import Agreement
from portal.partners.selectors import agreement_standing, agreements_ending
from portal.testing import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _assign(world: factories.CaseWorld, organisation_id: int) -> None:
    services.assign_measure(viewer=world.coordinator, case_id=world.case.pk, task="Консультация", kind="social",
                            deadline=TODAY + dt.timedelta(days=20), organisation_id=organisation_id)


def test_assigning_to_a_partner_whose_agreement_ended_is_refused_with_the_date() -> None:
    ended = factories.organisation(kind="school", agreement_until=TODAY - dt.timedelta(days=3))
    world = factories.registered_case()
    with pytest.raises(ValidationFailed) as refused:
        _assign(world, ended.pk)
    assert refused.value.field == "organisation"
    assert (TODAY - dt.timedelta(days=3)).strftime("%d.%m.%Y") in str(refused.value.message)


def test_assigning_to_a_partner_without_any_agreement_is_refused() -> None:
    none = factories.organisation(kind="ngo", agreement=False)
    world = factories.registered_case()
    with pytest.raises(ValidationFailed) as refused:
        _assign(world, none.pk)
    assert "no agreement" in str(refused.value.message)


def test_an_institution_needs_no_agreement_and_a_future_agreement_is_not_in_force() -> None:
    world = factories.registered_case()
    _assign(world, world.institution.pk)
    later = factories.organisation(kind="police", agreement=False)
    Agreement.objects.create(organisation=later, number="1", signed_on=TODAY + dt.timedelta(days=5))
    assert not agreement_standing(organisation=later, on=TODAY).allows_work
    assert agreement_standing(organisation=later, on=TODAY + dt.timedelta(days=5)).allows_work
    assert agreement_standing(organisation=world.institution, on=TODAY).allows_work


def test_a_partner_whose_agreements_all_ended_sees_and_reports_nothing() -> None:
    school = factories.organisation(kind="school")
    world, measure = factories.approved_case_with_measure(partner_org=school)
    partner = factories.partner(school)
    assert list(measures_for(partner)) == [measure]
    Agreement.objects.filter(organisation=school).update(expires_on=TODAY - dt.timedelta(days=1))

    assert list(measures_for(partner)) == []
    with pytest.raises(NotFound):
        services.accept_measure(viewer=partner, measure_id=measure.pk, version=measure.version)
    assert AuditEvent.objects.filter(verb="measure.accept", action=AuditEvent.Action.ATTEMPT).exists()
    # Its measures stay with the coordinator, who reassigns them.
    assert measure in measures_for(world.coordinator)
    other = factories.organisation(kind="school")
    moved = services.reassign_measure(viewer=world.coordinator, measure_id=measure.pk, version=measure.version,
                                      organisation_id=other.pk, reason="Соглашение со школой истекло")
    assert moved.organisation_id == other.pk


def test_the_viewer_of_such_a_partner_acts_for_no_organisation() -> None:
    school = factories.organisation(kind="school", agreement_until=TODAY - dt.timedelta(days=1))
    viewer = build_viewer(subject="s", username="partner.school", display_name="П", roles=[Role.PARTNER],
                          organisation=school, institution=None, user_id=None)
    assert viewer.organisation_id is None and not viewer.is_partner
    Agreement.objects.create(organisation=school, number="2", signed_on=TODAY - dt.timedelta(days=1))
    renewed = build_viewer(subject="s", username="partner.school", display_name="П", roles=[Role.PARTNER],
                           organisation=school, institution=None, user_id=None)
    assert renewed.is_partner and renewed.organisation_id == school.pk


def test_agreements_ending_within_30_days_without_a_successor() -> None:
    ending = factories.organisation(kind="school", agreement_until=TODAY + dt.timedelta(days=20))
    renewed = factories.organisation(kind="police", agreement_until=TODAY + dt.timedelta(days=10))
    Agreement.objects.create(organisation=renewed, number="next", signed_on=TODAY + dt.timedelta(days=5),
                             expires_on=TODAY + dt.timedelta(days=800))
    factories.organisation(kind="ngo", agreement_until=TODAY + dt.timedelta(days=45))
    found = [agreement.organisation for agreement in agreements_ending(on=TODAY, within_days=30)]
    assert found == [ending]
