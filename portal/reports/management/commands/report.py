"""`portal report monthly|quarterly|passport|partners --period P [--institution CODE | --district CODE]
[--format xlsx|csv|json|pdf] [--output FILE] [--user USERNAME] [--fresh]`, and `portal report open-ledger`.

Writes the shared version of a report (the submitted snapshot when there is one, unless --fresh) to a file or
to standard output, with a progress bar on standard error. Without --user it reads as the system (everything);
with --user as that staff account (its scope applies). A refusal prints its code and message and exits 2:
`validation_failed` (naming the field), `not_found`, `forbidden`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext_lazy as _
from tqdm import tqdm

from portal.accounts.selectors import viewer_for_user
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.viewer import Viewer
from portal.reports import exports, ledger, selectors
from portal.reports.models import ReportKind


class Command(BaseCommand):
    help = "Compute a report and write it as XLSX, CSV, JSON or PDF; 'open-ledger' writes the opening balance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*ReportKind.values, "open-ledger"])
        parser.add_argument("--period", help="a month YYYY-MM, or a quarter YYYY-QN for the quarterly report")
        parser.add_argument("--institution", help="institution code (default: the whole region)")
        parser.add_argument("--district", help="district code (passport, partner performance)")
        parser.add_argument("--format", choices=exports.FORMATS, default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--user", help="read as this staff account (its scope applies)")
        parser.add_argument("--fresh", action="store_true", help="a fresh draft even if the period was submitted")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "open-ledger":
            written = ledger.open_ledger()
            self.stdout.write(f"{written} ledger fact(s) written for data loaded without services")
            return
        progress = tqdm(total=3, desc=f"report {options['kind']}", unit="step", file=sys.stderr,
                        disable=options["no_progress"])
        try:
            viewer = self._viewer(options["user"])
            progress.set_postfix_str("computing")
            report = selectors.get_report(viewer=viewer, kind=options["kind"], period=options["period"],
                                          institution=options["institution"], district=options["district"],
                                          fresh=options["fresh"], shared=True)
            progress.update()
            progress.set_postfix_str(options["format"])
            data = exports.render(report, options["format"])
            progress.update()
        except DomainError as error:
            progress.close()
            field = f" ({error.field})" if isinstance(error, ValidationFailed) and error.field else ""
            self.stderr.write(f"{error.code}{field}: {error.message}")
            sys.exit(2)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        progress.update()
        progress.close()
        if options["output"]:
            rows = sum(len(table.rows) for table in report.tables)
            self.stderr.write(f"{options['output']}: {len(data)} bytes, {rows} row(s), "
                              f"{'submitted' if report.submitted_at else 'draft' if report.draft else 'not submitted'}")

    def _viewer(self, username: str | None) -> Viewer:
        if not username:
            return Viewer.system("report")
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise NotFound(_("No user «%(name)s»."), name=username)
        return viewer_for_user(user)
