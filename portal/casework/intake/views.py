"""Views of the intake flow in the Wagtail admin: thin pages that load through the scoped selectors, call one
service per action and show its refusal next to the field or the action, keeping everything typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.accounts.admin_views import request_viewer
from portal.cases import selectors, services
from portal.cases.access import may_manage_case
from portal.cases.models import (
    Application,
    Case,
    Category,
    Household,
    InspectionAct,
    Measure,
    NeedCircumstance,
    Person,
    Programme,
    ServiceType,
    Signal,
)
from portal.cases.services import intake
from portal.cases.services.intake import PossibleDuplicate, PossibleRepeat
from portal.casework.intake import forms as intake_forms
from portal.core.errors import DomainError, NotFound
from portal.core.viewer import Role, Viewer
from portal.partners.models import HelpKind


def labels(values: list[str], choices: Any) -> list[str]:
    """Display labels of stored choice values (never the raw codes)."""
    known = dict(choices)
    return [str(known.get(value, value)) for value in values]


def case_card_url(case: Case) -> str:
    """The case card of the workspace (casework:case), or the programme page while it is not mounted."""
    try:
        return reverse("casework:case", kwargs={"pk": case.pk})
    except NoReverseMatch:
        return reverse("casework:programme", kwargs={"pk": case.pk})


def run(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Call a service; a refusal becomes an error next to its field (or above the form). None when refused."""
    try:
        return call()
    except DomainError as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        return None


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """A button's id value (e.g. «attach as a repeat to № …»), or None."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else None


class IntakeView(WagtailAdminTemplateMixin, TemplateView):
    """A page of the intake: the Viewer of the signed-in user, a title naming the action."""

    header_icon = "folder-open-inverse"
    page_title = ""
    #: Roles that may open the page at all (the services decide every action).
    roles: tuple[Role, ...] = (Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.viewer: Viewer = request_viewer(request)
        if not (self.viewer.is_admin or self.viewer.has_role(*self.roles)):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(self.page_title)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        """Home → the workspace's dashboard (for staff who have one) → this page, named by its action."""
        items = list(self.breadcrumbs_items)
        if not self.viewer.has_role(Role.OPERATOR) or self.viewer.is_staff_reader:
            try:
                items.append({"url": reverse("casework:dashboard"), "label": _("Case work")})
            except NoReverseMatch:
                pass
        else:
            items.append({"url": reverse("casework:my_signals"), "label": _("Signals I registered")})
        return [*items, {"url": "", "label": self.get_page_title()}]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(**kwargs))


# --- Signals -------------------------------------------------------------------------------

class SignalCreateView(IntakeView):
    template_name = "casework/intake/signal_new.html"
    roles = (Role.OPERATOR, Role.OFFICER, Role.COORDINATOR)

    def get_page_title(self) -> str:
        return pgettext("page title", "Register a signal")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", intake_forms.SignalForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = intake_forms.SignalForm(request.POST)
        repeats: list[Signal] = []
        if form.is_valid():
            data = form.cleaned_data
            try:
                signal = intake.register_signal(
                    viewer=self.viewer, source=data["source"], summary=data["summary"],
                    received_at=data["received_at"], address=data["address"], reporter=data["reporter"],
                    anonymous=data["anonymous"], urgency=data["urgency"],
                    need_circumstances=data["need_circumstances"], repeat_of_id=_posted_id(request, "repeat_of"),
                    not_a_repeat=bool(request.POST.get("not_a_repeat")))
            except PossibleRepeat as warning:
                repeats = warning.candidates
            except DomainError as error:
                field = getattr(error, "field", None)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                if signal.repeat_of_id:
                    messages.success(request, _("The report is attached as a repeat to signal № %(number)s.")
                                     % {"number": signal.repeat_of_id})
                elif signal.precinct is None:
                    messages.warning(request, _("Signal № %(number)s is registered. The precinct was not "
                                                "determined: it is in the queue of %(institution)s.")
                                     % {"number": signal.pk, "institution": signal.institution})
                else:
                    messages.success(request, _("Signal № %(number)s is registered: %(institution)s, precinct "
                                                "№ %(precinct)s.") % {"number": signal.pk,
                                                                      "institution": signal.institution,
                                                                      "precinct": signal.precinct.number})
                return HttpResponseRedirect(reverse("casework:signal", kwargs={"pk": signal.pk}))
        visible = set(selectors.signals_for(self.viewer).filter(pk__in=[s.pk for s in repeats])
                      .values_list("pk", flat=True))
        for candidate in repeats:
            candidate.visible = candidate.pk in visible  # type: ignore[attr-defined]
        return self.render_to_response(self.get_context_data(form=form, repeats=repeats))


