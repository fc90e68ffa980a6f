"""Loaded before Django settings (`-p portal.testing.pytest_plugin` in pytest's addopts).

Tests run on PostgreSQL started here unless DATABASE_URL is given, or PORTAL_TEST_DB=sqlite
selects the embedded default (the SQLite smoke run of CI).
"""

from __future__ import annotations

import atexit
import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEVREALM_ALLOW_WITHOUT_DEBUG", "1")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-test-data-"))
os.environ.setdefault("DATABASE_POOL", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Jobs run inline at enqueue (tests of the queue itself select the database backend: tests/jobs).
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

if not os.environ.get("DATABASE_URL") and os.environ.get("PORTAL_TEST_DB", "postgres") != "sqlite":
    from portal.testing.postgres import start_temporary_postgres  # only when no database is given

    _cluster = start_temporary_postgres()
    atexit.register(_cluster.stop)
    os.environ["DATABASE_URL"] = _cluster.url


def pytest_configure(config: object) -> None:
    # The audit table is append-only in the database; the flush between transactional tests must still empty it.
    from portal.audit.db import allow_test_flush  # after pytest-django's django.setup(): the plugin loads first

    allow_test_flush()
