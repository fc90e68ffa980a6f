"""Forms of the intake flow. They check the shape of the input only; the rules (who may act, states, terms,
duplicates and repeats) are the services' (`portal.cases.services`, its `intake` module), whose refusals come
back as errors next to the field or the action. Dates are pre-filled in the format their input accepts (ISO for
the browser's date picker)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.models import (
    SHAREABLE_RECIPIENT_FIELDS,
    Application,
    Case,
    Category,
    CollegialDecision,
    NeedCircumstance,
    Person,
    ServiceType,
    Signal,
    SupportForm,
)
from portal.cases.terms import MAX_TERM_MONTHS
from portal.partners.models import HelpKind, Organisation
from portal.territory.models import Officer

SHARED_FIELD_LABELS: dict[str, Any] = {
    "first_name": _("First name"), "district": _("District"), "last_name": _("Last name"),
    "middle_name": _("Patronymic"), "birth_date": _("Date of birth"), "phone": _("Phone"), "address": _("Address"),
}


class DateInput(forms.DateInput):
    """The browser's date picker: its value is always ISO (YYYY-MM-DD), whatever the interface language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _checkboxes(label: Any, choices: Any, *, required: bool = False, help_text: Any = "") -> forms.Field:
    return forms.MultipleChoiceField(label=label, choices=choices, widget=forms.CheckboxSelectMultiple,
                                     required=required, help_text=help_text)


def _today() -> dt.date:
    return timezone.localdate()


