"""Lifecycle actions of cases, measures and signals (moved here from `portal.cases.admin_workflow`).

Each action is a form plus one call of `portal.cases.services`; the object is loaded through the scoped
selectors, so an officer reaches only the cases of their precincts (anything else is "not found"), and every
refusal (wrong status, term limits, stale version, no right) is shown next to the action in the user's language.
Nothing here changes a row directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.accounts.admin_views import request_viewer
from portal.audit import services as audit
from portal.cases import selectors, services
from portal.cases.access import may_manage_case
from portal.cases.models import Case, CaseTransfer, Measure, Signal
from portal.casework import forms as action_forms
from portal.casework.cards import workspace_crumbs
from portal.core.errors import Conflict, DomainError
from portal.core.viewer import Role, Viewer
from portal.reports import services as reports

Perform = Callable[[Viewer, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Action:
    title: Any
    form: type[forms.Form]
    perform: Perform
    #: Statuses of the object in which the action is offered (the service still decides).
    offered_in: tuple[str, ...]
    versioned: bool = False
    #: Shown as a primary button on the card.
    primary: bool = False


def _org_id(data: dict[str, Any]) -> int:
    return data.pop("organisation").pk


_UNDER_WAY = (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS, Case.Status.EXTENDED)
_OPEN_CASE = (Case.Status.REGISTERED, *_UNDER_WAY)

CASE_ACTIONS: dict[str, Action] = {
    "measure": Action(gettext_lazy("Add a measure"), action_forms.AssignMeasureForm,
                      lambda v, case, d: services.assign_measure(viewer=v, case_id=case.pk,
                                                                 organisation_id=_org_id(d), **d),
                      _OPEN_CASE),
    "approve": Action(gettext_lazy("Approve the programme"), action_forms.ApproveProgrammeForm,
                      lambda v, case, d: services.approve_programme(viewer=v, case_id=case.pk, **d),
                      (Case.Status.REGISTERED,), primary=True),
    "review": Action(gettext_lazy("Record the interim review"), action_forms.ReviewForm,
                     lambda v, case, d: services.record_review(viewer=v, case_id=case.pk, **d),
                     _UNDER_WAY, primary=True),
    "monitoring": Action(gettext_lazy("Record the monitoring inspection"), action_forms.MonitoringInspectionForm,
                         lambda v, case, d: services.record_monitoring_inspection(viewer=v, case_id=case.pk, **d),
                         _UNDER_WAY),
    "extend": Action(gettext_lazy("Extend the term"), action_forms.ExtendCaseForm,
                     lambda v, case, d: services.extend_case(viewer=v, case_id=case.pk, **d),
                     _UNDER_WAY, versioned=True),
    "close": Action(gettext_lazy("Close the case"), action_forms.CloseCaseForm,
                    lambda v, case, d: services.close_case(viewer=v, case_id=case.pk, **d),
                    _OPEN_CASE, versioned=True),
    "transfer": Action(gettext_lazy("Transfer the case to another institution"), action_forms.TransferCaseForm,
                       lambda v, case, d: services.propose_transfer(
                           viewer=v, case_id=case.pk, to_institution_id=d["to_institution"].pk,
                           to_precinct_id=d["to_precinct"].pk, reason=d["reason"],
                           measure_plan={k.removeprefix("measure_"): value for k, value in d.items()
                                         if k.startswith("measure_")}),
                       _OPEN_CASE),
}

#: A returned measure (возвращено) waits for the coordinator: reassigned or cancelled like an open one.
_OPEN_MEASURE = Measure.PENDING_STATUSES
MEASURE_ACTIONS: dict[str, Action] = {
    "reassign": Action(gettext_lazy("Reassign to another organisation"), action_forms.ReassignMeasureForm,
                       lambda v, m, d: services.reassign_measure(viewer=v, measure_id=m.pk,
                                                                 organisation_id=_org_id(d), **d),
                       _OPEN_MEASURE, versioned=True),
    "cancel": Action(gettext_lazy("Cancel the measure"), action_forms.ReasonForm,
                     lambda v, m, d: services.cancel_measure(viewer=v, measure_id=m.pk, **d),
                     _OPEN_MEASURE, versioned=True),
}

SIGNAL_ACTIONS: dict[str, Action] = {
    "check": Action(gettext_lazy("Take for checking"), action_forms.ConfirmForm,
                    lambda v, s, d: services.start_signal_check(viewer=v, signal_id=s.pk),
                    (Signal.Status.RECEIVED,)),
    "inspection": Action(gettext_lazy("Record the inspection"), action_forms.InspectionForm,
                         lambda v, s, d: services.record_inspection(viewer=v, signal_id=s.pk, **d),
                         (Signal.Status.CHECKING,)),
    "confirm": Action(gettext_lazy("Confirm the need for support"), action_forms.ConfirmForm,
                      lambda v, s, d: services.confirm_signal(viewer=v, signal_id=s.pk),
                      (Signal.Status.CHECKING,)),
    "dismiss": Action(gettext_lazy("Dismiss the signal"), action_forms.ReasonForm,
                      lambda v, s, d: services.dismiss_signal(viewer=v, signal_id=s.pk, **d),
                      (Signal.Status.RECEIVED, Signal.Status.CHECKING)),
}


def _case_url(case: Case) -> str:
    return reverse("casework:case", kwargs={"pk": case.pk})


def _signal_url(signal: Signal) -> str:
    """The signal's page of the intake flow, or its registry page while there is none."""
    try:
        return reverse("casework:signal", kwargs={"pk": signal.pk})
    except NoReverseMatch:
        return reverse("signals:inspect", args=(signal.pk,))


