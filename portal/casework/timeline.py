"""The case card's timeline: audit events told as steps in the user's language (no verbs, codes or raw values)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.models import AuditEvent
from portal.cases.models import Case, CaseTransfer, Measure, Signal

#: What each service call means as a step of the case.
STEPS: dict[str, Any] = {
    "signal.receive": gettext_lazy("Signal received"),
    "signal.check": gettext_lazy("Signal taken for checking"),
    "signal.inspect": gettext_lazy("Inspection of living conditions recorded"),
    "signal.confirm": gettext_lazy("Need for support confirmed"),
    "signal.dismiss": gettext_lazy("Signal not confirmed"),
    "consent.record": gettext_lazy("Consent recorded"),
    "consent.withdraw": gettext_lazy("Consent withdrawn"),
    "case.register": gettext_lazy("Case registered"),
    "measure.assign": gettext_lazy("Measure added"),
    "programme.approve": gettext_lazy("Programme approved by a collegial decision"),
    "case.under_way": gettext_lazy("Support under way"),
    "case.review": gettext_lazy("Interim review recorded"),
    "case.extend": gettext_lazy("Term extended by a collegial decision"),
    "case.monitoring_inspection": gettext_lazy("Monitoring inspection recorded"),
    "case.close": gettext_lazy("Case closed"),
    "measure.reassign": gettext_lazy("Measure reassigned"),
    "measure.cancel": gettext_lazy("Measure cancelled"),
    "measure.share": gettext_lazy("Shared recipient data changed"),
    "measure.accept": gettext_lazy("Measure accepted by the organisation"),
    "measure.fulfil": gettext_lazy("Measure fulfilled"),
    "measure.not_fulfilled": gettext_lazy("Measure reported not fulfilled"),
    "measure.comment": gettext_lazy("Comment on a measure"),
    "notification.not_delivered": gettext_lazy("The organisation could not be notified"),
    "case.transfer.propose": gettext_lazy("Transfer to another institution proposed"),
    "case.transfer": gettext_lazy("Case moved to the receiving institution"),
    "case.transfer.accept": gettext_lazy("Transfer accepted by the receiving institution"),
    "case.transfer.decline": gettext_lazy("Transfer declined by the receiving institution"),
}

_STATUS_LABELS: dict[str, dict[str, str | Promise]] = {
    "cases.case": dict(Case.Status.choices),
    "cases.measure": dict(Measure.Status.choices),
    "cases.signal": dict(Signal.Status.choices),
    "cases.casetransfer": dict(CaseTransfer.Status.choices),
}


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    who: str
    organisation: str
    what: str
    subject: str
    detail: str
    refused: bool


def _verb_label(event: AuditEvent) -> str:
    verb = event.verb.removeprefix("admin.")
    if verb.startswith("case.") and verb.split(".", 1)[1] in ("measure", "approve", "review", "extend", "close"):
        verb = {"case.measure": "measure.assign", "case.approve": "programme.approve"}.get(
            verb, f"case.{verb.split('.', 1)[1]}")
    label = STEPS.get(verb)
    return str(label) if label is not None else str(event.get_action_display())


def _detail(event: AuditEvent) -> str:
    if event.action == AuditEvent.Action.ATTEMPT:
        message = event.details.get("message") or ""
        return "" if message == "Http404" else str(message)
    status = event.changes.get("status")
    if isinstance(status, list) and len(status) == 2:
        labels = _STATUS_LABELS.get(event.object_type, {})
        before, after = (labels.get(value, "") if value else "" for value in status)
        if before and after:
            return f"{before} → {after}"
    protocol = event.details.get("protocol")
    if protocol:
        return _("protocol № %(number)s") % {"number": protocol}
    return ""


def steps(events: list[AuditEvent], measures: dict[int, Measure]) -> list[Step]:
    """One step per event, newest last, in the portal's time zone."""
    told = []
    for event in events:
        subject = ""
        if event.object_type == "cases.measure":
            measure = measures.get(int(event.object_id)) if event.object_id.isdigit() else None
            subject = measure.task if measure is not None else event.object_repr
        elif event.object_type == "cases.signal":
            subject = _("signal")
        refused = event.action == AuditEvent.Action.ATTEMPT
        what = _verb_label(event)
        told.append(Step(at=timezone.localtime(event.at), who=event.actor_name or _("the system"),
                         organisation=event.actor_organisation,
                         what=_("Refused: %(step)s") % {"step": what.lower()} if refused else what,
                         subject=subject, detail=_detail(event), refused=refused))
    return told
