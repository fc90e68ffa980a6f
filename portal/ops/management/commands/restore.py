from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Replace the database and the media files by a `portal backup` archive, verify row counts and "
            "checksums, then rebuild the search index. Refused over a database holding portal data "
            "unless --force.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="overwrite a database that holds portal data")
        parser.add_argument("--skip-reindex", action="store_true",
                            help="do not rebuild the search index (run `portal reindex` later)")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            report = restore(archive, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {archive}: {report.vendor}, {report.tables} tables, {report.rows} rows "
                          f"(verified), {report.media_files} media files in {report.seconds['database']:.1f} s "
                          f"(+ {report.seconds['verify']:.1f} s verification)")
        if options["skip_reindex"]:
            self.stdout.write("search index not rebuilt: run `portal reindex`")
            return
        started = time.monotonic()
        call_command("reindex", verbosity=0)
        self.stdout.write(f"search index rebuilt in {time.monotonic() - started:.1f} s")
