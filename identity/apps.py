from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    label = "identity"

    def ready(self) -> None:
        from axes.signals import user_locked_out  # axes' signals module loads its models: ready only

        from identity.accounts import audit_lockout  # loads the models: ready only

        user_locked_out.connect(audit_lockout, dispatch_uid="identity.audit_lockout")
