"""`portal sync-realm`: organisations and institutions as Keycloak groups.

Without KEYCLOAK_URL: writes `/partners/<code>` (partner organisations) and
`/institutions/<code>` (social-service institutions) into the realm file the development realm
reads and a real Keycloak imports. With KEYCLOAK_URL: creates the missing groups through the
Keycloak admin API (`KeycloakAdmin`, service-account client KEYCLOAK_ADMIN_CLIENT_ID/SECRET).

Rules (both modes): groups are only added, never removed (manually added groups and groups of
organisations deleted from the registry stay); a deactivated organisation gets no new group, and
in the realm file its existing group is marked with the attribute `active: ["false"]` (removed again
when it is reactivated). The portal itself refuses partner rights for inactive organisations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.management import realmsync


class Command(BaseCommand):
    help = "Write organisations and institutions as groups into the realm file or a real Keycloak."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--realm-file", type=Path, default=None,
                            help="Realm file to update (default: the development realm's file).")
        parser.add_argument("--dry-run", action="store_true", help="Only report what would change.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.KEYCLOAK_URL and options["realm_file"] is None:
            try:
                report = realmsync.sync_keycloak(admin=realmsync.keycloak_admin(), dry_run=options["dry_run"])
            except realmsync.SyncFailed as error:
                raise CommandError(str(error)) from error
            target = f"{settings.KEYCLOAK_URL} (realm {settings.KEYCLOAK_REALM})"
        else:
            path = options["realm_file"] or realmsync.default_realm_file()
            if not path.exists():
                raise CommandError(f"Realm file not found: {path}")
            report = realmsync.sync_file(path, dry_run=options["dry_run"])
            target = str(path)
        verb = "would add" if options["dry_run"] else "added"
        self.stdout.write(f"{target}: {verb} {len(report.added)} group(s), marked inactive "
                          f"{len(report.deactivated)}, reactivated {len(report.reactivated)}, "
                          f"unchanged {report.unchanged}.")
        for path_ in report.added:
            self.stdout.write(f"  + {path_}")
        for path_ in report.deactivated:
            self.stdout.write(f"  ~ {path_} (inactive)")
