"""URL routes of this app (mounted by portal/urls.py at /registry/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.community import views

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.registry_index, name="index"),
    path("partners/", views.partners, name="partners"),
    path("benefactors/", views.benefactors, name="benefactors"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:need_id>/help/", views.offer_help, name="offer"),
    # Open Referral HSDS 3.0 (stable URLs; no trailing slash, as in the HSDS API specification).
    path("hsds", views.hsds_meta),
    path("hsds/", views.hsds_meta, name="hsds"),
    path("hsds/organizations", views.hsds_organizations, name="hsds-organizations"),
    path("hsds/organizations/<str:pk>", views.hsds_organization, name="hsds-organization"),
    path("hsds/services", views.hsds_services, name="hsds-services"),
    path("hsds/services/<str:pk>", views.hsds_service, name="hsds-service"),
    path("hsds/locations", views.hsds_locations, name="hsds-locations"),
    path("hsds/locations/<str:pk>", views.hsds_location, name="hsds-location"),
    path("hsds/service_at_locations", views.hsds_service_at_locations, name="hsds-service-at-locations"),
    path("hsds/service_at_locations/<str:pk>", views.hsds_service_at_location, name="hsds-service-at-location"),
    path("hsds/service_areas", views.hsds_service_areas, name="hsds-service-areas"),
    path("hsds/service_areas/<str:pk>", views.hsds_service_area, name="hsds-service-area"),
    path("hsds/taxonomies", views.hsds_taxonomies, name="hsds-taxonomies"),
    path("hsds/taxonomies/<str:pk>", views.hsds_taxonomy, name="hsds-taxonomy"),
    path("hsds/taxonomy_terms", views.hsds_taxonomy_terms, name="hsds-taxonomy-terms"),
    path("hsds/taxonomy_terms/<str:pk>", views.hsds_taxonomy_term, name="hsds-taxonomy-term"),
]
