"""URL routes of this app (mounted by portal/urls.py at /consultations/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.consultations import views

app_name = "consultations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.consultations_index, name="index"),
    path("<int:pk>/", views.question_detail, name="detail"),
    path("follow/<str:token>/", views.follow_question, name="follow"),
]
