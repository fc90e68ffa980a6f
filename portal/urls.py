"""URL configuration of the Django side (everything the Starlette app does not route itself)."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.site_views import canonical_page_or, favicon
from portal.community import views as community_views
from portal.consultations import views as consultations_views
from portal.navigation import role_home

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # One address per public page: the apps' own addresses of the pages that are also Wagtail pages
    # redirect to those pages (GET/HEAD, query kept); they answer themselves while no page is published.
    path("consultations/", canonical_page_or(consultations_views.consultations_index,
                                             "consultations.ConsultationsPage")),
    path("registry/needs/", canonical_page_or(community_views.needs, "community.NeedsRegistryPage")),
    path("registry/benefactors/", canonical_page_or(community_views.benefactors,
                                                    "community.BenefactorsRegistryPage")),
    path("registry/partners/", canonical_page_or(community_views.partners, "community.PartnersRegistryPage")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("identity.urls")),
    path("home/", role_home, name="role_home"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("cms/", include("cms.urls")),
    path("workspace/", include("portal.workspace.urls")),
    path("consultations/", include("portal.consultations.urls")),
    path("registry/", include("portal.community.urls")),
    path("survey/", include("portal.reports.urls")),
    path("notifications/", include("portal.notifications.urls")),
]

urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns.append(path("", include(wagtail_urls)))
