"""Writes of the territory: streets, address ranges (адресный реестр участка), officer assignment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.core.errors import NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role, Viewer
from portal.territory.addresses import STREET_KINDS, normalise_text
from portal.territory.models import AddressRange, District, Officer, Precinct, Street
from search.outbox import enqueue, enqueue_many


def _require_territory_admin(viewer: Viewer) -> None:
    if not viewer.has_role(Role.ADMIN, Role.COORDINATOR):
        raise PermissionDenied(_("Only coordinators and administrators may change the territory."))


@audit.audited_write("street.create", object_type="territory.district", id_arg="district_id")
def create_street(*, viewer: Viewer, district_id: int, settlement: str, kind: str, name: str) -> Street:
    _require_territory_admin(viewer)
    canonical_kind = STREET_KINDS.get(normalise_text(kind).replace(" ", ""), "")
    if not canonical_kind:
        raise ValidationFailed(_("Unknown street type “%(kind)s”."), field="kind", kind=kind)
    if not name.strip() or not settlement.strip():
        raise ValidationFailed(_("Enter the settlement and the street name."), field="name")
    if not District.objects.filter(pk=district_id).exists():
        raise NotFound(_("District not found."))
    street, created = Street.objects.get_or_create(
        settlement_normalized=normalise_text(settlement), kind=canonical_kind, normalized=normalise_text(name),
        defaults={"district_id": district_id, "settlement": settlement.strip(), "name": name.strip()},
    )
    if created:
        audit.record_created(viewer=viewer, verb="street.create", obj=street)
        enqueue("street", street.pk)
    return street


@audit.audited_write("address_range.create", object_type="territory.street", id_arg="street_id")
def add_address_range(
    *, viewer: Viewer, street_id: int, precinct_id: int, house_from: int = 1, house_to: int = 9999,
    parity: str = AddressRange.Parity.ALL,
) -> AddressRange:
    """Attach houses of a street to a precinct; no house may belong to two precincts."""
    _require_territory_admin(viewer)
    if house_from < 1 or house_to < house_from:
        raise ValidationFailed(_("House numbers must satisfy 1 ≤ from ≤ to."), field="house_from")
    if parity not in AddressRange.Parity.values:
        raise ValidationFailed(_("Unknown parity."), field="parity")
    street = Street.objects.select_for_update().filter(pk=street_id).first()
    if street is None or not Precinct.objects.filter(pk=precinct_id).exists():
        raise NotFound(_("Street or precinct not found."))
    candidate = AddressRange(street=street, precinct_id=precinct_id, house_from=house_from, house_to=house_to,
                             parity=parity)
    for existing in street.ranges.exclude(precinct_id=precinct_id):
        overlap = range(max(existing.house_from, house_from), min(existing.house_to, house_to) + 1)
        if any(existing.covers(n) and candidate.covers(n) for n in overlap[:4]):
            raise ValidationFailed(
                _("Houses %(start)s–%(end)s of this street already belong to precinct № %(number)s."),
                field="house_from", start=overlap.start, end=overlap.stop - 1, number=existing.precinct.number,
            )
    candidate.save()
    audit.record_created(viewer=viewer, verb="address_range.create", obj=candidate)
    enqueue("street", street.pk)
    return candidate


@audit.audited_write("precinct.assign_officer", object_type="territory.precinct", id_arg="precinct_id")
def assign_officer(*, viewer: Viewer, precinct_id: int, officer_id: int | None) -> Precinct:
    """Assign a district social officer (социальный участковый) to a precinct."""
    _require_territory_admin(viewer)
    precinct = Precinct.objects.select_for_update().filter(pk=precinct_id).first()
    if precinct is None:
        raise NotFound(_("Precinct not found."))
    if officer_id is not None and not Officer.objects.filter(pk=officer_id).exists():
        raise NotFound(_("Officer not found."))
    before = audit.snapshot(precinct, ["officer_id"])
    precinct.officer_id = officer_id
    precinct.save(update_fields=["officer"])
    audit.record_changed(viewer=viewer, verb="precinct.assign_officer", obj=precinct, before=before)
    enqueue_many("street", precinct.address_ranges.values_list("street_id", flat=True).distinct())
    return precinct
