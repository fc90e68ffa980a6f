"""Wagtail admin: districts, precincts, officers, streets and address ranges (Территория)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.viewer import Viewer
from portal.audit import services as audit
from portal.core.admin_views import ServiceCreateView, ServiceEditView
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


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "site"
    form_fields = ["code", "name", "kind", "population", "centre"]
    list_display = ["name", "kind", "population", "centre"]
    list_filter = ["kind"]
    search_fields = ["name", "centre"]
    copy_view_enabled = False


class PrecinctViewSet(ModelViewSet):
    model = Precinct
    icon = "pick"
    form_fields = ["district", "number", "name", "population", "officer"]
    list_display = ["__str__", "population", "officer"]
    list_filter = ["district"]
    search_fields = ["name", "officer__full_name"]
    edit_view_class = PrecinctEditView
    copy_view_enabled = False


class OfficerViewSet(ModelViewSet):
    model = Officer
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


class StreetViewSet(ModelViewSet):
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


class AddressRangeViewSet(ModelViewSet):
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
