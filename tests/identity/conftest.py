from __future__ import annotations

import pytest

from portal.demo.region import INSTITUTIONS, PARTNERS


@pytest.fixture
def region_orgs(db: None) -> None:
    """Active partner organisations and institutions of the demo region (one partner inactive)."""
    from portal.partners.models import Organisation

    for spec in [*INSTITUTIONS, *PARTNERS]:
        Organisation.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "kind": spec["kind"], "active": True})
    Organisation.objects.filter(code="clinic-2").update(active=False)