class SignalForm(forms.Form):
    """Signal intake (приём сигнала)."""

    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Signal.Source.choices])
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeInput,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"])
    anonymous = forms.BooleanField(label=_("The reporter wishes to stay anonymous"), required=False,
                                   help_text=_("No reporter is stored at all."))
    reporter = forms.CharField(label=_("Reporter (name, organisation, phone)"), max_length=200, required=False)
    address = forms.CharField(label=_("Address of the family"), max_length=300, required=False,
                              help_text=_("Settlement, street, house and flat: the precinct is found from it."))
    summary = forms.CharField(label=_("What was reported"), widget=forms.Textarea(attrs={"rows": 5}),
                              max_length=5000)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Signal.Urgency.choices, widget=forms.RadioSelect,
                                initial=Signal.Urgency.ROUTINE)
    need_circumstances = _checkboxes(_("Need circumstances reported"), NeedCircumstance.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("anonymous") and (data.get("reporter") or "").strip():
            self.add_error("reporter", _("The report is marked anonymous: clear the reporter or remove the mark."))
        received = data.get("received_at")
        if received and received > timezone.now() + dt.timedelta(minutes=5):
            self.add_error("received_at", _("The time received cannot be in the future."))
        return data


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Officer who checks the signal"), queryset=Officer.objects.none())

    def __init__(self, *args: Any, institution_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer_field = cast(forms.ModelChoiceField, self.fields["officer"])
        officer_field.queryset = Officer.objects.filter(institution_id=institution_id).order_by("full_name")


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason the need is not confirmed"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=5000)


class InspectionActForm(forms.Form):
    """The act (seed 004 row 4): family, housing, climate, income, indicators, the commission's conclusion."""

    inspected_on = forms.DateField(label=_("Inspection date"), widget=DateInput)
    family_categories = _checkboxes(_("Family category"), Category.choices)
    members = forms.CharField(label=_("Family members"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Full name, date of birth, relation, occupation of each member."))
    housing = forms.CharField(label=_("Housing conditions"), widget=forms.Textarea(attrs={"rows": 3}))
    psychological_climate = forms.CharField(label=_("Psychological climate in the family"),
                                            widget=forms.Textarea(attrs={"rows": 3}))
    income_per_person = forms.DecimalField(label=_("Income per person, roubles a month"), min_value=Decimal(0),
                                           max_digits=10, decimal_places=2)
    subsistence_minimum = forms.DecimalField(label=_("Subsistence minimum per person, roubles a month"),
                                             min_value=Decimal("0.01"), max_digits=10, decimal_places=2)
    need_indicators = _checkboxes(_("Need indicators found"), NeedCircumstance.choices, required=True)
    circumstances = forms.CharField(label=_("Circumstances that worsen or may worsen living conditions"),
                                    widget=forms.Textarea(attrs={"rows": 3}), required=False)
    recommended_level = forms.ChoiceField(label=_("Recommended level of support"), choices=Case.Level.choices,
                                          widget=forms.RadioSelect)
    support_form = forms.ChoiceField(label=_("Form of support"), choices=SupportForm.choices,
                                     widget=forms.RadioSelect)
    help_kinds = _checkboxes(_("Kinds of social services and other help"), HelpKind.choices)
    conclusion = forms.CharField(label=_("Conclusion of the commission"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("inspected_on", _today())


class HouseholdForm(forms.Form):
    address = forms.CharField(label=_("Address of the household"), max_length=300,
                              help_text=_("Settlement, street, house and flat."))
    categories = _checkboxes(_("Family category"), Category.choices)


class PersonForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    middle_name = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Person.Sex.choices], required=False)
    relation = forms.CharField(label=_("Relation in the household"), max_length=60, required=False,
                               help_text=_("For example: mother, son, grandmother."))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    categories = _checkboxes(_("Categories"), Category.choices)

    def clean_birth_date(self) -> dt.date | None:
        day = self.cleaned_data.get("birth_date")
        if day and day > _today():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return day


class ApplicationForm(forms.Form):
    """Application (seed 004 row 3) with the consents given in the same step."""

    person = forms.ModelChoiceField(label=_("Citizen in whose interest the application is made"),
                                    queryset=Person.objects.none(), empty_label=None)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    applicant_kind = forms.ChoiceField(label=_("Who applies"), choices=Application.ApplicantKind.choices,
                                       widget=forms.RadioSelect, initial=Application.ApplicantKind.SELF)
    applicant_name = forms.CharField(label=_("Name of the representative, citizen or organisation"),
                                     max_length=300, required=False,
                                     help_text=_("Not needed when the citizen applies themselves."))
    services_requested = _checkboxes(_("Social services requested"), ServiceType.choices)
    help_requested = _checkboxes(_("Help requested for the family members"), HelpKind.choices)
    need_circumstances = _checkboxes(_("Need circumstances"), NeedCircumstance.choices)
    processing_consent = forms.BooleanField(
        label=_("The citizen consents to the processing of personal data"), required=False,
        help_text=_("Required: without it the application is not registered (152-FZ art. 9)."))
    publication_consent = forms.BooleanField(
        label=_("The citizen consents, separately, to publishing the need anonymised in the register of "
                "beneficiaries"), required=False)

    def __init__(self, *args: Any, persons: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person_field = cast(forms.ModelChoiceField, self.fields["person"])
        person_field.queryset = persons if persons is not None else Person.objects.none()
        if not self.is_bound:
            self.initial.setdefault("received_on", _today())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("applicant_kind") and data["applicant_kind"] != Application.ApplicantKind.SELF and not (
                data.get("applicant_name") or "").strip():
            self.add_error("applicant_name", _("Enter who applies in the citizen's interest."))
        if "processing_consent" in data and not data["processing_consent"]:
            self.add_error("processing_consent", _("Without the consent to processing the application cannot be "
                                                   "registered."))
        return data


class RegisterCaseForm(forms.Form):
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput)
    level = forms.ChoiceField(label=_("Level of support"), choices=Case.Level.choices, widget=forms.RadioSelect)
    categories = _checkboxes(_("Categories"), Category.choices)
    reasons = forms.CharField(label=_("Reasons for the application"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("registered_on", _today())
            self.initial.setdefault("level", Case.Level.BASIC)


class MeasureForm(forms.Form):
    """A measure of the programme: task, content, kind, deadline, place, responsible organisation and person,
    and which recipient data that organisation may see."""

    task = forms.CharField(label=_("Task"), max_length=300)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(label=_("Kind of help"), choices=[("", "—"), *HelpKind.choices])
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    organisation = forms.ModelChoiceField(label=_("Responsible organisation"),
                                          queryset=Organisation.objects.none(),
                                          help_text=_("Active organisations of the partner registry."))
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=200, required=False)
    recipient = forms.ModelChoiceField(label=_("Recipient"), queryset=Person.objects.none(), required=False,
                                       empty_label=_("the applicant"))
    shared_fields = _checkboxes(_("Recipient data the organisation may see"),
                                [(name, SHARED_FIELD_LABELS[name]) for name in SHAREABLE_RECIPIENT_FIELDS],
                                help_text=_("By default only the first name and the district."))

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_field = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation_field.queryset = Organisation.objects.filter(active=True).order_by("name")
        recipient_field = cast(forms.ModelChoiceField, self.fields["recipient"])
        recipient_field.queryset = members if members is not None else Person.objects.none()
        if not self.is_bound:
            self.initial.setdefault("deadline", _today() + dt.timedelta(days=30))
            self.initial.setdefault("shared_fields", ["first_name", "district"])


class ApproveForm(forms.Form):
    """Approval of the programme by a collegial decision (консилиум / МВРГ)."""

    body = forms.ChoiceField(label=_("Collegial body"), choices=CollegialDecision.Body.choices,
                             widget=forms.RadioSelect, initial=CollegialDecision.Body.CONSILIUM)
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput)
    protocol_number = forms.CharField(label=_("Protocol number"), max_length=60)
    participants = forms.CharField(label=_("Participants"), widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=5000)
    started_on = forms.DateField(label=_("Support starts on"), widget=DateInput, required=False,
                                 help_text=_("Empty: on the day of the decision."))
    term_months = forms.IntegerField(label=_("Term, months"), min_value=1, max_value=MAX_TERM_MONTHS,
                                     initial=MAX_TERM_MONTHS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("decided_on", _today())
