"""Forms of the registries' admin screens (moderation, needs, offers)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.community.models import Urgency
from portal.partners.models import HelpKind, Organisation


class ApproveBenefactorForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation (legal entity registered as a partner)"), required=False,
        queryset=Organisation.objects.filter(active=True).order_by("name"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Give the reason.")})


class PublishNeedForm(forms.Form):
    case = forms.ChoiceField(label=_("Case"), error_messages={"required": _("Choose the case.")})
    help_kind = forms.ChoiceField(label=_("Kind of help needed"), choices=HelpKind.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.SOON)
    summary = forms.CharField(
        label=_("Public summary"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What is needed, without names, addresses, ages or dates."),
    )

    def __init__(self, *args: object, cases: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", "—"), *cases]


class AcceptOfferForm(forms.Form):
    task = forms.CharField(label=_("Task of the measure"), max_length=300,
                           error_messages={"required": _("Describe the task of the measure.")})
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("Set the deadline."),
                                               "invalid": _("Enter the date as DD.MM.YYYY.")})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=14)
