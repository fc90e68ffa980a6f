"""The Viewer of a verified access token, kept for a short time so that a client sending the same token on
every request is not looked up (account, organisation, agreement, officer precincts) every time.

Keyed by the SHA-256 of the exact token text: only a token that was verified in full (signature and claims) is
ever stored, so a hit is the same bytes the verifier accepted. An entry lives until 30 s before the token's
`exp` and at most 60 s (`MAX_SECONDS`): the at-most-60-s bound is what keeps other processes honest — a
deactivation seen in this process drops every entry at once (signals below, again after the commit), another
worker process sees it within a minute, and an agreement that lapses at midnight stops counting within a
minute too. The map is bounded (`MAX_ENTRIES`, oldest entries leave first) and in-process: a lookup costs a
dictionary access, no network round trip, which is the point (issue 18: the two user lookups were 8 % of a
gateway request).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.accounts.models import StaffProfile
from portal.core.viewer import Viewer
from portal.partners.models import Agreement, Organisation
from portal.territory.models import Officer, Precinct

#: Longest life of an entry, whatever the token's expiry.
MAX_SECONDS = 60.0
#: An entry ends this long before the token's `exp`.
EXPIRY_MARGIN_SECONDS = 30.0
MAX_ENTRIES = 10_000


class ViewerCache:
    """Bounded token → Viewer map with a per-entry deadline; `clear()` drops everything (deactivation)."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_seconds: float = MAX_SECONDS,
                 margin_seconds: float = EXPIRY_MARGIN_SECONDS, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.max_seconds = max_seconds
        self.margin_seconds = margin_seconds
        self._clock = clock
        self._wall_clock = wall_clock
        self._entries: OrderedDict[bytes, tuple[float, Viewer]] = OrderedDict()
        self._lock = threading.Lock()
        #: Bumped by `clear()`: a Viewer built while a deactivation happened is not stored.
        self.generation = 0

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()

    def get(self, token: str) -> Viewer | None:
        key = self.key(token)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= self._clock():
                del self._entries[key]
                return None
            return found[1]

    def lifetime(self, claims: dict[str, Any]) -> float:
        """Seconds an entry for these claims may live: min(exp − margin − now, max_seconds); ≤ 0: not stored."""
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            return 0.0
        return min(float(exp) - self.margin_seconds - self._wall_clock(), self.max_seconds)

    def put(self, token: str, claims: dict[str, Any], viewer: Viewer, *, generation: int) -> None:
        """Store `viewer`, unless `clear()` ran since `generation` was read (the Viewer may predate it)."""
        seconds = self.lifetime(claims)
        if seconds <= 0:
            return
        key = self.key(token)
        with self._lock:
            if generation != self.generation:
                return
            self._entries[key] = (self._clock() + seconds, viewer)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


viewers = ViewerCache()


def _forget_viewers(**_kwargs: Any) -> None:
    """A change to who someone acts as: drop every cached Viewer now and again once the change is committed
    (a request reading the old row before the commit must not keep it)."""
    viewers.clear()
    transaction.on_commit(viewers.clear)


#: What a Viewer is built from: the account, the partner organisation or institution (its `active`), its
#: agreements on interaction, the staff profile, the officer record and its precincts.
_WATCHED = (get_user_model(), Organisation, Agreement, StaffProfile, Officer, Precinct)
for _model in _WATCHED:
    post_save.connect(_forget_viewers, sender=_model, dispatch_uid=f"viewer-cache-save-{_model._meta.label}")
    post_delete.connect(_forget_viewers, sender=_model, dispatch_uid=f"viewer-cache-delete-{_model._meta.label}")
m2m_changed.connect(_forget_viewers, sender=get_user_model().groups.through, dispatch_uid="viewer-cache-groups")
