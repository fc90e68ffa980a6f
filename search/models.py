"""Transactional outbox of search updates (written in the same transaction as the change)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEntry(models.Model):
    """One pending change of a search document: applied in id order by `portal search-sync`."""

    kind = models.CharField(_("document kind"), max_length=32)
    object_id = models.CharField(_("object id"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("search outbox entry")
        verbose_name_plural = _("search outbox entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class IndexStamp(models.Model):
    """The build of a logical index the portal expects the engine to hold.

    `portal reindex` (and `search-sync` when it rebuilds a lost index) writes a new random token into the
    engine next to the index, then here. An engine whose token is missing (index lost, engine data wiped)
    or different (restored from an older backup) holds an incomplete index: sync rebuilds it and `/readyz`
    reports search as degraded until then."""

    name = models.CharField(_("index"), max_length=64, primary_key=True)
    token = models.CharField(_("build token"), max_length=64)
    built_at = models.DateTimeField(_("built at"))
    documents = models.PositiveIntegerField(_("documents written"), default=0)

    class Meta:
        verbose_name = _("search index build")
        verbose_name_plural = _("search index builds")

    def __str__(self) -> str:
        return f"{self.name}@{self.token[:8]}"
