"""Outbox sync without loss, outage and degradation (officer finder falls back, /readyz degraded)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.health import readiness
from portal.territory.models import AddressRange, District, Precinct, Street
from portal.territory.selectors import find_precinct, normalise_text
from search import api
from search.backends.embedded import EmbeddedBackend
from search.documents import load_streets
from search.models import OutboxEntry
from search.outbox import enqueue, enqueue_many
from search.sync import reindex, sync

pytestmark = pytest.mark.django_db


def make_street(district: District, precinct: Precinct, name: str, settlement: str = "Заречный") -> Street:
    street = Street.objects.create(district=district, settlement=settlement, kind="ул", name=name,
                                   normalized=normalise_text(name), settlement_normalized=normalise_text(settlement))
    AddressRange.objects.create(street=street, precinct=precinct)
    return street


@pytest.fixture
def region() -> dict[str, object]:
    district = District.objects.create(code="zar-t", name="Заречный тестовый", kind="urban", centre="г. Заречный")
    precinct = Precinct.objects.create(district=district, number=901)
    streets = [make_street(district, precinct, name) for name in ("Ленина", "Гагарина", "Садовая")]
    return {"district": district, "precinct": precinct, "streets": streets}


def index_state(engine: EmbeddedBackend) -> dict[str, dict[str, object]]:
    return {doc_id: engine.get("streets", doc_id) for doc_id in engine.all_ids("streets")}  # type: ignore[misc]


def db_state() -> dict[str, dict[str, object]]:
    import json

    docs = load_streets([str(pk) for pk in Street.objects.values_list("pk", flat=True)])
    return {doc["id"]: json.loads(json.dumps(doc, ensure_ascii=False, default=str)) for doc in docs}


def test_outage_then_sync_loses_nothing(region: dict[str, object], embedded: EmbeddedBackend) -> None:
    streets: list[Street] = region["streets"]  # type: ignore[assignment]
    enqueue_many("street", [s.pk for s in streets])
    assert sync().applied == 3
    assert index_state(embedded) == db_state()

    embedded.fail = True  # engine down during a series of changes
    renamed = streets[0]
    renamed.name = "Ленинская"
    renamed.save()
    enqueue("street", renamed.pk)
    gone = streets[1].pk
    streets[1].delete()
    enqueue("street", gone)
    added = make_street(region["district"], region["precinct"], "Лесная")  # type: ignore[arg-type]
    enqueue("street", added.pk)
    report = sync()
    assert report.failed == 3 and report.applied == 0
    pending = list(OutboxEntry.objects.order_by("id"))
    assert len(pending) == 3 and all(row.attempts == 1 and row.last_error for row in pending)
    with pytest.raises(api.SearchUnavailable):
        api.search("streets", "Лесная")

    embedded.fail = False  # restored
    call_command("search_sync", verbosity=0)
    assert not OutboxEntry.objects.exists()
    assert index_state(embedded) == db_state()
    assert [h["name"] for h in api.search("streets", "Ленинск").hits] == ["Ленинская"]
    assert api.search("streets", "Гагарина").hits == []
    # idempotent: applying the same rows again changes nothing
    enqueue_many("street", [s.pk for s in Street.objects.all()])
    sync()
    assert index_state(embedded) == db_state()


def test_reindex_rebuilds_and_swaps(region: dict[str, object], embedded: EmbeddedBackend) -> None:
    embedded.ensure_index("streets")
    embedded.upsert("streets", [{"id": "999999", "name": "Призрачная"}])  # stale document
    counts = reindex(indexes=["streets"])
    assert counts == {"streets": 3}
    assert index_state(embedded) == db_state()
    call_command("reindex", "streets", verbosity=0)
    assert index_state(embedded) == db_state()


def test_officer_finder_uses_search_and_falls_back(region: dict[str, object], embedded: EmbeddedBackend) -> None:
    enqueue_many("street", [s.pk for s in region["streets"]])  # type: ignore[attr-defined]
    sync()
    found = find_precinct("г. Заречный, ул. Гагрина, 5")
    assert found.status == "found" and found.precinct == region["precinct"]
    embedded.fail = True
    fallback = find_precinct("г. Заречный, ул. Гагрина, 5")
    assert fallback.status == "found" and fallback.precinct == region["precinct"]


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_search_degraded(embedded: EmbeddedBackend) -> None:
    ready, report = readiness()  # closes connections: needs a real (transactional) database
    assert report["components"]["search"]["status"] == "ok"
    embedded.fail = True
    ready, report = readiness()
    assert ready is True  # the portal keeps serving
    assert report["components"]["search"] == {"status": "degraded", "engine": "embedded", "backlog": 0,
                                              "error": "engine_unreachable"}
    assert report["status"] == "degraded"


def test_stale_backlog_is_degraded(embedded: EmbeddedBackend, settings: object) -> None:
    from search.health import status

    enqueue("street", 1)
    assert status()["status"] == "ok" and status()["backlog"] == 1
    settings.SEARCH_BACKLOG_MAX_MINUTES = -1  # type: ignore[attr-defined]
    assert status() | {"oldest_pending_seconds": 0} == {"status": "degraded", "engine": "embedded", "backlog": 1,
                                                         "error": "backlog_stale", "oldest_pending_seconds": 0}
