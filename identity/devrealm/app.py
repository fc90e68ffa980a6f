"""Development realm ASGI app (filled in by the single sign-on issue)."""

from __future__ import annotations

from starlette.applications import Starlette


def create_devrealm_app() -> Starlette:
    return Starlette(routes=[])
