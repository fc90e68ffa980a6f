"""URL routes of the CMS app, mounted at /cms/ by portal/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from cms import views

app_name = "cms"

urlpatterns: list[URLPattern | URLResolver] = [
    path("graphql", views.graphql_view(), name="graphql"),
    path("graphql/", views.graphql_view(), name="graphql-slash"),
    path("api/streets", views.street_suggestions, name="street-suggestions"),
    path("api/officer", views.find_officer_json, name="find-officer"),
]
