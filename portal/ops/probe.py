"""Health probes for processes that answer no HTTP (container and systemd health checks).

    python -m portal.ops.probe worker    exit 0 when background work keeps up, 1 otherwise

`worker`: the search outbox is applied in time (its oldest row is younger than
SEARCH_BACKLOG_MAX_MINUTES), the search engine answers, and the job queue keeps up (its oldest waiting
job is younger than JOBS_BACKLOG_MAX_MINUTES).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def worker_problems() -> list[str]:
    from django.conf import settings

    from search.health import status  # models: loaded after main() runs django.setup()

    report = status()
    problems = []
    if report.get("error") == "engine_unreachable":
        problems.append("search: engine_unreachable")
    # Judged on its own: another degradation (e.g. an index still being built) must not hide it.
    age = int(report.get("oldest_pending_seconds", 0))
    if age > int(settings.SEARCH_BACKLOG_MAX_MINUTES) * 60:
        problems.append(f"search: backlog_stale ({report.get('backlog', 0)} rows, oldest {age} s)")
    from portal.jobs.health import status as jobs_status  # models: after django.setup() in main()

    jobs = jobs_status()
    if jobs.get("error") == "backlog_stale":
        problems.append(f"jobs: backlog_stale ({jobs['due']} waiting, oldest {jobs['oldest_due_seconds']} s)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["worker"]:
        print("usage: python -m portal.ops.probe worker", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    problems = worker_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
