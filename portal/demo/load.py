"""`portal demo`: seed the demo region, then let each package add its demo content."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from django.core.management import call_command

from portal.demo.generate import generate
from portal.demo.mail import kept_mail
from portal.demo.mail import summary as mail_summary

logger = logging.getLogger(__name__)

#: Demo content of other packages, in dependency order (pages before the pages placed under them).
DEMO_HOOKS = ("portal.demo.accounts", "portal.demo.intake", "cms.demo", "portal.demo.consultations",
              "portal.demo.community", "cms.demo_en")


def _hook(module_name: str) -> Callable[..., None]:
    """The `load_demo(verbose=…)` of a package's demo module (each of DEMO_HOOKS has one)."""
    hook: Callable[..., None] = importlib.import_module(module_name).load_demo
    return hook


def load_demo(*, seed: int = 1, verbose: bool = False) -> None:
    """Idempotent: a second run adds nothing twice."""
    counts = generate(scale="demo", seed=seed)
    if verbose:
        summary = ", ".join(f"{name} {count}" for name, count in counts.items()) or "already loaded"
        print(f"Demo region: {summary}", flush=True)
    with kept_mail() as messages:
        for module_name in DEMO_HOOKS:
            _hook(module_name)(verbose=verbose)
    if verbose and messages:
        print(mail_summary(messages), flush=True)
    call_command("search_sync", verbosity=1 if verbose else 0)
