from typing import Any

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    label = "identity"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        user_locked_out.connect(audit_lockout, dispatch_uid="identity.audit_lockout")


def audit_lockout(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    """A local sign-in locked out after too many wrong passwords leaves a security audit record."""
    import logging

    from django.db import transaction

    from portal.audit.services import record
    from portal.core.viewer import Viewer

    name = str(username or "?")[:150]
    logging.getLogger("identity.security").warning("local sign-in locked out: username=%s ip=%s", name, ip_address)
    with transaction.atomic():
        record(viewer=Viewer(subject=f"local:{name}", username=name), action="security", verb="sign_in_locked_out",
               object_type="account", details={"username": name, "ip_address": ip_address or "",
                                               "path": getattr(request, "path", "")[:200]})
