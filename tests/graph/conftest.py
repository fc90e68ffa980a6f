"""Fixtures of the gateway tests (helpers in tests/graph/support.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from identity.viewer_cache import viewers
from tests.graph.support import GraphResult, HttpGateway, World, build_world, execute, make_user

__all__ = ["GraphResult", "World"]


@pytest.fixture
def gql() -> Callable[..., GraphResult]:
    return execute


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()
    viewers.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(name="make_user")
def make_user_fixture() -> Callable[..., Any]:
    return make_user


@pytest.fixture
def gateway(portal_server: Any, monkeypatch: pytest.MonkeyPatch) -> HttpGateway:
    return HttpGateway(portal_server.url, monkeypatch)


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """The world, committed (for the server thread and for concurrent threads)."""
    return build_world()

