"""`portal remind [--date YYYY-MM-DD]`: the daily notifications (escalation ladder, digests, reminders) for a
date — today by default; an earlier date catches up after downtime. Idempotent: a second run sends nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.notifications.services import run_daily


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date in the form YYYY-MM-DD: {value!r}", returncode=2) from None


class Command(BaseCommand):
    help = "Send the notifications due on a date (escalation ladder, digests, reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"]) if options.get("date") else None
        report = run_daily(day)
        sent = ", ".join(f"{kind}: {count}" for kind, count in report.as_dict().items()) or "nothing new"
        self.stdout.write(f"Notifications sent: {report.total} ({sent})")
