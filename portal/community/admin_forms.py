"""Forms of the registries' admin screens (moderation, needs, offers)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.community.models import Benefactor, Urgency
from portal.community.selectors import approved_benefactors
from portal.partners.models import HelpKind, Organisation


class ApproveBenefactorForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation (legal entity registered as a partner)"), required=False,
        queryset=Organisation.objects.filter(active=True).order_by("name"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Give the reason.")})


SUMMARY_HELP = _("In plain words what would help, e.g. «Нужны зимние сапоги и тёплая куртка для школьника». "
                 "No names, addresses, ages, dates, phone numbers or document numbers: the text is checked "
                 "before it is published.")


class PublishNeedForm(forms.Form):
    case = forms.ChoiceField(label=_("Case"), error_messages={"required": _("Choose the case.")})
    help_kind = forms.ChoiceField(label=_("Kind of help needed"), choices=HelpKind.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.SOON)
    summary = forms.CharField(
        label=_("What is needed (shown on the public card)"), max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=SUMMARY_HELP,
        error_messages={"required": _("Describe in plain words what is needed."),
                        "max_length": _("The text is too long (at most %(limit_value)d characters).")},
    )

    def __init__(self, *args: Any, cases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["case"]).choices = [("", "—"), *cases]


class DescribeNeedForm(forms.Form):
    """The coordinator rewrites the public description of a published need."""

    summary = forms.CharField(
        label=_("What is needed"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}), help_text=SUMMARY_HELP,
        error_messages={"required": _("Describe in plain words what is needed."),
                        "max_length": _("The text is too long (at most %(limit_value)d characters).")},
    )


class AcceptOfferForm(forms.Form):
    task = forms.CharField(label=_("Task of the measure"), max_length=300,
                           error_messages={"required": _("Describe the task of the measure.")})
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               error_messages={"required": _("Set the deadline."),
                                               "invalid": _("Enter the date as DD.MM.YYYY.")})
    benefactor = forms.ModelChoiceField(
        label=_("Registered benefactor (optional)"), required=False, queryset=Benefactor.objects.none(),
        empty_label=_("— none: the person who offered, via the institution —"),
        help_text=_("Choose only after checking with the benefactor through the contacts of its registry record. "
                    "A legal entity registered as a partner then gets the measure itself."),
        error_messages={"invalid_choice": _("Choose an approved benefactor of the registry.")},
    )
    benefactor_confirmed = forms.BooleanField(
        label=_("I have checked with the benefactor that this offer is theirs."), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=14)
        cast(forms.ModelChoiceField, self.fields["benefactor"]).queryset = approved_benefactors()