#: A transfer proposed to the viewer's institution (передача дела): its coordinator accepts or declines it.
TRANSFER_ACTIONS: dict[str, Action] = {
    "accept": Action(gettext_lazy("Accept the transferred case"), action_forms.ConfirmForm,
                     lambda v, t, d: services.accept_transfer(viewer=v, transfer_id=t.pk),
                     (CaseTransfer.Status.PROPOSED,)),
    "decline": Action(gettext_lazy("Decline the transfer"), action_forms.ReasonForm,
                      lambda v, t, d: services.decline_transfer(viewer=v, transfer_id=t.pk, **d),
                      (CaseTransfer.Status.PROPOSED,)),
}


def _after_transfer(transfer: CaseTransfer) -> str:
    """Accepted: the case card (now the receiver's); otherwise the dashboard."""
    if CaseTransfer.objects.filter(pk=transfer.pk, status=CaseTransfer.Status.ACCEPTED).exists():
        return _case_url(transfer.case)
    return reverse("casework:dashboard")


#: object kind → (actions, scoped queryset, where to go back to)
KINDS: dict[str, tuple[dict[str, Action], Callable[[Viewer], Any], Callable[[Any], str]]] = {
    "case": (CASE_ACTIONS, selectors.cases_for, _case_url),
    "measure": (MEASURE_ACTIONS, selectors.measures_for, lambda measure: _case_url(measure.case)),
    "signal": (SIGNAL_ACTIONS, selectors.signals_for, _signal_url),
    "transfer": (TRANSFER_ACTIONS, lambda viewer: selectors.pending_transfers(viewer=viewer), _after_transfer),
}


def action_url(kind: str, obj: Model, name: str) -> str:
    return reverse("casework:action", kwargs={"kind": kind, "pk": obj.pk, "action": name})


def manages(viewer: Viewer, obj: Model) -> bool:
    if isinstance(obj, Case):
        return may_manage_case(viewer, obj)
    if isinstance(obj, Measure):
        return may_manage_case(viewer, obj.case)
    return viewer.is_admin or viewer.has_role(Role.OFFICER) or viewer.has_role(Role.COORDINATOR)


def offered_actions(viewer: Viewer, kind: str, obj: Model) -> list[tuple[str, Any]]:
    """(url, title) of the actions that make sense for the object's current status."""
    if kind not in KINDS or not manages(viewer, obj):
        return []
    actions = KINDS[kind][0]
    return [(action_url(kind, obj, name), action.title)
            for name, action in actions.items() if obj.status in action.offered_in]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CaseAction:
    """An action of the case card: its link when it may be tried now, or why not."""

    name: str
    title: Any
    url: str | None
    refusal: str | None
    primary: bool


def case_actions(viewer: Viewer, case: Case) -> list[CaseAction]:
    """Every lifecycle action of the case, in order, with the reason when it is not possible now. A supervisor
    (who reads only) is offered none."""
    if not manages(viewer, case):
        return []
    refusals = selectors.case_action_refusals(viewer=viewer, case=case)
    return [CaseAction(name, action.title, None if refusals.get(name) else action_url("case", case, name),
                       refusals.get(name), action.primary)
            for name, action in CASE_ACTIONS.items()]


