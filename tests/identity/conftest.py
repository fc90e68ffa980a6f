from __future__ import annotations

import pytest

from portal.testing import factories


@pytest.fixture
def region_orgs(db: None) -> None:
    """Active partner organisations and institutions of the demo region (one partner inactive)."""
    from portal.partners.models import Organisation

    factories.demo_organisations()
    Organisation.objects.filter(code="clinic-2").update(active=False)
