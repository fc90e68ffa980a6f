"""The job the queue benchmark runs (importable by the worker processes)."""

from __future__ import annotations

import time

from portal.jobs import job


@job()
def noop(number: int, pause: float = 0.0) -> int:
    if pause:
        time.sleep(pause)
    return number
