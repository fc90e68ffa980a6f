"""Coarse gates of the gateway (who may call which part at all).

Fine-grained authorisation (which organisation, precinct or institution) lives in the domain
selectors and services; these checks only refuse early, with a clear typed error, callers who
have no business with a part of the API (e.g. an anonymous caller asking for `myMeasures`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from strawberry.types import Info

from graph.context import GraphContext
from graph.errors import Forbidden, RateLimited, Unauthenticated
from graph.unit import run_unit
from portal.audit import services as audit
from portal.core.viewer import Role, Viewer

#: Roles that run cases (write); supervisors only read.
CASE_WORKER_ROLES = (Role.OFFICER, Role.COORDINATOR, Role.ADMIN)


def require_signed_in(viewer: Viewer) -> Viewer:
    if viewer.is_anonymous:
        raise Unauthenticated()
    return viewer


def require_measure_reader(viewer: Viewer) -> Viewer:
    """Partners (of an organisation) and staff who read cases."""
    require_signed_in(viewer)
    if not (viewer.is_partner or viewer.is_staff_reader):
        raise Forbidden(_("Only partner organisations and social-support staff see measures."))
    return viewer


def require_staff_reader(viewer: Viewer) -> Viewer:
    require_signed_in(viewer)
    if not viewer.is_staff_reader:
        raise Forbidden(_("Only social-support staff see cases, persons and signals."))
    return viewer


def require_case_worker(viewer: Viewer) -> Viewer:
    require_signed_in(viewer)
    if not viewer.has_role(*CASE_WORKER_ROLES):
        raise Forbidden(_("Only officers and coordinators change cases."))
    return viewer


def require_signal_reporter(viewer: Viewer) -> Viewer:
    """Signals come from partners and staff (services decide the rest)."""
    require_signed_in(viewer)
    if not (viewer.is_partner or viewer.has_role(*CASE_WORKER_ROLES)):
        raise Forbidden(_("Only partner organisations and social-support staff report signals."))
    return viewer


async def gate_write(info: Info, gate: Callable[[Viewer], Viewer]) -> Viewer:
    """The gate of a mutation: a signed-in caller refused here leaves an attempt row in the audit trail, like a
    refusal by the services (an anonymous call is nobody's attempt: it is only answered)."""
    viewer: Viewer = info.context.viewer
    try:
        return gate(viewer)
    except Forbidden as error:
        await run_unit(info, audit.record_attempt, viewer=viewer, verb=f"graphql.{info.field_name}",
                       object_type="graphql.mutation", object_id=info.field_name, code=error.code,
                       message=error.message)
        raise


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
