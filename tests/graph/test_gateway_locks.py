"""A lock held by another database connection: writes that need it get a typed, translated "try again" (the partner
workspace: HTTP 503 with Retry-After) once the database stops waiting (PostgreSQL lock_timeout, SQLite's busy
timeout), never an internal error; unrelated reads are answered meanwhile (the gateway's write pool is apart
from its read pool, graph.threads)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from portal.cases.models import Measure

ACCEPT = "mutation($id: ID!, $version: Int!) { acceptMeasure(id: $id, version: $version) { id status } }"
READ = "{ districts { code } }"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL row locks")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite database lock")


@contextmanager
def row_locked(measure_id: int) -> Iterator[None]:
    """A row lock on the measure held by another connection (PostgreSQL), or SQLite's write lock."""
    table = Measure._meta.db_table
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("options", None)
        holder = psycopg.connect(**params)
        try:
            holder.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [measure_id])
            yield
        finally:
            holder.rollback()
            holder.close()
    else:
        name = connection.settings_dict["NAME"]
        uri = connection.creation._get_test_db_name() if not str(name).startswith("file:") else name  # type: ignore[attr-defined]
        holder = sqlite3.connect(str(uri), uri=str(uri).startswith("file:"), isolation_level=None, timeout=0)
        try:
            holder.execute("BEGIN IMMEDIATE")
            holder.execute(f"UPDATE {table} SET task = task WHERE id = ?", [measure_id])
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


def _concurrently(calls: list[Any]) -> list[tuple[float, Any]]:
    """Run the calls at once; (time finished, result) of each, in order."""
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        outcome = calls[index]()
        results[index] = (time.monotonic(), outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # the writes first, then the read
    for thread in threads:
        thread.join(timeout=60)
    return results


def _timeouts(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.GRAPHQL_WRITE_THREADS, settings.GRAPHQL_READ_THREADS = 2, 4
    options = connection.settings_dict.setdefault("OPTIONS", {})
    if connection.vendor == "postgresql":
        monkeypatch.setitem(options, "options", "-c lock_timeout=1500 -c statement_timeout=20000")
    else:
        monkeypatch.setitem(options, "timeout", 1)


@pytest.mark.parametrize("vendor", [pytest.param("postgresql", marks=postgres_only),
                                    pytest.param("sqlite", marks=sqlite_only)])
def test_held_lock_means_try_again_and_reads_do_not_wait(live_world, gateway, settings, monkeypatch,
                                                         vendor) -> None:
    _timeouts(monkeypatch, settings)
    school = live_world.partner(live_world.school)
    measure = Measure.objects.get(pk=live_world.m_school.pk)
    variables = {"id": str(measure.pk), "version": measure.version}
    writes = 6  # three times the write pool: before, the shared executor (6 threads here) was filled by them
    with row_locked(measure.pk):
        answers = _concurrently([lambda: gateway.post(school, ACCEPT, variables)] * writes
                                + [lambda: gateway.post(None, READ)])
    *written, (read_at, (read_status, read)) = answers
    assert read_status == 200 and read.errors == [] and read.data["districts"]
    if vendor == "postgresql":  # (the in-memory SQLite of the tests refuses a locked write at once, without waiting)
        assert all(read_at < done_at for done_at, _answer in written), "the read waited for the locked writes"
    for _done_at, (status, result) in written:
        assert status == 200 and result.code == "try_again", result.errors
        error = result.errors[0]
        assert error["message"] == "Эти данные сейчас изменяет кто-то другой. Повторите попытку через несколько секунд."
        assert error["extensions"]["retryAfter"] == 5
    assert Measure.objects.get(pk=measure.pk).status == "assigned"
    # Once the lock is gone the same write goes through.
    status, done = gateway.post(school, ACCEPT, variables, language="en")
    assert done.errors == [] and done.data["acceptMeasure"]["status"] == "ACCEPTED"


@pytest.mark.parametrize("vendor", [pytest.param("postgresql", marks=postgres_only),
                                    pytest.param("sqlite", marks=sqlite_only)])
def test_workspace_answers_503_with_retry_after(live_world, client, make_user, settings, monkeypatch,
                                                vendor) -> None:
    _timeouts(monkeypatch, settings)
    client.force_login(make_user("school.staff", role="partner", organisation=live_world.school))
    measure = Measure.objects.get(pk=live_world.m_school.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the workspace runs in this thread, on this connection
            cursor.execute("SET lock_timeout = '800ms'")
    with row_locked(measure.pk):
        response = client.post(f"/workspace/measures/{measure.pk}/accept/", {"version": measure.version},
                               HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Эти данные сейчас изменяет кто-то другой" in page
    assert Measure.objects.get(pk=measure.pk).status == "assigned"
