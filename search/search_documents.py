"""The site's public pages (Wagtail): live, not the root, not behind a view restriction.

Wagtail is a library, not a domain app, so its pages are declared here; `cms` writes their outbox rows
when a page is published, unpublished, moved or deleted (`cms/signals.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from search.registry import Document, DocumentType, IndexSpec, int_ids, register_index, register_type

_TAG = re.compile(r"<[^>]+>")
_BLOCK_ID = re.compile(r"[0-9a-f-]{36}")


def _strings(value: Any) -> Iterable[str]:
    """Every string inside StreamField raw data / rich text (HTML tags stripped)."""
    if isinstance(value, str):
        text = _TAG.sub(" ", value).strip()
        if text and not _BLOCK_ID.fullmatch(text):  # skip block ids
            yield text
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("id", "type"):
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def page_text(page: Any) -> str:
    """Body text of a specific page: its StreamField, rich-text and text fields."""
    from django.db import models as dj
    from wagtail.fields import RichTextField, StreamField
    from wagtail.models import Page

    base = {f.name for f in Page._meta.get_fields()}
    parts: list[str] = []
    for model_field in type(page)._meta.get_fields():
        if model_field.name in base:
            continue
        if isinstance(model_field, StreamField):
            value = getattr(page, model_field.name)
            parts.extend(_strings(getattr(value, "raw_data", None) and list(value.raw_data)))
        elif isinstance(model_field, RichTextField | dj.TextField):
            parts.extend(_strings(getattr(page, model_field.name) or ""))
    return " ".join(parts)[:20000]


def load_pages(ids: Sequence[str]) -> list[Document]:
    from wagtail.models import Page, PageViewRestriction

    pages = Page.objects.live().filter(pk__in=int_ids(ids), depth__gt=1).specific()
    private_paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    documents = []
    for page in pages:
        if any(page.path.startswith(path) for path in private_paths):
            continue
        documents.append({
            "id": str(page.pk),
            "title": page.title,
            "search_description": page.search_description,
            "text": page_text(page),
            "url": page.url or "",
            "page_type": page._meta.model_name,
        })
    return documents


def page_ids() -> Iterable[int]:
    from wagtail.models import Page

    return Page.objects.live().filter(depth__gt=1).order_by("pk").values_list("pk", flat=True)


register_index(IndexSpec("pages", searchable=("title", "search_description", "text"), filterable=("page_type",),
                         sortable=("title",), default_sort="title"))
register_type(DocumentType(kind="page", index="pages", load=load_pages, all_ids=page_ids))
