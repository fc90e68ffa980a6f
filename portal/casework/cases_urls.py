"""URLs of the case card, lists, dashboard and printable documents."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
