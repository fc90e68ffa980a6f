"""The printed schema (`graph/schema.graphql`): regenerate with
`python -m portal.manage graphql_schema` (or `portal manage graphql_schema`); `--check` fails when stale."""

from __future__ import annotations

from pathlib import Path

from graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"
HEADER = "# Printed by `portal manage graphql_schema` from graph/schema.py. Do not edit by hand.\n\n"


def printed_schema() -> str:
    return HEADER + schema.as_str().rstrip() + "\n"


def write_schema(path: Path = SCHEMA_FILE) -> bool:
    """Write the schema; True when the file changed."""
    text = printed_schema()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
