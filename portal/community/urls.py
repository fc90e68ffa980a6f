"""URL routes of this app (mounted by portal/urls.py at /registry/)."""

from __future__ import annotations

from collections.abc import Callable

from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, path

from portal.community import views

app_name = "community"


def _both(route: str, view: Callable[..., HttpResponseBase], name: str) -> list[URLPattern]:
    """The route without a trailing slash (named) and with one."""
    return [path(route, view, name=name), path(f"{route}/", view)]


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.registry_index, name="index"),
    path("partners/", views.partners, name="partners"),
    path("benefactors/", views.benefactors, name="benefactors"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:need_id>/help/", views.offer_help, name="offer"),
    # Open Referral HSDS 3.0: the API profile's paths have no trailing slash; both forms answer alike.
    path("hsds", views.hsds_meta),
    path("hsds/", views.hsds_meta, name="hsds"),
    *_both("hsds/organizations", views.hsds_organizations, "hsds-organizations"),
    *_both("hsds/organizations/<str:pk>", views.hsds_organization, "hsds-organization"),
    *_both("hsds/services", views.hsds_services, "hsds-services"),
    *_both("hsds/services/<str:pk>", views.hsds_service, "hsds-service"),
    *_both("hsds/locations", views.hsds_locations, "hsds-locations"),
    *_both("hsds/locations/<str:pk>", views.hsds_location, "hsds-location"),
    *_both("hsds/service_at_locations", views.hsds_service_at_locations, "hsds-service-at-locations"),
    *_both("hsds/service_at_locations/<str:pk>", views.hsds_service_at_location, "hsds-service-at-location"),
    *_both("hsds/service_areas", views.hsds_service_areas, "hsds-service-areas"),
    *_both("hsds/service_areas/<str:pk>", views.hsds_service_area, "hsds-service-area"),
    *_both("hsds/taxonomies", views.hsds_taxonomies, "hsds-taxonomies"),
    *_both("hsds/taxonomies/<str:pk>", views.hsds_taxonomy, "hsds-taxonomy"),
    *_both("hsds/taxonomy_terms", views.hsds_taxonomy_terms, "hsds-taxonomy-terms"),
    *_both("hsds/taxonomy_terms/<str:pk>", views.hsds_taxonomy_term, "hsds-taxonomy-term"),
]
