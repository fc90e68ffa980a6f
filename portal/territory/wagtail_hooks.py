"""Wagtail admin: districts, precincts, officers, streets and address ranges (Территория).

Creates and edits that have a service go through it; every other create, edit and delete is audited by the
generic audited views (`portal.audit.admin_views`), with the values before and after."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from portal.accounts.admin_views import ServiceCreateView, ServiceEditView
from portal.audit import services as audit
from portal.audit.admin_views import AuditedEditView, AuditedModelViewSet
from portal.core.viewer import Viewer
from portal.territory import services
from portal.territory.models import AddressRange, District, Officer, Precinct, Street


def _update_precinct(viewer: Viewer, precinct: Precinct, changed: dict[str, Any]) -> Precinct:
    if "officer" in changed:
        officer = changed.pop("officer")
        precinct = services.assign_officer(viewer=viewer, precinct_id=precinct.pk,
                                           officer_id=officer.pk if officer else None)
    if changed:
        before = audit.snapshot(precinct, [name for name in changed])
        for name, value in changed.items():
            setattr(precinct, name, value)
        precinct.save()
        audit.record_changed(viewer=viewer, verb="precinct.update", obj=precinct, before=before)
    return precinct


class PrecinctEditView(ServiceEditView):
    update = staticmethod(_update_precinct)


class DistrictViewSet(AuditedModelViewSet):
    model = District
    icon = "site"
    form_fields = ["code", "name", "kind", "population", "centre"]
    list_display = ["name", "kind", "population", "centre"]
    list_filter = ["kind"]
    search_fields = ["name", "centre"]
    copy_view_enabled = False


class PrecinctViewSet(AuditedModelViewSet):
    model = Precinct
    icon = "pick"
    form_fields = ["district", "number", "name", "population", "officer"]
    list_display = ["__str__", "population", "officer"]
    list_filter = ["district"]
    search_fields = ["name", "officer__full_name"]
    edit_view_class = PrecinctEditView
    copy_view_enabled = False


class OfficerEditView(AuditedEditView):
    def save_audited(self, before: dict[str, Any]) -> Officer:
        officer: Officer = self.form.instance
        if officer.username != before["username"] and officer.user_id is not None:
            # The sign-in name grants the officer's precincts: the account linked under the old name loses them
            # now (the account of the new name is linked at its next sign-in).
            officer.user = None
        return super().save_audited(before)  # type: ignore[return-value]


class OfficerViewSet(AuditedModelViewSet):
    model = Officer
    edit_view_class = OfficerEditView
    icon = "user"
    form_fields = ["full_name", "photo", "phone", "email", "office_address", "office_hours", "username",
                   "institution"]
    list_display = ["full_name", "phone", "email", "institution"]
    search_fields = ["full_name", "username", "email"]
    copy_view_enabled = False


class StreetCreateView(ServiceCreateView):
    create = staticmethod(lambda viewer, data: services.create_street(
        viewer=viewer, district_id=data["district"].pk, settlement=data["settlement"], kind=data["kind"],
        name=data["name"]))


class StreetViewSet(AuditedModelViewSet):
    model = Street
    icon = "link"
    form_fields = ["district", "settlement", "kind", "name"]
    list_display = ["__str__", "district"]
    list_filter = ["district"]
    search_fields = ["name", "settlement"]
    add_view_class = StreetCreateView
    copy_view_enabled = False


class AddressRangeCreateView(ServiceCreateView):
    create = staticmethod(lambda viewer, data: services.add_address_range(
        viewer=viewer, street_id=data["street"].pk, precinct_id=data["precinct"].pk, house_from=data["house_from"],
        house_to=data["house_to"], parity=data["parity"]))


class AddressRangeViewSet(AuditedModelViewSet):
    model = AddressRange
    icon = "list-ol"
    form_fields = ["street", "precinct", "house_from", "house_to", "parity"]
    list_display = ["__str__", "precinct"]
    list_filter = ["parity", "precinct__district"]
    search_fields = ["street__name"]
    add_view_class = AddressRangeCreateView
    copy_view_enabled = False


class TerritoryGroup(ViewSetGroup):
    menu_label = _("Territory")
    menu_icon = "site"
    menu_order = 210
    items = (DistrictViewSet("districts"), PrecinctViewSet("precincts"), OfficerViewSet("officers"),
             StreetViewSet("streets"), AddressRangeViewSet("address_ranges"))


@hooks.register("register_admin_viewset")
def register_territory() -> ViewSetGroup:
    return TerritoryGroup()
