"""Browser tests: Playwright's sync API keeps an event loop running on the main thread while a browser
is open. The ORM calls of these tests (seeding, transactional_db's flush) are still plain sync code, so
Django's async guard is lifted for this package only; the browser fixture is module-scoped so the loop is
gone before non-browser tests run."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
