from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Write the database (pg_dump custom format, or SQLite's online backup) and the media files into "
            "one archive (default: BACKUP_DIR/portal-<UTC time>.tar). The search index is not included: "
            "`portal restore` rebuilds it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="archive file to write")
        parser.add_argument("--json", action="store_true", help="print the manifest as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive, manifest = backup(options.get("output"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps({"archive": str(archive), **manifest}, ensure_ascii=False))
            return
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(f"{archive}: {manifest['database']['vendor']}, {len(manifest['tables'])} tables, "
                          f"{rows} rows, {manifest['media']['files']} media files, "
                          f"{archive.stat().st_size / 1e6:.1f} MB in {manifest['seconds']['total']:.1f} s")