class MySignalsView(IntakeView):
    """The signals the viewer registered (all an operator sees), newest first."""

    template_name = "casework/intake/my_signals.html"
    roles = (Role.OPERATOR, Role.OFFICER, Role.COORDINATOR)

    def get_page_title(self) -> str:
        return _("Signals I registered")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        signals = list(selectors.signals_for(self.viewer).filter(registered_by_subject=self.viewer.subject or "-")
                       .select_related("institution", "precinct").order_by("-received_at")[:200])
        context.update(signals=signals, count_text=ngettext("%(count)s signal", "%(count)s signals",
                                                            len(signals)) % {"count": len(signals)})
        return context


def _signal_or_404(viewer: Viewer, pk: int) -> Signal:
    signal = selectors.signals_for(viewer).select_related(
        "institution", "precinct__district", "assigned_officer", "repeat_of", "reporter_organisation").filter(
        pk=pk).first()
    if signal is None:
        raise Http404
    return signal


class SignalView(IntakeView):
    """The signal with its check: assign an officer, the act, confirm or not confirm; each refusal is shown
    next to its action."""

    template_name = "casework/intake/signal.html"
    roles = (Role.OPERATOR, Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR)

    def get_page_title(self) -> str:
        return _("Signal № %(number)s") % {"number": self.kwargs["pk"]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        signal = _signal_or_404(self.viewer, self.kwargs["pk"])
        act = InspectionAct.objects.filter(signal=signal).first()
        works = self.viewer.is_admin or self.viewer.has_role(Role.OFFICER, Role.COORDINATOR)
        context.update(
            signal=signal, act=act, works=works and signal.repeat_of_id is None,
            needs=labels(signal.need_circumstances, NeedCircumstance.choices),
            repeats=list(signal.repeats.order_by("received_at")),
            applications=list(intake.applications_for(self.viewer).filter(signal=signal).select_related("case")),
        )
        if act is not None:
            context.update(act_categories=labels(act.family_categories, Category.choices),
                           act_needs=labels(act.need_indicators, NeedCircumstance.choices),
                           act_help=labels(act.help_kinds, HelpKind.choices))
        context.setdefault("assign_form", intake_forms.AssignForm(institution_id=signal.institution_id))
        context.setdefault("dismiss_form", intake_forms.DismissForm())
        context.setdefault("confirm_form", forms.Form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signal = _signal_or_404(self.viewer, kwargs["pk"])
        action = request.POST.get("action")
        done = None
        extra: dict[str, Any] = {}
        if action == "assign":
            form: forms.Form = intake_forms.AssignForm(request.POST, institution_id=signal.institution_id)
            extra["assign_form"] = form
            if form.is_valid():
                done = run(form, lambda: intake.assign_signal_check(
                    viewer=self.viewer, signal_id=signal.pk, officer_id=form.cleaned_data["officer"].pk))
                message = _("The check is assigned.")
        elif action == "confirm":
            form = forms.Form(request.POST)
            extra["confirm_form"] = form
            if form.is_valid():
                done = run(form, lambda: services.confirm_signal(viewer=self.viewer, signal_id=signal.pk))
                message = _("The need for support is confirmed. Record the application of the family.")
        elif action == "dismiss":
            form = intake_forms.DismissForm(request.POST)
            extra["dismiss_form"] = form
            if form.is_valid():
                done = run(form, lambda: services.dismiss_signal(viewer=self.viewer, signal_id=signal.pk,
                                                                 reason=form.cleaned_data["reason"]))
                message = _("The signal is closed as not confirmed.")
        else:
            raise Http404
        if done is not None:
            messages.success(request, message)
            return HttpResponseRedirect(request.path)
        # Shown above the actions even to a viewer who is offered none (e.g. a supervisor posting anyway).
        extra["refusal"] = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return self.render_to_response(self.get_context_data(**kwargs, **extra))


class InspectionActView(IntakeView):
    template_name = "casework/intake/form_page.html"
    roles = (Role.OFFICER, Role.COORDINATOR)

    def get_page_title(self) -> str:
        return _("Inspection act for signal № %(number)s") % {"number": self.kwargs["pk"]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        signal = _signal_or_404(self.viewer, self.kwargs["pk"])
        if "form" not in context:
            act = InspectionAct.objects.filter(signal=signal).first()
            initial: dict[str, Any] = {"need_indicators": signal.need_circumstances}
            if act is not None:
                initial.update({name: getattr(act, name) for name in intake_forms.InspectionActForm.base_fields})
            else:
                last = InspectionAct.objects.filter(signal__institution_id=signal.institution_id).order_by(
                    "-inspected_on", "-pk").first()
                if last is not None:  # the regional minimum changes once a year: the last act's is the likely one
                    initial["subsistence_minimum"] = last.subsistence_minimum
            context["form"] = intake_forms.InspectionActForm(initial=initial)
        context.update(signal=signal, back_url=reverse("casework:signal", kwargs={"pk": signal.pk}),
                       submit_label=_("Save the act"), intro=signal.summary)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signal = _signal_or_404(self.viewer, kwargs["pk"])
        form = intake_forms.InspectionActForm(request.POST)
        if form.is_valid() and run(form, lambda: intake.record_inspection_act(
                viewer=self.viewer, signal_id=signal.pk, **form.cleaned_data)) is not None:
            messages.success(request, _("The inspection act is saved."))
            return HttpResponseRedirect(reverse("casework:signal", kwargs={"pk": signal.pk}))
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


# --- Household, persons, application --------------------------------------------------------

def _signal_param(viewer: Viewer, request: HttpRequest) -> Signal | None:
    raw = request.GET.get("signal") or request.POST.get("signal")
    if not raw or not str(raw).isdigit():
        return None
    return selectors.signals_for(viewer).filter(pk=int(raw)).first()


def _with_signal(url: str, signal: Signal | None) -> str:
    return f"{url}?signal={signal.pk}" if signal is not None else url


class HouseholdCreateView(IntakeView):
    template_name = "casework/intake/household_new.html"
    roles = (Role.OFFICER, Role.COORDINATOR)

    def get_page_title(self) -> str:
        return _("Register a household")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        signal = _signal_param(self.viewer, self.request)
        if "form" not in context:
            initial: dict[str, Any] = {}
            if signal is not None:
                initial["address"] = signal.address
                act = InspectionAct.objects.filter(signal=signal).first()
                if act is not None:
                    initial["categories"] = act.family_categories
            context["form"] = intake_forms.HouseholdForm(initial=initial)
        context["signal"] = signal
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = intake_forms.HouseholdForm(request.POST)
        signal = _signal_param(self.viewer, request)
        extra: dict[str, Any] = {}
        if form.is_valid():
            data = form.cleaned_data
            try:
                household = intake.register_household(viewer=self.viewer, address=data["address"],
                                                       categories=data["categories"],
                                                       not_duplicate=bool(request.POST.get("not_duplicate")))
            except PossibleDuplicate as warning:
                extra.update(duplicates=warning.candidates, hidden_duplicates=warning.hidden)
            except DomainError as error:
                field = getattr(error, "field", None)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("The household is registered. Add its members."))
                return HttpResponseRedirect(_with_signal(reverse("casework:household",
                                                                 kwargs={"pk": household.pk}), signal))
        return self.render_to_response(self.get_context_data(form=form, **extra))


def _household_or_404(viewer: Viewer, pk: int) -> Household:
    household = selectors.households_for(viewer).select_related("precinct__district").filter(pk=pk).first()
    if household is None:
        raise Http404
    return household


class HouseholdView(IntakeView):
    """The family: members, add a member (after a duplicate check), record the application."""

    template_name = "casework/intake/household.html"
    roles = (Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR)

    def get_page_title(self) -> str:
        return _("Family")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        household = _household_or_404(self.viewer, self.kwargs["pk"])
        members = list(selectors.persons_for(self.viewer).filter(household=household).order_by("birth_date", "pk"))
        signal = _signal_param(self.viewer, self.request)
        context.update(
            household=household, members=members, signal=signal,
            categories=labels(household.categories, Category.choices),
            members_text=ngettext("%(count)s member", "%(count)s members", len(members)) % {"count": len(members)},
            applications=list(intake.applications_for(self.viewer).filter(person__household=household)
                              .select_related("person", "case")),
            application_url=_with_signal(reverse("casework:application_new", kwargs={"pk": household.pk}),
                                         signal),
        )
        context.setdefault("form", intake_forms.PersonForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        household = _household_or_404(self.viewer, kwargs["pk"])
        form = intake_forms.PersonForm(request.POST)
        extra: dict[str, Any] = {}
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                person = intake.register_person(viewer=self.viewer, household_id=household.pk,
                                                not_duplicate=bool(request.POST.get("not_duplicate")), **data)
            except PossibleDuplicate as warning:
                extra.update(duplicates=warning.candidates, hidden_duplicates=warning.hidden)
            except DomainError as error:
                field = getattr(error, "field", None)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("%(name)s is added to the family.") % {"name": person.full_name})
                return HttpResponseRedirect(request.get_full_path())
        return self.render_to_response(self.get_context_data(form=form, **extra, **kwargs))


class ApplicationCreateView(IntakeView):
    template_name = "casework/intake/form_page.html"
    roles = (Role.OFFICER, Role.COORDINATOR)

    def get_page_title(self) -> str:
        return _("Record the application")

    def _persons(self, household: Household) -> QuerySet[Person]:
        return selectors.persons_for(self.viewer).filter(household=household).order_by("last_name", "first_name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        household = _household_or_404(self.viewer, self.kwargs["pk"])
        signal = _signal_param(self.viewer, self.request)
        if "form" not in context:
            initial: dict[str, Any] = {}
            if signal is not None:
                initial["need_circumstances"] = signal.need_circumstances
                act = InspectionAct.objects.filter(signal=signal).first()
                if act is not None:
                    initial["help_requested"] = act.help_kinds
            context["form"] = intake_forms.ApplicationForm(initial=initial, persons=self._persons(household))
        context.update(household=household, signal=signal, submit_label=_("Register the application"),
                       back_url=_with_signal(reverse("casework:household", kwargs={"pk": household.pk}), signal),
                       intro=_("Family at %(address)s.") % {"address": household.address})
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        household = _household_or_404(self.viewer, kwargs["pk"])
        signal = _signal_param(self.viewer, request)
        form = intake_forms.ApplicationForm(request.POST, persons=self._persons(household))
        if form.is_valid():
            data = dict(form.cleaned_data)
            person = data.pop("person")
            application = run(form, lambda: intake.record_application(
                viewer=self.viewer, person_id=person.pk, signal_id=signal.pk if signal else None, **data))
            if application is not None:
                messages.success(request, _("Application № %(number)s is registered in the journal.")
                                 % {"number": application.journal_number})
                return HttpResponseRedirect(reverse("casework:application", kwargs={"pk": application.pk}))
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


def _application_or_404(viewer: Viewer, pk: int) -> Application:
    application = intake.applications_for(viewer).select_related(
        "person__household__precinct", "signal", "case", "institution").filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


class ApplicationView(IntakeView):
    """The registered application and, while no case exists, the registration of the case."""

    template_name = "casework/intake/application.html"
    roles = (Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR)

    def get_page_title(self) -> str:
        return _("Application")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = _application_or_404(self.viewer, self.kwargs["pk"])
        if "form" not in context:
            initial: dict[str, Any] = {}
            act = InspectionAct.objects.filter(signal_id=application.signal_id).first() if application.signal_id \
                else None
            if act is not None:
                initial.update(level=act.recommended_level, categories=act.family_categories)
            if application.signal is not None:
                initial["reasons"] = application.signal.summary
            context["form"] = intake_forms.RegisterCaseForm(initial=initial)
        consents = list(application.person.consents.all())
        context.update(
            application=application, consents=consents,
            services_text=labels(application.services_requested, ServiceType.choices),
            help_text=labels(application.help_requested, HelpKind.choices),
            needs=labels(application.need_circumstances, NeedCircumstance.choices),
            may_register=application.case_id is None and (
                self.viewer.is_admin or self.viewer.has_role(Role.OFFICER, Role.COORDINATOR)),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        application = _application_or_404(self.viewer, kwargs["pk"])
        form = intake_forms.RegisterCaseForm(request.POST)
        if form.is_valid():
            case = run(form, lambda: intake.register_case_from_application(
                viewer=self.viewer, application_id=application.pk, **form.cleaned_data))
            if case is not None:
                messages.success(request, _("Case %(code)s is registered. Build its programme.") % {"code": case.code})
                return HttpResponseRedirect(reverse("casework:programme", kwargs={"pk": case.pk}))
        return self.render_to_response(self.get_context_data(form=form, **kwargs))


# --- Programme (ИПССС) ---------------------------------------------------------------------

class ProgrammeView(IntakeView):
    """The programme of a case: measures with their responsible organisation and the data shared with it;
    approval by a collegial decision. Refusals are shown next to the form they answer."""

    template_name = "casework/intake/programme.html"
    roles = (Role.OFFICER, Role.COORDINATOR, Role.SUPERVISOR)

    def get_page_title(self) -> str:
        return _("Programme of social support (ИПССС)")

    def _case(self) -> Case:
        try:
            return selectors.get_case(viewer=self.viewer, case_id=self.kwargs["pk"])
        except NotFound:
            raise Http404 from None

    def _members(self, case: Case) -> QuerySet[Person]:
        return Person.objects.filter(household_id=case.household_id).order_by("birth_date", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = self._case()
        programme = Programme.objects.filter(case=case).select_related("approval").first()
        measures = list(selectors.measures_for(self.viewer).filter(case=case).select_related(
            "organisation", "recipient").order_by("deadline", "pk"))
        for measure in measures:
            measure.shared_labels = labels(measure.shared_fields,  # type: ignore[attr-defined]
                                           intake_forms.SHARED_FIELD_LABELS.items())
        manages = may_manage_case(self.viewer, case)
        context.update(
            case=case, programme=programme, measures=measures, manages=manages,
            measures_text=ngettext("%(count)s measure", "%(count)s measures", len(measures)) % {
                "count": len(measures)},
            may_add=manages and case.status != Case.Status.CLOSED,
            may_approve=manages and case.status == Case.Status.REGISTERED,
            needs=labels(case.need_circumstances, NeedCircumstance.choices),
            card_url=case_card_url(case),
        )
        context.setdefault("measure_form", intake_forms.MeasureForm(members=self._members(case)))
        context.setdefault("approve_form", intake_forms.ApproveForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        case = self._case()
        action = request.POST.get("action")
        if action == "measure":
            form: forms.Form = intake_forms.MeasureForm(request.POST, members=self._members(case))
            if form.is_valid():
                data = dict(form.cleaned_data)
                organisation, recipient = data.pop("organisation"), data.pop("recipient")
                measure = run(form, lambda: services.assign_measure(
                    viewer=self.viewer, case_id=case.pk, organisation_id=organisation.pk,
                    recipient_id=recipient.pk if recipient else None, **data))
                if isinstance(measure, Measure):
                    messages.success(request, _("The measure «%(task)s» is added.") % {"task": measure.task})
                    return HttpResponseRedirect(request.path)
            return self.render_to_response(self.get_context_data(measure_form=form, **kwargs))
        if action == "approve":
            form = intake_forms.ApproveForm(request.POST)
            if form.is_valid():
                approved = run(form, lambda: services.approve_programme(viewer=self.viewer, case_id=case.pk,
                                                                        **form.cleaned_data))
                if approved is not None:
                    messages.success(request, _("The programme is approved: support runs until %(end)s.")
                                     % {"end": f"{approved.ends_on:%d.%m.%Y}"})
                    return HttpResponseRedirect(case_card_url(approved))
            return self.render_to_response(self.get_context_data(approve_form=form, **kwargs))
        raise Http404
