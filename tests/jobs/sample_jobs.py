"""Jobs used by the job-runner tests (importable by worker processes as `tests.jobs.sample_jobs`). Each run
appends a row to the `test_job_runs` table (created by the tests), so a test counts runs per key."""

from __future__ import annotations

import time

from django.db import connection

from portal.jobs import Backoff, job

RUNS_TABLE = "test_job_runs"


def create_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (run_key VARCHAR(100) NOT NULL, "
                       "finished BOOLEAN NOT NULL)")
        cursor.execute(f"DELETE FROM {RUNS_TABLE}")


def drop_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")


def runs(key: str | None = None, *, finished: bool | None = None) -> list[str]:
    sql, params = f"SELECT run_key FROM {RUNS_TABLE} WHERE 1=1", []
    if key is not None:
        sql, params = sql + " AND run_key = %s", [*params, key]
    if finished is not None:
        sql, params = sql + " AND finished = %s", [*params, finished]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _record(key: str, *, finished: bool = True) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (run_key, finished) VALUES (%s, %s)", [key, finished])


@job()
def record(key: str, pause: float = 0.0) -> str:
    if pause:
        time.sleep(pause)
    _record(key)
    return key


@job(max_attempts=3, backoff=Backoff(base=5, factor=4, cap=600))
def flaky(key: str, failures: int) -> int:
    """Fails its first `failures` runs, then succeeds."""
    done = len(runs(key))
    _record(key)
    if done < failures:
        raise RuntimeError(f"failure {done + 1} of {failures}")
    return done + 1


@job()
def slow(key: str, seconds: float) -> str:
    _record(key, finished=False)
    time.sleep(seconds)
    _record(key)
    return key
