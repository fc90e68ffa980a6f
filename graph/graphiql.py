"""GraphiQL pages served with the portal's own copy of their scripts and styles (DEBUG only).

Strawberry's and graphene-django's GraphiQL pages load React and GraphiQL from a CDN, so without
internet they stay on "Loading…" and every visit tells a third party about it. The portal serves
the same files (same versions and SRI hashes as strawberry's page; MIT licences in
``cms/static/graphiql/LICENSES.txt``) as static files, and starts GraphiQL from a static script,
so the page needs no inline script either. graphene-django's template is overridden by
``cms/templates/graphene/graphiql.html``; the gateway uses :func:`graphiql_html`.
"""

from __future__ import annotations

from django.template.loader import render_to_string


def graphiql_html(*, title: str, endpoint: str) -> str:
    """The GraphiQL page for ``endpoint`` (a path of this portal), with locally served assets."""
    return render_to_string("graphiql/ide.html", {"title": title, "endpoint": endpoint})
