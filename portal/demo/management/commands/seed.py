"""`portal seed --scale demo|region [--seed N]`: generate the demo region (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from portal.demo.generate import SCALES, generate
from portal.reports.ledger import open_ledger


class Command(BaseCommand):
    help = "Generate the demo region (deterministic; a second run adds nothing twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, scale: str, seed: int, **options: Any) -> None:
        started = time.monotonic()
        with tqdm(total=100, desc=f"seed {scale}", unit="%", disable=options.get("verbosity", 1) == 0) as bar:
            def progress(label: str, percent: int) -> None:
                bar.set_postfix_str(label[:40])
                bar.update(percent - bar.n)

            counts = generate(scale=scale, seed=seed, progress=progress)
        # Rows generated in bulk have no audit trail: the reports' ledger gets their opening balance.
        facts = open_ledger()
        if facts:
            counts = {**counts, "ledger facts": facts}
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{name} {count}" for name, count in counts.items()) or "nothing new (already loaded)"
        self.stdout.write(f"Seeded scale={scale} seed={seed} in {elapsed:.1f} s: {summary}")
