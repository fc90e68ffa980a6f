"""Wagtail admin: the partner registry (реестр субъектов межведомственного взаимодействия).

Creates and organisation edits go through the services; the other edits and every delete are audited by the
generic audited views (`portal.audit.admin_views`), with the values before and after."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from portal.accounts.admin_views import ServiceCreateView, ServiceEditView
from portal.audit.admin_views import AuditedModelViewSet
from portal.core.viewer import Viewer
from portal.partners import services
from portal.partners.models import Agreement, Contact, Organisation, ServiceCapacity


def _organisation_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    if "district" in fields:
        district = fields.pop("district")
        fields["district_id"] = district.pk if district else None
    return fields


class OrganisationCreateView(ServiceCreateView):
    create = staticmethod(lambda viewer, data: services.create_organisation(
        viewer=viewer, **_organisation_fields(data)))


def _update(viewer: Viewer, organisation: Organisation, changed: dict[str, Any]) -> Organisation:
    fields = _organisation_fields(changed)
    fields.pop("code", None)
    return services.update_organisation(viewer=viewer, organisation_id=organisation.pk, **fields)


class OrganisationEditView(ServiceEditView):
    update = staticmethod(_update)


class OrganisationViewSet(AuditedModelViewSet):
    model = Organisation
    icon = "group"
    form_fields = ["code", "name", "short_name", "kind", "district", "address", "phone", "email", "website",
                   "description", "help_kinds", "active"]
    list_display = ["name", "kind", "district", "active"]
    list_filter = ["kind", "active", "district"]
    search_fields = ["name", "short_name", "code"]
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    copy_view_enabled = False
    inspect_view_enabled = True


class AgreementCreateView(ServiceCreateView):
    create = staticmethod(lambda viewer, data: services.add_agreement(
        viewer=viewer, organisation_id=data["organisation"].pk, number=data["number"], signed_on=data["signed_on"],
        expires_on=data["expires_on"], subject=data["subject"]))


class AgreementViewSet(AuditedModelViewSet):
    model = Agreement
    icon = "doc-full"
    form_fields = ["organisation", "number", "signed_on", "expires_on", "subject"]
    list_display = ["number", "organisation", "signed_on", "expires_on"]
    search_fields = ["number", "organisation__name"]
    add_view_class = AgreementCreateView
    copy_view_enabled = False


class ContactCreateView(ServiceCreateView):
    create = staticmethod(lambda viewer, data: services.add_contact(
        viewer=viewer, organisation_id=data["organisation"].pk, full_name=data["full_name"],
        position=data["position"], phone=data["phone"], email=data["email"],
        receives_assignments=data["receives_assignments"], is_head=data["is_head"]))


class ContactViewSet(AuditedModelViewSet):
    model = Contact
    icon = "mail"
    form_fields = ["organisation", "full_name", "position", "phone", "email", "receives_assignments", "is_head"]
    list_display = ["full_name", "position", "organisation"]
    search_fields = ["full_name", "organisation__name"]
    add_view_class = ContactCreateView
    copy_view_enabled = False


class ServiceCapacityViewSet(AuditedModelViewSet):
    """Beds, places and slots of an organisation's resources (social passport, HSDS `service_capacity`)."""

    model = ServiceCapacity
    icon = "table"
    form_fields = ["organisation", "help_kind", "unit", "maximum", "available"]
    list_display = ["organisation", "help_kind", "unit", "maximum", "available", "updated_on"]
    search_fields = ["organisation__name"]
    copy_view_enabled = False


class PartnersGroup(ViewSetGroup):
    menu_label = _("Partner registry")
    menu_icon = "group"
    menu_order = 220
    items = (OrganisationViewSet("organisations"), AgreementViewSet("agreements"), ContactViewSet("contacts"),
             ServiceCapacityViewSet("capacities"))


@hooks.register("register_admin_viewset")
def register_partners() -> ViewSetGroup:
    return PartnersGroup()
