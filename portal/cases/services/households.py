"""Households, persons and their consents (согласия, 152-FZ art. 9), registered inside the actor's territory
(`access.may_work_in_precinct`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.cases.access import may_manage_case, may_work_in_precinct
from portal.cases.models import Case, Category, Consent, Household, Person
from portal.cases.selectors import households_for, persons_for
from portal.cases.services.common import change, today
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.text import check_choices, column_text
from portal.core.viewer import Role, Viewer
from portal.territory.models import Precinct
from search.outbox import enqueue, enqueue_many

audited_write = audit.audited_write

PERSON_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "sex", "phone", "relation", "categories",
                 "household_id")


def _require_precinct_access(viewer: Viewer, precinct_id: int) -> Precinct:
    """The precinct, if the viewer works in it (`access.may_work_in_precinct`)."""
    precinct = Precinct.objects.select_related("officer").filter(pk=precinct_id).first()
    if precinct is None:
        raise NotFound(_("Precinct not found."))
    if not may_work_in_precinct(viewer, precinct_id):
        raise PermissionDenied(_("This precinct is outside your territory: households and persons are registered "
                                 "by the officer or institution that serves it."))
    return precinct


def _household_to_register_in(viewer: Viewer, household_id: int) -> Household:
    """A household the viewer may add persons to: one of its scope (`selectors.households_for`) in a precinct
    of its territory. A household outside the scope is refused exactly like one that does not exist."""
    household = households_for(viewer).filter(pk=household_id).first()
    if household is None:
        if viewer.is_admin:
            raise NotFound(_("Household not found."))
        raise PermissionDenied(_("You may not register persons in this household."))
    _require_precinct_access(viewer, household.precinct_id)
    return household


def _registration_fields(viewer: Viewer) -> dict[str, Any]:
    return {"registered_by_subject": viewer.subject or "", "registered_by_institution_id": viewer.institution_id}


@audited_write("household.create", object_type="territory.precinct", id_arg="precinct_id")
def create_household(*, viewer: Viewer, precinct_id: int, address: str, categories: Iterable[str] = ()) -> Household:
    _require_precinct_access(viewer, precinct_id)
    household = Household.objects.create(
        precinct_id=precinct_id, address=column_text(address, Household, "address", required=_("Enter the address.")),
        categories=check_choices(categories, Category.values, "categories"), **_registration_fields(viewer),
    )
    audit.record_created(viewer=viewer, verb="household.create", obj=household)
    return household


def _clean_person(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown)))
    for name in ("last_name", "first_name"):
        if name in fields:
            fields[name] = column_text(fields[name], Person, name, required=_("Enter the last and first name."))
    for name in ("middle_name", "phone", "relation"):
        if name in fields:
            fields[name] = column_text(fields[name], Person, name)
    if fields.get("birth_date") and fields["birth_date"] > today():
        raise ValidationFailed(_("The date of birth cannot be in the future."), field="birth_date")
    if fields.get("sex") and fields["sex"] not in Person.Sex.values:
        raise ValidationFailed(_("Unknown sex."), field="sex")
    if "categories" in fields:
        fields["categories"] = check_choices(fields["categories"], Category.values, "categories")
    return fields


@audited_write("person.create", object_type="cases.household", id_arg="household_id")
def create_person(
    *, viewer: Viewer, household_id: int | None, last_name: str, first_name: str, middle_name: str = "",
    birth_date: dt.date | None = None, sex: str = "", phone: str = "", relation: str = "",
    categories: Iterable[str] = (),
) -> Person:
    if household_id is not None:
        _household_to_register_in(viewer, household_id)
    elif not (viewer.is_admin or viewer.is_staff_reader) or viewer.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("You may not register persons."))
    fields = _clean_person({"last_name": last_name, "first_name": first_name, "middle_name": middle_name,
                            "birth_date": birth_date, "sex": sex, "phone": phone, "relation": relation,
                            "categories": list(categories)})
    person = Person.objects.create(household_id=household_id, **fields, **_registration_fields(viewer))
    audit.record_created(viewer=viewer, verb="person.create", obj=person)
    enqueue("person", person.pk)
    return person


@audited_write("person.update", object_type="cases.person", id_arg="person_id")
def update_person(*, viewer: Viewer, person_id: int, **changes: Any) -> Person:
    if not persons_for(viewer).filter(pk=person_id).exists():
        raise NotFound(_("Person not found."))
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("Person not found."))
    cases = Case.objects.filter(applicant=person)
    if person.household_id is not None:
        cases = cases | Case.objects.filter(household_id=person.household_id)
    if not viewer.is_admin and not any(may_manage_case(viewer, case) for case in cases):
        raise PermissionDenied(_("You may not change this person's data."))
    changes = _clean_person(changes)
    if changes.get("household_id") is not None:  # a move: to a household the viewer may register people in
        _household_to_register_in(viewer, changes["household_id"])
    change(person, changes, viewer=viewer, verb="person.update")
    enqueue("person", person.pk)
    # A case's staff-search document carries its applicant's name.
    enqueue_many("case", Case.objects.filter(applicant_id=person.pk).values_list("pk", flat=True))
    return person


def _may_handle_consents(viewer: Viewer) -> bool:
    return viewer.is_admin or (viewer.is_staff_reader and not viewer.has_role(Role.SUPERVISOR))


@audited_write("consent.record", object_type="cases.person", id_arg="person_id")
def record_consent(
    *, viewer: Viewer, person_id: int, purpose: str, given_on: dt.date, scope: str = "", document: str = "",
) -> Consent:
    """Record consent to processing (152-FZ art. 9) or, separately, to publication of a need, for a person of
    the viewer's scope (`selectors.persons_for`). A person outside the scope is refused exactly like one that
    does not exist, and the refusal is audited."""
    if not _may_handle_consents(viewer):
        raise PermissionDenied(_("You may not record consents."))
    person = persons_for(viewer).filter(pk=person_id).first()
    if person is None:
        raise PermissionDenied(_("You may not record consents for this person."))
    if purpose not in Consent.Purpose.values:
        raise ValidationFailed(_("Unknown purpose of the consent."), field="purpose")
    if given_on > today():
        raise ValidationFailed(_("A consent cannot be dated in the future."), field="given_on")
    consent = Consent.objects.create(person=person, purpose=purpose, given_on=given_on,
                                     scope=column_text(scope, Consent, "scope"),
                                     document=column_text(document, Consent, "document"))
    audit.record_created(viewer=viewer, verb="consent.record", obj=consent)
    return consent


@audited_write("consent.withdraw", object_type="cases.consent", id_arg="consent_id")
def withdraw_consent(*, viewer: Viewer, consent_id: int, withdrawn_on: dt.date) -> Consent:
    """Withdraw a consent of a person of the viewer's scope (refusals are audited)."""
    if not _may_handle_consents(viewer):
        raise PermissionDenied(_("You may not change consents."))
    consent = Consent.objects.select_for_update().filter(
        pk=consent_id, person__in=persons_for(viewer)).first()
    if consent is None:
        raise PermissionDenied(_("You may not change this consent."))
    if consent.withdrawn_on is not None:
        raise InvalidTransition(_("This consent has already been withdrawn."))
    if withdrawn_on < consent.given_on:
        raise ValidationFailed(_("A consent cannot be withdrawn before it was given."), field="withdrawn_on")
    consent = change(consent, {"withdrawn_on": withdrawn_on}, viewer=viewer, verb="consent.withdraw")
    enqueue("consent", consent.pk)  # needs published under it leave the registry (and search)
    return consent
