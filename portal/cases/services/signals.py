"""Signals (сигналы): received → checked by a visit (акт обследования) → confirmed or dismissed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import in_institution_territory
from portal.cases.models import NeedCircumstance, Signal
from portal.cases.selectors import signals_for
from portal.cases.services.common import change, today
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.text import check_choices, column_text
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.territory import selectors as territory
from portal.territory.models import Precinct

audited_write = audit.audited_write


def _signal_for_update(viewer: Viewer, signal_id: int) -> Signal:
    signal = signals_for(viewer).select_for_update(of=("self",)).filter(pk=signal_id).first()
    if signal is None:
        raise NotFound(_("Signal not found."))
    if not viewer.is_admin and not viewer.has_role(Role.OFFICER, Role.COORDINATOR):
        raise PermissionDenied(_("You may not change this signal."))
    return signal


def _precinct_of(address: str) -> int | None:
    """The precinct serving the address when the officer finder finds exactly one."""
    found = territory.find_officer(address)
    if found.status != territory.FinderStatus.FOUND or found.precinct is None:
        return None
    return Precinct.objects.filter(pk=found.precinct.id).values_list("pk", flat=True).first()


@audited_write("signal.receive", object_type="cases.signal")
def receive_signal(
    *, viewer: Viewer, source: str, summary: str, received_at: dt.datetime | None = None, address: str = "",
    reporter: str = "", reporter_organisation_id: int | None = None, institution_id: int | None = None,
) -> Signal:
    """Register an incoming signal (сигнал); the precinct is found from the address when possible."""
    if not (viewer.is_admin or viewer.is_staff_reader or viewer.is_partner):
        raise PermissionDenied(_("You may not register signals."))
    if source not in Signal.Source.values:
        raise ValidationFailed(_("Unknown source of the signal."), field="source")
    summary = column_text(summary, Signal, "summary", required=_("Describe the situation."))
    address = column_text(address, Signal, "address")
    reporter = column_text(reporter, Signal, "reporter")
    institution_id = institution_id or viewer.institution_id
    institution = Organisation.objects.filter(pk=institution_id, active=True).first() if institution_id else None
    if institution is None or not institution.is_institution:
        raise ValidationFailed(_("Choose the institution that will check the signal."), field="institution")
    if viewer.is_partner:
        reporter_organisation_id = viewer.organisation_id
    elif reporter_organisation_id is not None and not Organisation.objects.filter(pk=reporter_organisation_id).exists():
        raise ValidationFailed(_("Choose an organisation of the partner registry."), field="reporter_organisation")
    precinct_id = _precinct_of(address) if address else None
    if precinct_id is not None and not viewer.is_admin and not in_institution_territory(institution.pk, precinct_id):
        raise PermissionDenied(_("The address lies outside the territory of the chosen institution: send the signal "
                                 "to the institution that serves this address."))
    signal = Signal.objects.create(
        source=source, summary=summary, received_at=received_at or timezone.now(), address=address,
        reporter=reporter, reporter_organisation_id=reporter_organisation_id, institution_id=institution_id,
        precinct_id=precinct_id, registered_by_subject=viewer.subject or "",
    )
    audit.record_created(viewer=viewer, verb="signal.receive", obj=signal)
    return signal


@audited_write("signal.check", object_type="cases.signal", id_arg="signal_id")
def start_signal_check(*, viewer: Viewer, signal_id: int) -> Signal:
    signal = _signal_for_update(viewer, signal_id)
    if signal.status != Signal.Status.RECEIVED:
        raise InvalidTransition(_("Only a newly received signal can be taken for checking."))
    return change(signal, {"status": Signal.Status.CHECKING}, viewer=viewer, verb="signal.check",
                  action=AuditEvent.Action.TRANSITION)


@audited_write("signal.inspect", object_type="cases.signal", id_arg="signal_id")
def record_inspection(
    *, viewer: Viewer, signal_id: int, inspected_on: dt.date, findings: str, need_circumstances: Iterable[str],
) -> Signal:
    """Record the inspection act (акт обследования материально-бытовых условий)."""
    signal = _signal_for_update(viewer, signal_id)
    if signal.status not in (Signal.Status.RECEIVED, Signal.Status.CHECKING):
        raise InvalidTransition(_("The check of this signal is already finished."))
    if inspected_on > today():
        raise ValidationFailed(_("The inspection date cannot be in the future."), field="inspected_on")
    return change(signal, {
        "status": Signal.Status.CHECKING,
        "inspected_on": inspected_on,
        "inspection_findings": column_text(findings, Signal, "inspection_findings", field="findings",
                                           required=_("Describe what the visit found.")),
        "need_circumstances": check_choices(need_circumstances, NeedCircumstance.values, "need_circumstances"),
    }, viewer=viewer, verb="signal.inspect")


@audited_write("signal.confirm", object_type="cases.signal", id_arg="signal_id")
def confirm_signal(*, viewer: Viewer, signal_id: int) -> Signal:
    signal = _signal_for_update(viewer, signal_id)
    if signal.status != Signal.Status.CHECKING or signal.inspected_on is None:
        raise InvalidTransition(_("A signal is confirmed only after the visit has been recorded."))
    return change(signal, {"status": Signal.Status.CONFIRMED}, viewer=viewer, verb="signal.confirm",
                  action=AuditEvent.Action.TRANSITION)


@audited_write("signal.dismiss", object_type="cases.signal", id_arg="signal_id")
def dismiss_signal(*, viewer: Viewer, signal_id: int, reason: str) -> Signal:
    signal = _signal_for_update(viewer, signal_id)
    if signal.status not in (Signal.Status.RECEIVED, Signal.Status.CHECKING):
        raise InvalidTransition(_("The check of this signal is already finished."))
    reason = column_text(reason, Signal, "dismissal_reason", field="reason",
                         required=_("Give the reason why the signal is not confirmed."))
    return change(signal, {"status": Signal.Status.NOT_CONFIRMED, "dismissal_reason": reason}, viewer=viewer,
                  verb="signal.dismiss", action=AuditEvent.Action.TRANSITION)
