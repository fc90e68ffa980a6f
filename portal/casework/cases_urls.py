"""URLs of the case card, lists, dashboard and printable documents."""

from __future__ import annotations

from django.urls import URLPattern, path

from portal.casework import actions, documents
from portal.casework.cards.case import CaseCardView
from portal.casework.cards.lists import (
    CaseListView,
    DashboardView,
    PersonCardView,
    PersonListView,
    SignalListView,
)

urlpatterns: list[URLPattern] = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("cases/", CaseListView.as_view(), name="cases"),
    path("cases/<int:pk>/", CaseCardView.as_view(), name="case"),
    path("cases/<int:pk>/programme.pdf", documents.programme_document, name="programme_pdf"),
    path("persons/", PersonListView.as_view(), name="persons"),
    path("persons/<int:pk>/", PersonCardView.as_view(), name="person"),
    path("signals/", SignalListView.as_view(), name="signals"),
    path("signals/<int:pk>/act.pdf", documents.inspection_act_document, name="inspection_act_pdf"),
    path("do/<str:kind>/<int:pk>/<slug:action>/", actions.ActionView.as_view(), name="action"),
]
