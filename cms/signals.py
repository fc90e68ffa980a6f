"""Keep the public page index in step with publishing: every publish, unpublish, move or delete
of a page writes a search outbox row in the same transaction (the sync applies it later)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from search.outbox import enqueue, enqueue_many


def _enqueue_subtree(page: Page) -> None:
    # Unpublishing or moving a page changes the URL or visibility of its descendants too.
    enqueue_many("page", Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))


def page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    _enqueue_subtree(instance)


def page_moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    _enqueue_subtree(instance)


def page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        # The row is gone; the sync finds no live page and removes the document.
        enqueue("page", instance.pk)


def connect() -> None:
    page_published.connect(page_changed, dispatch_uid="cms.search.published")
    page_unpublished.connect(page_changed, dispatch_uid="cms.search.unpublished")
    post_page_move.connect(page_moved, dispatch_uid="cms.search.moved")
    post_delete.connect(page_deleted, dispatch_uid="cms.search.deleted")
