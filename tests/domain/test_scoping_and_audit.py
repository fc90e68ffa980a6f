from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent, AuditImmutableError
from portal.cases import selectors
from portal.cases import services as s
from portal.cases.models import Measure
from portal.core.viewer import Role
from portal.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def two_institutions() -> dict[str, object]:
    school, police = f.organisation(kind="school"), f.organisation(kind="police")
    north, _ = f.approved_case_with_measure(partner_org=school)
    south, _ = f.approved_case_with_measure(partner_org=police)
    s.assign_measure(viewer=south.coordinator, case_id=south.case.pk, task="Вторая", kind="medical",
                     deadline=TODAY + dt.timedelta(days=3), organisation_id=school.pk)
    return {"school": school, "police": police, "north": north, "south": south}


def test_partner_sees_only_its_organisation(two_institutions: dict[str, object]) -> None:
    school = two_institutions["school"]
    visible = selectors.measures_for(f.partner(school))  # type: ignore[arg-type]
    assert visible.count() == 2
    assert set(visible.values_list("organisation_id", flat=True)) == {school.pk}  # type: ignore[attr-defined]
    assert selectors.cases_for(f.partner(school)).count() == 0  # type: ignore[arg-type]
    assert selectors.persons_for(f.partner(school)).count() == 0  # type: ignore[arg-type]


def test_staff_scopes(two_institutions: dict[str, object]) -> None:
    north, south = two_institutions["north"], two_institutions["south"]
    assert list(selectors.cases_for(north.coordinator)) == [north.case]  # type: ignore[attr-defined]
    officer = f.officer_viewer(south.institution, {south.precinct.pk})  # type: ignore[attr-defined]
    assert list(selectors.cases_for(officer)) == [south.case]  # type: ignore[attr-defined]
    assert selectors.measures_for(officer).count() == 2
    assert selectors.cases_for(f.viewer_with(Role.SUPERVISOR)).count() == 2
    assert selectors.cases_for(f.viewer_with(Role.EDITOR)).count() == 0
    assert selectors.measures_for(f.viewer_with()).count() == 0  # anonymous-like


def test_filters_and_overdue(two_institutions: dict[str, object]) -> None:
    school = two_institutions["school"]
    partner = f.partner(school)  # type: ignore[arg-type]
    measures = selectors.measures_for(partner)
    soon = TODAY + dt.timedelta(days=5)
    assert selectors.filter_measures(measures, due_before=soon).count() == 1
    assert selectors.filter_measures(measures, kind="medical").count() == 1
    assert selectors.filter_measures(measures, text="ВТОРАЯ").count() == 1
    later = TODAY + dt.timedelta(days=10)
    assert selectors.filter_measures(measures, overdue=True, today=later).count() == 1
    assert selectors.filter_measures(measures, overdue=False, today=later).count() == 1
    assert selectors.overdue_measures(viewer=two_institutions["south"].coordinator,  # type: ignore[attr-defined]
                                      today=TODAY + dt.timedelta(days=60)).count() == 2


def test_shared_recipient_data_and_access_records(two_institutions: dict[str, object]) -> None:
    school = two_institutions["school"]
    partner = f.partner(school)  # type: ignore[arg-type]
    measure = selectors.measures_for(partner).order_by("pk").first()
    assert measure is not None
    data = selectors.shared_recipient_data(viewer=partner, measure=measure)
    assert data == {"first_name": "Ольга", "district": "Ленинский район"}
    reads = AuditEvent.objects.filter(action="read", verb="measure.recipient.read")
    assert reads.count() == 1 and reads.get().details["fields"] == ["first_name"]
    # Nothing from a measure of another organisation, and no access record for it.
    police_measure = Measure.objects.get(organisation=two_institutions["police"])
    assert selectors.shared_recipient_data(viewer=partner, measure=police_measure) == {}
    assert reads.count() == 1
    # The coordinator widens what is shared: the partner now sees the phone too.
    north = two_institutions["north"]
    s.set_shared_fields(viewer=north.coordinator, measure_id=measure.pk, version=measure.version,  # type: ignore[attr-defined]
                        fields=["first_name", "phone"])
    measure.refresh_from_db()
    assert selectors.shared_recipient_data(viewer=partner, measure=measure)["phone"] == "+7 912 000-00-00"


def test_audit_rows_cannot_be_changed_or_deleted() -> None:
    f.registered_case()
    event = AuditEvent.objects.first()
    assert event is not None
    event.verb = "forged"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="forged")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).verb != "forged"


@pytest.mark.postgres_only
def test_database_refuses_raw_updates_of_audit_rows() -> None:
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    f.registered_case()
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
