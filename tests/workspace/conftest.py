"""Fixtures of the partner workspace's tests: the gateway tests' small world and users (tests/graph/support.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from tests.graph.support import World, build_world, make_user


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """The world, committed (for tests whose requests run on another connection)."""
    return build_world()


@pytest.fixture(name="make_user")
def make_user_fixture() -> Callable[..., Any]:
    return make_user
