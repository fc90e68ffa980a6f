"""«Сообщить о семье» in the partner workspace: a partner organisation (school, police, clinic, fund…) reports a
family that may need support. The signal goes to the institution serving the address (unresolved: the queue of
the institution of the partner's district), through the same intake service as the operator's form, so the repeat
check, the routing and the audit trail are the domain's. The partner sees the reports it made, never the check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.cases import selectors
from portal.cases.models import NeedCircumstance, Signal
from portal.cases.services import intake
from portal.core.errors import DomainError
from portal.core.viewer import Viewer
from portal.partners.models import Organisation
from portal.workspace.views import Refusal, _page, _reader

#: The source a partner's report has, by the kind of organisation.
SOURCE_OF_KIND = {"school": Signal.Source.SCHOOL, "kindergarten": Signal.Source.SCHOOL,
                  "police": Signal.Source.POLICE, "healthcare": Signal.Source.HEALTHCARE}


class ReportFamilyForm(forms.Form):
    address = forms.CharField(label=gettext_lazy("Address of the family"), max_length=300,
                              help_text=gettext_lazy("Settlement, street, house and flat."))
    summary = forms.CharField(label=gettext_lazy("What happened"), widget=forms.Textarea(attrs={"rows": 5}),
                              max_length=5000,
                              help_text=gettext_lazy("Facts only: what you saw or were told, and when."))
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Signal.Urgency.choices,
                                widget=forms.RadioSelect, initial=Signal.Urgency.ROUTINE)
    need_circumstances = forms.MultipleChoiceField(
        label=gettext_lazy("What the family seems to need"), choices=NeedCircumstance.choices,
        widget=forms.CheckboxSelectMultiple, required=False)
    reporter = forms.CharField(label=gettext_lazy("Contact person and phone"), max_length=200)


def _context(viewer: Viewer, form: ReportFamilyForm, **extra: Any) -> dict[str, Any]:
    organisation = Organisation.objects.filter(pk=viewer.organisation_id or 0).first()  # a partner has one
    reported = list(selectors.signals_for(viewer).filter(registered_by_subject=viewer.subject or "-")
                    .select_related("institution").order_by("-received_at")[:20])
    return {"form": form, "organisation": organisation, "display_name": viewer.audit_name, "reported": reported,
            **extra}


@require_http_methods(["GET", "POST"])
def report_family(request: HttpRequest) -> HttpResponse:
    viewer = _reader(request)
    if isinstance(viewer, HttpResponse):
        return viewer
    if not viewer.is_partner:
        return _page(request, "workspace/refused.html", {}, refusal=Refusal(
            "forbidden", _("Only partner organisations report families here; staff register signals in the "
                           "case workspace.")))
    if request.method == "GET":
        form = ReportFamilyForm(initial={"reporter": viewer.audit_name})
        return _page(request, "workspace/report_family.html", _context(viewer, form))
    form = ReportFamilyForm(request.POST)
    repeats: list[Signal] = []
    if form.is_valid():
        data = form.cleaned_data
        organisation = Organisation.objects.filter(pk=viewer.organisation_id or 0).first()
        source = SOURCE_OF_KIND.get(organisation.kind if organisation else "", Signal.Source.OTHER_ORGANISATION)
        raw_repeat = request.POST.get("repeat_of", "")
        try:
            signal = intake.register_signal(
                viewer=viewer, source=source, summary=data["summary"], address=data["address"],
                reporter=data["reporter"], urgency=data["urgency"], need_circumstances=data["need_circumstances"],
                repeat_of_id=int(raw_repeat) if raw_repeat.isdigit() else None,
                not_a_repeat=bool(request.POST.get("not_a_repeat")))
        except intake.PossibleRepeat as warning:
            repeats = warning.candidates
        except DomainError as error:
            refusal = Refusal.of(error)
            field = refusal.field if refusal.field in form.fields else None
            form.add_error(field, refusal.message)
            return _page(request, "workspace/report_family.html", _context(viewer, form), status=refusal.status)
        else:
            messages.success(request, _("Thank you. Report № %(number)s is passed to %(institution)s.")
                             % {"number": signal.pk, "institution": signal.institution})
            return HttpResponseRedirect(reverse("workspace:report-family"))
    return _page(request, "workspace/report_family.html", _context(viewer, form, repeats=repeats),
                 status=200 if repeats else 400)
