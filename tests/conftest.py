"""Shared fixtures. PostgreSQL is started by portal.testing.pytest_plugin before Django loads."""

from __future__ import annotations

import pytest

from identity.viewer import Viewer


@pytest.fixture
def system_viewer() -> Viewer:
    return Viewer.system("tests")
