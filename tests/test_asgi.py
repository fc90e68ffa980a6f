from __future__ import annotations

import httpx
import pytest

from portal.territory.models import District
from portal.testing.server import RunningServer


@pytest.mark.django_db(transaction=True)
def test_probes_and_public_graphql(portal_server: RunningServer) -> None:
    District.objects.create(code="north", name="Северный район", kind="rural", population=9000)
    with httpx.Client(base_url=portal_server.url, timeout=10) as client:
        assert client.get("/healthz").text == "ok"
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["components"]["database"]["status"] == "ok"
        answer = client.post("/graphql", json={"query": "{ districts { code name kind } }"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["districts"] == [{"code": "north", "name": "Северный район", "kind": "rural"}]
