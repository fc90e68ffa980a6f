"""Forms of the case workspace: one per lifecycle action, and the search and filter forms of the lists.

They only check the shape of the input; every rule (terms, statuses, who may act) is checked by
`portal.cases.services`, whose refusals come back as errors next to the field or the action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, CaseTransfer, Measure, NeedCircumstance, Signal
from portal.partners.models import HelpKind, Organisation
from portal.territory.models import Precinct


class DateInput(forms.DateInput):
    """A browser date picker: its value is always ISO (YYYY-MM-DD), whatever the language's display format, so
    a pre-filled date is one the field accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: Any, *, required: bool = True, today: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), required=required,
                           initial=timezone.localdate if today else None,
                           error_messages={"invalid": _("Enter a date, for example 16.12.2026.")})


def _text(label: Any, *, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required)


def _organisations() -> Any:
    return Organisation.objects.filter(active=True).order_by("name")


class CollegialDecisionForm(forms.Form):
    """Collegial decision (коллегиальное решение: консилиум / МВРГ): date, protocol number, participants."""

    decided_on = _date(_("Date of the collegial decision"))
    protocol_number = forms.CharField(label=_("Protocol number"), max_length=60)
    participants = _text(_("Participants"))


class ApproveProgrammeForm(CollegialDecisionForm):
    started_on = forms.DateField(label=_("Support starts on"), widget=DateInput(), required=False,
                                 help_text=_("Empty: the date of the decision."))
    term_months = forms.IntegerField(label=_("Term, months"), min_value=1, max_value=6, initial=6)


class AssignMeasureForm(forms.Form):
    task = forms.CharField(label=_("Task"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of help"), choices=HelpKind.choices)
    content = _text(_("Content"), required=False)
    deadline = _date(_("Deadline"), today=False)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    organisation = forms.ModelChoiceField(label=_("Responsible organisation"), queryset=_organisations())
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=200, required=False)


class ReviewForm(forms.Form):
    """The interim review; a change of the programme needs its collegial decision (the fields below the box)."""

    reviewed_on = _date(_("Review date"))
    findings = _text(_("Findings"), rows=4)
    programme_changed = forms.BooleanField(label=_("The programme was changed"), required=False)
    decided_on = _date(_("Date of the collegial decision on the change"), required=False, today=False)
    protocol_number = forms.CharField(label=_("Protocol number"), max_length=60, required=False)
    participants = _text(_("Participants"), required=False)
    summary = _text(_("What was changed in the programme"), required=False)


class MonitoringInspectionForm(forms.Form):
    inspected_on = _date(_("Inspection date"))
    findings = _text(_("Findings"), rows=4)


class ExtendCaseForm(CollegialDecisionForm):
    ends_on = _date(_("New end of the term"), today=False)
    wish_on = _date(_("The citizen asked for the extension on"), today=False)
    wish = _text(_("The citizen's wish"))
    summary = _text(_("Grounds"), required=False)


class CloseCaseForm(forms.Form):
    closed_on = _date(_("Closed on"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Case.Outcome.choices)
    results = _text(_("Results"), rows=4)
    recommendations = _text(_("Recommendations"))
    #: The effectiveness survey (issue 17): its one-time link is issued at closing when the applicant agrees.
    survey_agreed = forms.BooleanField(label=_("The applicant agrees to take the survey"), required=False)


class ReasonForm(forms.Form):
    reason = _text(_("Reason"))


class TransferCaseForm(ReasonForm):
    """Transfer of the case when the family moves (передача дела): the receiving institution, the new precinct,
    the reason, and for each open measure of the case whether it follows the case or is cancelled."""

    to_institution = forms.ModelChoiceField(label=_("Receiving institution"), queryset=Organisation.objects.filter(
        kind="social_service", active=True).order_by("name"))
    to_precinct = forms.ModelChoiceField(label=_("New precinct"), queryset=Precinct.objects.select_related(
        "district").order_by("district__name", "number"))
    field_order = ["to_institution", "to_precinct", "reason"]

    def for_object(self, case: Case) -> None:
        """One choice per open (or returned) measure of the case."""
        for measure in case.measures.filter(status__in=Measure.PENDING_STATUSES).select_related("organisation"):
            self.fields[f"measure_{measure.pk}"] = forms.ChoiceField(
                label=_("Measure «%(task)s» (%(organisation)s)") % {"task": measure.task,
                                                                   "organisation": measure.organisation},
                help_text=_("An open measure: it follows the case to the receiving institution or is cancelled "
                            "when the transfer is accepted."),
                choices=CaseTransfer.MeasureFate.choices, initial=CaseTransfer.MeasureFate.FOLLOW,
                widget=forms.RadioSelect)

    def measure_plan(self) -> dict[str, str]:
        return {name.removeprefix("measure_"): value for name, value in self.cleaned_data.items()
                if name.startswith("measure_")}


class ReassignMeasureForm(ReasonForm):
    organisation = forms.ModelChoiceField(label=_("New responsible organisation"), queryset=_organisations())


class InspectionForm(forms.Form):
    inspected_on = _date(_("Inspection date"))
    findings = _text(_("Findings"), rows=4)
    need_circumstances = forms.MultipleChoiceField(label=_("Need circumstances"), choices=NeedCircumstance.choices,
                                                   widget=forms.CheckboxSelectMultiple, required=False)


class ConfirmForm(forms.Form):
    """No input: the button confirms the action."""


# --- Lists -------------------------------------------------------------------------

YES_NO = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


def yes_no(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Surname, address or case number"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *Case.Status.choices])
    overdue = forms.ChoiceField(label=_("Overdue measures"), required=False, choices=YES_NO)
    review_due = forms.ChoiceField(label=_("Interim review due"), required=False, choices=YES_NO)
    term_ending = forms.ChoiceField(label=_("Term ends within 30 days"), required=False, choices=YES_NO)
    lapsed = forms.ChoiceField(label=_("Term lapsed"), required=False, choices=YES_NO)
    precinct = forms.ModelChoiceField(label=_("Precinct"), required=False, empty_label=_("Any precinct"),
                                      queryset=Precinct.objects.select_related("district").order_by(
                                          "district__name", "number"))
    institution = forms.ModelChoiceField(label=_("Institution"), required=False, empty_label=_("Any institution"),
                                         queryset=Organisation.objects.filter(kind="social_service").order_by("name"))


class SignalFilterForm(forms.Form):
    q = forms.CharField(label=_("Address, family or case number"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *Signal.Status.choices])


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Surname, address or case number"), required=False, max_length=200)
