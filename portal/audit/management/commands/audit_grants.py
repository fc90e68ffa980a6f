"""`portal manage audit_grants APP_ROLE [--execute]`: the least-privilege grants of the application's database role
(PostgreSQL). Run it as the role that owns the tables (the one that runs the migrations): it prints the SQL, or
runs it with --execute. The application role may then read and write every table, but not UPDATE, DELETE or
TRUNCATE the audit trail; as it owns no table it cannot disable the append-only triggers either.
See docs/database-roles.md."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from portal.audit.db import AUDIT_TABLE

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_$]{0,62}$")


def grant_statements(app_role: str, *, database: str, schema: str = "public") -> list[str]:
    """The GRANT/REVOKE statements, to be run by the owner of the tables."""
    for name in (app_role, schema):
        if not ROLE_NAME.match(name):
            raise CommandError(f"Not a plain PostgreSQL name (lower-case letters, digits, _): {name!r}")
    role, audit = f'"{app_role}"', f'"{schema}"."{AUDIT_TABLE}"'
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO {role}',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}',
        # Tables and sequences the owner creates later (new migrations) get the same grants.
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}',
        # The audit trail: append-only for the application.
        f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {audit} FROM {role}",
    ]


class Command(BaseCommand):
    help = "Print (or run, with --execute) the least-privilege grants of the application's PostgreSQL role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_role", help="the role the portal connects as (it must exist)")
        parser.add_argument("--schema", default="public")
        parser.add_argument("--execute", action="store_true", help="run the statements (as the tables' owner)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only (SQLite: protect the database file).")
        statements = grant_statements(options["app_role"], database=connection.settings_dict["NAME"],
                                      schema=options["schema"])
        if not options["execute"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [options["app_role"]])
            if cursor.fetchone() is None:
                raise CommandError(f"Role {options['app_role']!r} does not exist: CREATE ROLE … LOGIN first.")
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted. The portal should now connect as {options['app_role']!r}; `/readyz` reports "
                          "component audit ok when it does.")
