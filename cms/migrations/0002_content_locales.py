"""A Locale row for every content language (settings.WAGTAIL_CONTENT_LANGUAGES), so that the admin's
"Translate" action offers English right after deployment (Wagtail itself creates only the default)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations


def create_locales(apps: Any, schema_editor: Any) -> None:
    locale_model = apps.get_model("wagtailcore", "Locale")
    for code, _name in getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", []):
        locale_model.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
