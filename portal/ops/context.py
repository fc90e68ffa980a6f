"""What the current request is, for log lines, metrics and (later) the jobs it enqueues.

The ASGI middleware (portal.ops.middleware) sets a `RequestInfo` in a context variable for each
request; the object itself is mutable, so Django's worker threads and tasks — which run in copies
of the context — fill in the route and the viewer on the same object. A job runner stores
`current_request_id()` with a job and runs it inside `bound_request(request_id)`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass
class RequestInfo:
    request_id: str
    method: str = ""
    route: str = ""
    #: Pseudonymous viewer id (never the subject itself): see `pseudonym`.
    viewer: str = ""
    graphql_operation: str = ""


_current: ContextVar[RequestInfo | None] = ContextVar("portal_request", default=None)


def current() -> RequestInfo | None:
    return _current.get()


def current_request_id() -> str | None:
    info = _current.get()
    return info.request_id if info else None


def request_id_from_header(value: str | None) -> str:
    """The caller's X-Request-ID when well-formed (letters, digits, `._:-`, ≤ 64), else a new one."""
    if value and _REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def pseudonym(subject: str | None) -> str:
    """A stable pseudonymous id for a viewer: HMAC-SHA256 of the subject keyed with SECRET_KEY (16 hex).

    The same person gets the same id in every log line and process, and the id cannot be turned back
    into the subject without the secret key."""
    if not subject:
        return ""
    from django.conf import settings

    digest = hmac.new(str(settings.SECRET_KEY).encode(), b"viewer:" + subject.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def set_viewer(subject: str | None) -> None:
    info = _current.get()
    if info is not None and subject:
        info.viewer = pseudonym(subject)


@contextmanager
def bound_request(request_id: str | None, **fields: str) -> Iterator[RequestInfo]:
    """Run a piece of work (a job, a command) under a request id: its log lines carry it."""
    info = RequestInfo(request_id=request_id or uuid.uuid4().hex, **fields)
    token = _current.set(info)
    try:
        yield info
    finally:
        _current.reset(token)
