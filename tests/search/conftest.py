from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import api
from search.backends.embedded import EmbeddedBackend


def _backends() -> list[str]:
    return ["embedded", "meilisearch"] if os.environ.get("MEILISEARCH_URL") else ["embedded"]


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "embedded":
        engine: object = EmbeddedBackend(tmp_path / "search.sqlite3")
    else:
        from search.backends.meili import MeilisearchBackend

        engine = MeilisearchBackend(os.environ["MEILISEARCH_URL"], os.environ.get("MEILISEARCH_API_KEY", ""),
                                    prefix=f"test{os.getpid()}_{tmp_path.name[-12:]}".replace("-", "_"))
    api.set_backend(engine)  # type: ignore[arg-type]
    yield engine
    api.set_backend(None)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    engine = EmbeddedBackend(tmp_path / "search.sqlite3")
    api.set_backend(engine)
    yield engine
    api.set_backend(None)