class ActionView(WagtailAdminTemplateMixin, FormView):
    """The form of one action; on success back to the card, on refusal the reason above the button."""

    template_name = "casework/cases/action.html"
    header_icon = "folder-open-inverse"
    action: Action
    back: Callable[[Any], str]
    object: Any

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        actions, selector, self.back = KINDS.get(kwargs["kind"], ({}, None, str))
        action = actions.get(kwargs["action"])
        if action is None or selector is None:
            raise Http404
        self.action = action
        self.viewer = request_viewer(request)
        self.object = selector(self.viewer).filter(pk=kwargs["pk"]).first()
        if self.object is None:
            if request.method == "POST":  # a refused change of an object outside the scope (or none): an attempt
                audit.record_attempt(viewer=self.viewer, verb=f"admin.{kwargs['kind']}.{kwargs['action']}",
                                     object_type=f"cases.{kwargs['kind']}", object_id=kwargs["pk"],
                                     code="not_found", message="Http404")
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(self.action.title)

    def get_page_subtitle(self) -> str:
        if isinstance(self.object, CaseTransfer):  # the receiver cannot open the case (not yet theirs)
            return _("Case %(code)s") % {"code": self.object.case.code}
        case = self.object.case if isinstance(self.object, Measure) else self.object
        return str(case)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        if isinstance(self.object, CaseTransfer):
            return workspace_crumbs([], str(self.action.title))
        case = self.object.case if isinstance(self.object, Measure) else self.object
        parents = [{"url": reverse("casework:case", kwargs={"pk": case.pk}),
                    "label": _("Case %(code)s") % {"code": case.code}}] if isinstance(case, Case) else [
            {"url": self.back(self.object), "label": _("Signal")}]
        return workspace_crumbs(parents, str(self.action.title))

    def get_form(self, form_class: type[forms.Form] | None = None) -> forms.Form:
        form = self.action.form(**self.get_form_kwargs())
        if hasattr(form, "for_object"):  # fields that depend on the object (the transfer's open measures)
            form.for_object(self.object)
        if self.action.versioned:
            form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=self.object.version)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, back_url=self.back(self.object))
        if isinstance(self.object, Measure):
            context["measure"] = self.object
        if isinstance(self.object, CaseTransfer):  # what is accepted or declined: the proposal as stated
            transfer = self.object
            context["transfer"] = transfer
            context["transfer_fates"] = [
                (f"{measure.task} ({measure.organisation})", CaseTransfer.MeasureFate(transfer.measure_plan[
                    str(measure.pk)]).label)
                for measure in Measure.objects.filter(pk__in=[int(key) for key in transfer.measure_plan
                                                              if key.isdigit()]).select_related("organisation")
                .order_by("deadline", "id")]
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        data = dict(form.cleaned_data)
        survey_agreed = bool(data.pop("survey_agreed", False))  # the close form only
        try:
            self.action.perform(self.viewer, self.object, data)
        except Conflict as error:
            current = error.current if error.current is not None else self.object
            form.add_error(None, _("Someone else changed this record meanwhile. Check its current state "
                                   "and submit again."))
            posted = cast(QueryDict, form.data).copy()  # a bound form's data: the POST QueryDict
            posted["version"] = str(getattr(current, "version", ""))
            form.data = posted
            return self.form_invalid(form)
        except DomainError as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, str(error.message))
            return self.form_invalid(form)
        messages.success(self.request, _("Done: %(action)s.") % {"action": self.action.title})
        if survey_agreed:
            self._issue_survey_link()
        return HttpResponseRedirect(self.back(self.object))

    def _issue_survey_link(self) -> None:
        """The effectiveness survey's one-time link for the officer to hand over, issued once the case is closed
        (the reports' survey service decides; a refusal is shown, the closing stands)."""
        try:
            invitation = reports.issue_survey_link(viewer=self.viewer, case_id=self.object.pk, agreed_to_contact=True)
        except DomainError as error:
            messages.warning(self.request, _("The survey link was not issued: %(reason)s") % {"reason": error.message})
            return
        link = self.request.build_absolute_uri(reverse("reports_survey", args=[invitation.token]))
        messages.success(self.request, _("Survey link for the applicant (one-time, valid until %(date)s): %(link)s") % {
            "date": timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y"), "link": link})
