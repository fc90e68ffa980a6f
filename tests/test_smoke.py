from __future__ import annotations

import pytest
from django.db import connection

from portal.territory.models import District


@pytest.mark.django_db
def test_database_is_the_configured_one() -> None:
    District.objects.create(code="d", name="Д", kind="urban")
    assert District.objects.count() == 1
    assert connection.vendor in {"postgresql", "sqlite"}
