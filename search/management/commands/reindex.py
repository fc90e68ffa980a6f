from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from search.locking import SearchBusy
from search.sync import reindex


class Command(BaseCommand):
    help = ("Rebuild all search indexes under a new version, then switch atomically (no downtime); "
            "search-sync pauses meanwhile and the outbox is applied after each switch.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("indexes", nargs="*", help="index names (default: all)")
        parser.add_argument("--wait", type=float, default=300.0,
                            help="seconds to wait for a running search-sync or reindex (default 300)")

    def handle(self, *args: Any, **options: Any) -> None:
        bars: list[tqdm] = []

        def factory(label: str, total: int) -> Callable[[int], None]:
            bar = tqdm(total=total, desc=label, unit="doc", disable=not options["verbosity"])
            bars.append(bar)
            return bar.update

        try:
            counts = reindex(indexes=options["indexes"] or None, progress_factory=factory, lock_wait=options["wait"])
        except SearchBusy as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars:
                bar.close()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} documents")
