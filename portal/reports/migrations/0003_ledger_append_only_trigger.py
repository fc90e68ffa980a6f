"""On PostgreSQL the database itself refuses UPDATE and DELETE of ledger rows, as for the audit trail it is
projected from (the model layer refuses them too): a reported figure cannot be changed behind the reports."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE OR REPLACE FUNCTION reports_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger events are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_ledger_append_only ON reports_ledgerevent;
CREATE TRIGGER reports_ledger_append_only BEFORE UPDATE OR DELETE ON reports_ledgerevent
    FOR EACH ROW EXECUTE FUNCTION reports_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS reports_ledger_append_only ON reports_ledgerevent;
DROP FUNCTION IF EXISTS reports_ledger_append_only();
"""


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_ledger_district_index")]
    operations = [migrations.RunPython(forwards, backwards)]
