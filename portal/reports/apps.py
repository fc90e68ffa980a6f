from django.apps import AppConfig
from django.db.models.signals import post_save


class ReportsConfig(AppConfig):
    name = "portal.reports"
    label = "reports"

    def ready(self) -> None:
        # In ready(): the audit trail and the ledger are models.
        from portal.audit.models import AuditEvent
        from portal.cases.models import Measure
        from portal.reports.ledger import project_audit_event, remember_written_measure

        # The ledger follows the audit trail row by row, in the transaction of the change.
        post_save.connect(project_audit_event, sender=AuditEvent, dispatch_uid="reports.ledger")
        # A measure's fact is written from the row its change has just saved (no read of its own).
        post_save.connect(remember_written_measure, sender=Measure, dispatch_uid="reports.ledger.measure")
