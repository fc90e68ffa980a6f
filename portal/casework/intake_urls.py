"""URLs of the intake flow: signal → check and inspection act → application and consent →
household and persons → registration → programme and its approval."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
