"""Coarse gates of the gateway (who may call which part at all), declared on the field as strawberry
permission classes: `extensions=gate(StaffReader())` on a query, `extensions=write_gate(CaseWorker())` on a
mutation.

Fine-grained authorisation (which organisation, precinct or institution) lives in the domain selectors and
services; these checks only refuse early, with a clear typed error, callers who have no business with a part of
the API (e.g. an anonymous caller asking for `myMeasures`). The per-viewer mutation rate is checked inside the
mutation's unit of work (`check_mutation_rate`).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from graph.context import GraphContext
from graph.errors import Forbidden, RateLimited, Unauthenticated
from graph.unit import run_unit
from portal.audit import services as audit
from portal.core.viewer import Role, Viewer

#: Roles that run cases (write); supervisors only read.
CASE_WORKER_ROLES = (Role.OFFICER, Role.COORDINATOR, Role.ADMIN)


class SignedIn(BasePermission):
    """Any signed-in caller. Subclasses add to `check`, which raises the typed refusal (never returns False: the
    refusal's own message and code are the answer)."""

    def check(self, viewer: Viewer) -> None:
        if viewer.is_anonymous:
            raise Unauthenticated()

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        self.check(info.context.viewer)
        return True


class MeasureReader(SignedIn):
    """Partners (of an organisation) and staff who read cases."""

    def check(self, viewer: Viewer) -> None:
        super().check(viewer)
        if not (viewer.is_partner or viewer.is_staff_reader):
            raise Forbidden(_("Only partner organisations and social-support staff see measures."))


class StaffReader(SignedIn):
    def check(self, viewer: Viewer) -> None:
        super().check(viewer)
        if not viewer.is_staff_reader:
            raise Forbidden(_("Only social-support staff see cases, persons and signals."))


class CaseWorker(SignedIn):
    def check(self, viewer: Viewer) -> None:
        super().check(viewer)
        if not viewer.has_role(*CASE_WORKER_ROLES):
            raise Forbidden(_("Only officers and coordinators change cases."))


class TransferReceiver(SignedIn):
    """Accepting or declining a transfer of a case is the receiving institution's coordinator's (or an admin's);
    which institution is the service's to check."""

    def check(self, viewer: Viewer) -> None:
        super().check(viewer)
        if not viewer.has_role(Role.COORDINATOR, Role.ADMIN):
            raise Forbidden(_("Only the receiving institution's coordinator accepts or declines a transfer."))


class SignalReporter(SignedIn):
    """Signals come from partners and staff (the services decide the rest)."""

    def check(self, viewer: Viewer) -> None:
        super().check(viewer)
        if not (viewer.is_partner or viewer.has_role(*CASE_WORKER_ROLES)):
            raise Forbidden(_("Only partner organisations and social-support staff report signals."))


class AuditedWrite(BasePermission):
    """The gate of a mutation: a signed-in caller refused here leaves an attempt row in the audit trail, like a
    refusal by the services (an anonymous call is nobody's attempt: it is only answered)."""

    def __init__(self, gate: SignedIn) -> None:
        self.gate = gate

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer: Viewer = info.context.viewer
        try:
            self.gate.check(viewer)
        except Forbidden as error:
            await run_unit(info, audit.record_attempt, viewer=viewer, verb=f"graphql.{info.field_name}",
                           object_type="graphql.mutation", object_id=info.field_name, code=error.code,
                           message=error.message)
            raise
        return True


def gate(permission: SignedIn) -> list[FieldExtension]:
    """The field extensions of a gated query field (no schema directive: the printed schema stays the API's)."""
    return [PermissionExtension(permissions=[permission], use_directives=False)]


def write_gate(permission: SignedIn) -> list[FieldExtension]:
    """The field extensions of a gated mutation (refusals audited)."""
    return [PermissionExtension(permissions=[AuditedWrite(permission)], use_directives=False)]


def check_mutation_rate(context: GraphContext) -> None:
    """At most settings.GRAPHQL_MUTATIONS_PER_MINUTE mutations per viewer (or client address) and minute.

    Counted in the Django cache (shared between workers when the cache is shared)."""
    limit = int(settings.GRAPHQL_MUTATIONS_PER_MINUTE)
    if limit <= 0:
        return
    who = context.viewer.subject or f"anon:{context.client}"
    now = int(time.time())
    window = now // 60
    key = f"graph:mutations:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{window}"
    if cache.add(key, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
    if count > limit:
        raise RateLimited(retry_after=60 - now % 60)
