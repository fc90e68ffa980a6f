"""Outbox sync without loss, outage and degradation (officer finder falls back, /readyz degraded)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.health import readiness
from portal.territory.models import AddressRange, District, Precinct, Street
from portal.territory.search_documents import load_streets
from portal.territory.selectors import find_officer, normalise_text
from search import api
from search.backends.embedded import EmbeddedBackend
from search.locking import SearchBusy, search_lock
from search.models import OutboxEntry
from search.outbox import enqueue, enqueue_many
from search.sync import SyncReport, reindex, sync

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


def test_change_during_reindex_is_not_lost(region: dict[str, object], embedded: EmbeddedBackend,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    streets: list[Street] = region["streets"]  # type: ignore[assignment]
    enqueue_many("street", [s.pk for s in streets])
    sync()
    swap = embedded.finish_rebuild
    during: list[SyncReport] = []

    def change_then_swap(name: str, new: str) -> None:
        # Between the build (which read "Ленина") and the swap: a service renames the street, and the
        # `search-sync --loop` worker wakes up. Written to the old live index, the change would be lost.
        renamed = streets[0]
        renamed.name = "Ленинская"
        renamed.save()
        enqueue("street", renamed.pk)
        during.append(sync())
        swap(name, new)

    monkeypatch.setattr(embedded, "finish_rebuild", change_then_swap)
    assert reindex(indexes=["streets"]) == {"streets": 3}
    assert during[0].busy and during[0].applied == 0  # the loop kept off while the reindex ran
    assert not OutboxEntry.objects.exists()  # reindex applied the change after the swap
    assert index_state(embedded) == db_state()
    assert [h["name"] for h in api.search("streets", "Ленинск").hits] == ["Ленинская"]


def test_reindex_settles_the_backlog_it_rebuilt_without_applying_it_again(
        region: dict[str, object], embedded: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    import search.sync as sync_module

    streets: list[Street] = region["streets"]  # type: ignore[assignment]
    enqueue_many("street", [s.pk for s in streets])  # a backlog, as after `portal seed`
    enqueue("organisation", 424242)  # another index's change: still applied after the rebuild
    applied: list[str] = []
    real_apply = sync_module.apply_rows

    def counting_apply(backend: object, rows: list[OutboxEntry]) -> object:
        applied.extend(f"{row.kind}:{row.object_id}" for row in rows)
        return real_apply(backend, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_module, "apply_rows", counting_apply)
    assert reindex(indexes=["streets"]) == {"streets": 3}
    assert not any(item.startswith("street:") for item in applied)  # the build already wrote them
    assert not OutboxEntry.objects.filter(kind="street").exists()
    assert index_state(embedded) == db_state()


def test_only_one_sync_at_a_time(region: dict[str, object], embedded: EmbeddedBackend) -> None:
    enqueue_many("street", [s.pk for s in region["streets"]])  # type: ignore[attr-defined]
    with search_lock() as held:  # another worker is syncing (or a reindex runs)
        assert held
        report = sync()
        assert report == SyncReport(busy=True)
        assert OutboxEntry.objects.count() == 3 and embedded.all_ids("streets") == set()
        with pytest.raises(SearchBusy):
            reindex(indexes=["streets"], lock_wait=0)
    assert sync().applied == 3
    assert index_state(embedded) == db_state()


def test_reindex_waits_for_a_running_sync(region: dict[str, object], embedded: EmbeddedBackend) -> None:
    import threading

    taken, release = threading.Event(), threading.Event()

    def running_sync() -> None:
        with search_lock():
            taken.set()
            release.wait(10)

    worker = threading.Thread(target=running_sync)
    worker.start()
    try:
        assert taken.wait(10)
        threading.Timer(0.3, release.set).start()
        assert reindex(indexes=["streets"], lock_wait=10) == {"streets": 3}
    finally:
        release.set()
        worker.join(10)
    assert index_state(embedded) == db_state()


def test_file_lock_excludes_a_second_holder(tmp_path: object, settings: object) -> None:
    from pathlib import Path

    from search.locking import _FileLock, lock_path

    settings.SEARCH_LOCK_PATH = Path(str(tmp_path)) / "locks" / "search.lock"  # type: ignore[attr-defined]
    first, second = _FileLock(lock_path()), _FileLock(lock_path())
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_officer_finder_uses_search_and_falls_back(region: dict[str, object], embedded: EmbeddedBackend) -> None:
    enqueue_many("street", [s.pk for s in region["streets"]])  # type: ignore[attr-defined]
    sync()
    found = find_officer("г. Заречный, ул. Гагрина, 5")
    assert found.status == "found" and found.precinct is not None
    assert found.precinct.id == region["precinct"].pk  # type: ignore[attr-defined]
    embedded.fail = True
    fallback = find_officer("г. Заречный, ул. Гагрина, 5")
    assert fallback.status == "found" and fallback.precinct == found.precinct


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_search_degraded(embedded: EmbeddedBackend) -> None:
    ready, report = readiness()
    assert report["components"]["search"]["error"] == "index_incomplete"  # never built
    sync()
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

    sync()  # built: every index stamped
    enqueue("street", 1)
    assert status()["status"] == "ok" and status()["backlog"] == 1
    settings.SEARCH_BACKLOG_MAX_MINUTES = -1  # type: ignore[attr-defined]
    assert status() | {"oldest_pending_seconds": 0} == {"status": "degraded", "engine": "embedded", "backlog": 1,
                                                         "error": "backlog_stale", "oldest_pending_seconds": 0}
