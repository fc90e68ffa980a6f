"""Publishing, unpublishing and deleting a page reach the public page index through the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cms.models import HomePage, ServiceInfoPage
from search import api
from search.backends.embedded import EmbeddedBackend
from search.models import OutboxEntry
from search.sync import sync


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    api.set_backend(backend)
    yield backend
    api.set_backend(None)


def _titles(query: str) -> list[str]:
    return [hit["title"] for hit in api.search("pages", query).hits]


@pytest.mark.django_db
def test_publish_unpublish_delete_follow_the_page(site_tree: HomePage, engine: EmbeddedBackend) -> None:
    sync(backend=engine)
    page = ServiceInfoPage(title="Компенсация расходов на топливо", slug="toplivo")
    site_tree.add_child(instance=page)
    assert "Компенсация расходов на топливо" not in _titles("топливо")  # a draft is not indexed

    page.save_revision().publish()
    assert OutboxEntry.objects.filter(kind="page", object_id=str(page.pk)).exists()
    sync(backend=engine)
    assert _titles("топливо") == ["Компенсация расходов на топливо"]

    page.unpublish()
    sync(backend=engine)
    assert _titles("топливо") == []

    page.save_revision().publish()
    sync(backend=engine)
    assert _titles("топливо") == ["Компенсация расходов на топливо"]
    page.delete()
    sync(backend=engine)
    assert _titles("топливо") == []
