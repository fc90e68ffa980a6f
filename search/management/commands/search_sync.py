from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.sync import SyncReport, sync


class Command(BaseCommand):
    help = ("Apply pending search updates (the outbox) in order; rebuild indexes that were lost and repair "
            "documents missing from an index. Exits non-zero when the engine failed (single run).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep draining every --interval seconds")
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--verify-every", type=float, default=3600.0,
                            help="with --loop: compare every index with the database this often (seconds; "
                                 "a single run always does)")
        parser.add_argument("--no-verify", action="store_true",
                            help="skip comparing the indexes with the database (lost indexes are still rebuilt)")

    def handle(self, *args: Any, **options: Any) -> None:
        verified_at: float | None = None
        while True:
            due = verified_at is None or time.monotonic() - verified_at >= options["verify_every"]
            verify = due and not options["no_verify"]
            report = sync(verify=verify)
            if verify and report.ok and not report.busy:
                verified_at = time.monotonic()
            self._report(report, options["verbosity"])
            if not options["loop"]:
                if report.error:
                    raise CommandError(f"search sync failed: {report.error}")
                return
            time.sleep(options["interval"])

    def _report(self, report: SyncReport, verbosity: int) -> None:
        if report.busy and verbosity > 1:
            self.stdout.write("search: a reindex or another search-sync is running; skipped")
        if report.rebuilt:
            self.stderr.write(f"search: lost or stale indexes rebuilt: {', '.join(report.rebuilt)}")
        if report.repaired:
            self.stderr.write(f"search: {report.repaired} documents were missing or extra in an index: repaired")
        if report.error:
            self.stderr.write(f"search: {report.applied} updates applied, {report.failed} pending ({report.error})")
        elif verbosity and report.applied:
            self.stdout.write(f"search: {report.applied} updates applied")
