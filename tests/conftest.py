"""Shared fixtures. PostgreSQL is started by portal.testing.pytest_plugin before Django loads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portal.core.viewer import Viewer
from portal.testing.server import RunningServer, start_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(autouse=True)
def fresh_public_caches() -> None:
    """Each test starts with no cached public page, site or chrome (a rolled-back test's pages are gone, but the
    local-memory cache outlives the rollback), and no remembered locale rows."""
    from cms import i18n, page_cache

    page_cache._new_generation()
    i18n.forget_locales()


@pytest.fixture
def system_viewer() -> Viewer:
    return Viewer.system("tests")


@pytest.fixture
def portal_server(transactional_db: None) -> Iterator[RunningServer]:
    """The whole portal (portal.asgi:app) on a free local port, seeing committed test data."""
    running = start_server()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never downloads a browser).

    Module-scoped on purpose: Playwright's sync API keeps an event loop running on the main
    thread while it is open, and Django then refuses ORM calls in later, non-browser tests.
    """
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ru-RU")
    try:
        yield context.new_page()
    finally:
        context.close()
