"""Print the gateway schema to graph/schema.graphql (or check that it is up to date)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from graph.printing import SCHEMA_FILE, printed_schema, write_schema


class Command(BaseCommand):
    help = "Write the GraphQL gateway schema to graph/schema.graphql (--check: only verify it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Exit with an error if the file is out of date.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if check:
            current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
            if current != printed_schema():
                raise CommandError(f"{SCHEMA_FILE} is out of date: run `portal manage graphql_schema`.")
            self.stdout.write("The printed schema is up to date.")
            return
        changed = write_schema()
        self.stdout.write(f"{'Wrote' if changed else 'Unchanged:'} {SCHEMA_FILE}")
