from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from search.sync import sync


class Command(BaseCommand):
    help = "Apply pending search updates (the outbox) in order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep draining every --interval seconds")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = sync()
            if report.busy and options["verbosity"] > 1:
                self.stdout.write("search: a reindex or another search-sync is running; skipped")
            if options["verbosity"] and (report.applied or report.error):
                self.stdout.write(f"search: {report.applied} updates applied"
                                  + (f", {report.failed} pending ({report.error})" if report.error else ""))
            if not options["loop"]:
                return
            time.sleep(options["interval"])
