"""Issue 11 finding 9: a lost, replaced or partial index is detected and rebuilt by `portal search-sync`
alone; `/readyz` tells the truth about it; a failing sync exits non-zero."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from portal.consultations import services as consultations
from portal.consultations.models import Question, Topic
from portal.core.viewer import Role, Viewer
from portal.testing import factories
from search import api
from search.backends.embedded import EmbeddedBackend
from search.health import status
from search.models import IndexStamp, OutboxEntry
from search.sync import SyncReport, sync
from tests.search.test_degradation import shown_questions

pytestmark = pytest.mark.django_db


def lose(engine: EmbeddedBackend) -> None:
    """The index file is gone (disk replaced, volume wiped, `rm var/search.sqlite3*`)."""
    engine.close()
    for suffix in ("", "-wal", "-shm"):
        Path(engine.path + suffix).unlink(missing_ok=True)


def published(topic: Topic, district: object, text: str, answer: str) -> Question:
    """A published answer, by an editor who moderates the topic."""
    from django.contrib.auth import get_user_model

    user, _new = get_user_model().objects.get_or_create(username="recovery-editor")
    topic.moderators.add(user)
    editor = Viewer(subject="sub-recovery-editor", username="recovery-editor", display_name="Лебедева Юлия",
                    roles=frozenset({Role.EDITOR}), user_id=user.pk)
    question = consultations.ask_question(author_name="Анна", email="", topic_id=topic.pk,
                                          district_id=district.pk, text=text, consent=True)  # type: ignore[attr-defined]
    consultations.answer_question(viewer=editor, question_id=question.pk, answer=answer)
    return consultations.publish_question(viewer=editor, question_id=question.pk)


@pytest.fixture
def answers() -> list[int]:
    district = factories.district(code="rec-c", name="Ленинский район")
    topic = Topic.objects.create(name="Пособия и выплаты", slug="rec-benefits", sort_order=1)
    return [published(topic, district, f"Как получить пособие номер {n}?", "Через Госуслуги.").pk for n in range(5)]


def test_search_sync_alone_rebuilds_a_lost_index(embedded: EmbeddedBackend, answers: list[int]) -> None:
    call_command("search_sync", verbosity=0)
    assert len(api.search("consultations", "пособие").hits) == 5
    lose(embedded)
    district = factories.district(code="rec-d", name="Северный район")
    topic = Topic.objects.get(slug="rec-benefits")
    sixth = published(topic, district, "Как получить пособие шестое?", "Через МФЦ.").pk  # outbox: this one only
    assert OutboxEntry.objects.count() >= 1

    call_command("search_sync", verbosity=0)

    found = sorted(int(hit["id"]) for hit in api.search("consultations", "пособие").hits)
    assert found == sorted([*answers, sixth])  # before: only the sixth (5 of 6 hidden until `portal reindex`)
    page = Client().get("/consultations/", {"q": "пособие"})
    assert sorted(shown_questions(page)) == sorted([*answers, sixth])
    assert status()["status"] == "ok"


def test_an_index_restored_from_an_older_copy_is_rebuilt(embedded: EmbeddedBackend, answers: list[int],
                                                         tmp_path: Path) -> None:
    sync()
    backup = tmp_path / "backup.sqlite3"
    embedded.close()
    src = sqlite3.connect(embedded.path)
    with sqlite3.connect(backup) as dst:
        src.backup(dst)
    src.close()
    call_command("reindex", verbosity=0)  # a newer build...
    lose(embedded)
    backup.rename(embedded.path)  # ...then the old copy comes back
    assert status() | {"indexes": []} == {"status": "degraded", "engine": "embedded", "backlog": 0,
                                          "error": "index_incomplete", "indexes": []}
    report = sync()
    assert report.ok and "consultations" in report.rebuilt
    assert status()["status"] == "ok"


def test_readyz_is_degraded_while_the_index_is_lost_or_unreadable(embedded: EmbeddedBackend,
                                                                 answers: list[int]) -> None:
    sync()
    assert status()["status"] == "ok"
    lose(embedded)
    report = status()
    assert report["status"] == "degraded" and report["error"] == "index_incomplete"
    assert "consultations" in report["indexes"]
    sync()
    assert status()["status"] == "ok"
    embedded.close()
    Path(embedded.path).write_bytes(b"not a database at all" * 100)  # the file cannot be opened
    assert status() == {"status": "degraded", "engine": "embedded", "backlog": 0, "error": "engine_unreachable"}


def test_a_running_server_notices_the_file_was_replaced(embedded: EmbeddedBackend, answers: list[int]) -> None:
    sync()
    assert embedded.health()
    for suffix in ("", "-wal", "-shm"):  # deleted under the open connection (no close)
        Path(embedded.path + suffix).unlink(missing_ok=True)
    assert status()["status"] == "degraded"  # before: the open connection kept reading the unlinked copy
    sync()
    assert len(api.search("consultations", "пособие").hits) == 5


def _sync_when_free(*, verify: bool = False) -> SyncReport:
    """`sync`, waiting (at most 30 s) while another holder has the search lock: this test is about repairing, and
    a busy answer repairs nothing. Busy semantics are `test_search_sync.test_only_one_sync_at_a_time`'s. Seen once
    in CI (stop 23): a holder outside this test had the lock; a still-busy answer names the lock's holders."""
    deadline = time.monotonic() + 30
    report = sync(verify=verify)
    while report.busy and time.monotonic() < deadline:
        time.sleep(0.2)
        report = sync(verify=verify)
    assert not report.busy, f"search lock still held after 30 s: {_lock_holders()}"
    return report


def _lock_holders() -> list[tuple[object, ...]]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.pid, a.application_name, a.state, a.query FROM pg_locks l "
                       "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted")
        return list(cursor.fetchall())


def test_verify_repairs_missing_and_extra_documents(embedded: EmbeddedBackend, answers: list[int]) -> None:
    _sync_when_free()
    embedded.delete("consultations", [str(answers[0]), str(answers[1])])  # partial loss, stamp intact
    embedded.upsert("consultations", [{"id": "999999", "title": "призрак пособие"}])
    assert _sync_when_free().repaired == 0  # a plain drain does not compare
    report = _sync_when_free(verify=True)
    assert report.ok and report.repaired == 3
    assert sorted(int(h["id"]) for h in api.search("consultations", "пособие").hits) == sorted(answers)
    call_command("search_sync", verbosity=0)  # the command verifies by default: nothing left to repair
    assert _sync_when_free(verify=True).repaired == 0


def test_pending_changes_are_not_taken_for_damage(embedded: EmbeddedBackend, answers: list[int]) -> None:
    sync()
    embedded.delete("consultations", [str(answers[0])])
    OutboxEntry.objects.create(kind="consultation", object_id=str(answers[0]))
    with pytest.MonkeyPatch.context() as patch:  # the drain is skipped: the row stays pending
        import search.sync as sync_module

        patch.setattr(sync_module, "_drain", lambda backend, **kw: sync_module.SyncReport())
        assert sync(verify=True).repaired == 0


def test_search_sync_exits_non_zero_after_failing(embedded: EmbeddedBackend, answers: list[int]) -> None:
    embedded.fail = True
    with pytest.raises(CommandError, match="search sync failed"):
        call_command("search_sync", verbosity=0)
    embedded.fail = False
    call_command("search_sync", verbosity=0)
    assert set(IndexStamp.objects.values_list("name", flat=True)) >= {"consultations", "streets"}
