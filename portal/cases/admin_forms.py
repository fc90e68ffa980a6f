"""Forms of the case workflow in the Wagtail admin (one per lifecycle action).

They only check the shape of the input; every rule (terms, statuses, who may act) is
checked by `portal.cases.services`, whose refusals come back as form errors.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Case, NeedCircumstance
from portal.partners.models import HelpKind, Organisation

DATE = forms.DateInput(attrs={"type": "date"})


class CollegialDecisionForm(forms.Form):
    """Collegial decision (коллегиальное решение): date, protocol number, participants."""

    decided_on = forms.DateField(label=_("date of the collegial decision"), widget=DATE)
    protocol_number = forms.CharField(label=_("protocol number"), max_length=64)
    participants = forms.CharField(label=_("participants"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveProgrammeForm(CollegialDecisionForm):
    started_on = forms.DateField(label=_("support starts on"), widget=DATE, required=False)
    term_months = forms.IntegerField(label=_("term, months"), min_value=1, max_value=6, initial=6)


class AssignMeasureForm(forms.Form):
    task = forms.CharField(label=_("task"), max_length=255)
    kind = forms.ChoiceField(label=_("kind of help"), choices=HelpKind.choices)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    deadline = forms.DateField(label=_("deadline"), widget=DATE)
    place = forms.CharField(label=_("place"), max_length=255, required=False)
    organisation = forms.ModelChoiceField(label=_("responsible organisation"),
                                          queryset=Organisation.objects.filter(active=True).order_by("name"))
    responsible_person = forms.CharField(label=_("responsible person"), max_length=255, required=False)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("review date"), widget=DATE)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 4}))
    programme_changed = forms.BooleanField(label=_("the programme was changed"), required=False)


class ExtendCaseForm(CollegialDecisionForm):
    ends_on = forms.DateField(label=_("new end of the term"), widget=DATE)
    summary = forms.CharField(label=_("grounds"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CloseCaseForm(forms.Form):
    closed_on = forms.DateField(label=_("closed on"), widget=DATE)
    outcome = forms.ChoiceField(label=_("outcome"), choices=Case.Outcome.choices)
    results = forms.CharField(label=_("results"), widget=forms.Textarea(attrs={"rows": 4}))
    recommendations = forms.CharField(label=_("recommendations"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassignMeasureForm(ReasonForm):
    organisation = forms.ModelChoiceField(label=_("new responsible organisation"),
                                          queryset=Organisation.objects.filter(active=True).order_by("name"))


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("inspection date"), widget=DATE)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 4}))
    need_circumstances = forms.MultipleChoiceField(label=_("need circumstances"), choices=NeedCircumstance.choices,
                                                   widget=forms.CheckboxSelectMultiple, required=False)


class ConfirmForm(forms.Form):
    """No input: the button confirms the action."""
