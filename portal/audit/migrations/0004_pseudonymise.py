"""The one change the audit trail allows: pseudonymising a person's events when the person is anonymised (152-FZ,
retention and withdrawal of consent; portal.audit.pseudonymise).

PostgreSQL: `audit_pseudonymise(object_type, object_ids, object_repr, field_names)`, a SECURITY DEFINER function
owned by the role that runs migrations, rewrites `object_repr` and blanks the values of the named keys of
`changes` of the object's events. The row trigger lets an UPDATE through only while the function runs (a
transaction-local flag it sets) and only when every other column is unchanged. The application's role holds
no UPDATE on the table (docs/database-roles.md), so this function is its only way to change a row.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRES_CREATE = r"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('portal.audit_pseudonymising', true) = 'on'
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action AND NEW.verb = OLD.verb
       AND NEW.object_type = OLD.object_type AND NEW.object_id = OLD.object_id
       AND NEW.actor_subject = OLD.actor_subject AND NEW.actor_name = OLD.actor_name
       AND NEW.actor_organisation = OLD.actor_organisation AND NEW.details = OLD.details THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_pseudonymise(p_object_type text, p_object_ids text[], p_repr text,
                                              p_fields text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    updated integer;
BEGIN
    PERFORM set_config('portal.audit_pseudonymising', 'on', true);
    UPDATE audit_auditevent SET
        object_repr = CASE WHEN p_repr IS NULL THEN object_repr ELSE left(p_repr, 255) END,
        changes = COALESCE((
            SELECT jsonb_object_agg(entry.key, CASE
                WHEN entry.key = ANY (p_fields) AND jsonb_typeof(entry.value) = 'array' THEN (
                    SELECT COALESCE(jsonb_agg(CASE WHEN item = 'null'::jsonb THEN item
                                                   ELSE to_jsonb('***'::text) END), '[]'::jsonb)
                    FROM jsonb_array_elements(entry.value) AS item)
                WHEN entry.key = ANY (p_fields) THEN to_jsonb('***'::text)
                ELSE entry.value END)
            FROM jsonb_each(changes) AS entry), '{}'::jsonb)
    WHERE object_type = p_object_type AND object_id = ANY (p_object_ids);
    GET DIAGNOSTICS updated = ROW_COUNT;
    PERFORM set_config('portal.audit_pseudonymising', 'off', true);
    RETURN updated;
END;
$$;
"""
POSTGRES_DROP = r"""
DROP FUNCTION IF EXISTS audit_pseudonymise(text, text[], text, text[]);
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_truncate_and_sqlite_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
