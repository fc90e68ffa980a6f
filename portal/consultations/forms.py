"""The public question form (задать вопрос). Rules live in services; the form checks types."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.consultations.models import Specialist, Topic
from portal.consultations.services import MAX_QUESTION_LENGTH, MIN_QUESTION_LENGTH
from portal.core.forms import HoneypotMixin
from portal.territory.models import District


class QuestionForm(HoneypotMixin):
    author_name = forms.CharField(
        label=_("Name or pseudonym"), max_length=100,
        help_text=_("Only the initials are published (e.g. «А. П.»), never the name itself."),
        error_messages={"required": _("Enter your name or a pseudonym."),
                        "max_length": _("The name is too long (at most %(limit_value)d characters).")},
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"), required=False,
        help_text=_("Only to tell you that the answer is ready. It is never published."),
        error_messages={"invalid": _("Enter a valid e-mail address, or leave the field empty.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), empty_label=_("— choose a topic —"),
        error_messages={"required": _("Choose the topic of your question."),
                        "invalid_choice": _("Choose the topic of your question.")},
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), empty_label=_("— choose your district —"),
        error_messages={"required": _("Choose your district."), "invalid_choice": _("Choose your district.")},
    )
    text = forms.CharField(
        label=_("Your question"), min_length=MIN_QUESTION_LENGTH, max_length=MAX_QUESTION_LENGTH,
        help_text=_("Do not write your phone number or address: they will be hidden before publication anyway."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write your question."),
            "min_length": _("The question is too short (at least %(limit_value)d characters)."),
            "max_length": _("The question is too long (at most %(limit_value)d characters)."),
        },
    )
    consent = forms.BooleanField(
        label=_("I agree to the processing of the data I entered in order to answer my question. The question "
                "(with phone numbers, e-mail and street addresses hidden), the answer, the topic, the district "
                "and the initials of my name may be published; my name and e-mail are not published."),
        error_messages={"required": _("Your consent to the processing of the data you entered is required.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["topic"]).queryset = (
            Topic.objects.filter(active=True).order_by("sort_order", "name"))
        cast(forms.ModelChoiceField, self.fields["district"]).queryset = District.objects.order_by("name")


class SearchForm(forms.Form):
    """The public search over published answers; CharField refuses NUL bytes (PostgreSQL cannot store them)."""

    q = forms.CharField(label=_("Search the answers"), required=False, max_length=200)
    topic = forms.SlugField(required=False, max_length=64)


# --- Admin (moderation) forms --------------------------------------------------------------

class AssignForm(forms.Form):
    # A queryset is lazy and copied for each form: the active specialists are read when the form is shown.
    specialist = forms.ModelChoiceField(label=_("Specialist"),
                                        queryset=Specialist.objects.filter(active=True).order_by("full_name"),
                                        error_messages={"required": _("Choose an active specialist.")})


def _published_name_field() -> forms.CharField:
    return forms.CharField(label=_("Name for publication"), max_length=100, required=False,
                           help_text=_("Initials or “Anonymous”; never the asker's name. Left empty: “Anonymous”."),
                           error_messages={"max_length": _("The name is too long (at most %(limit_value)d "
                                                           "characters).")})


#: The shape of `portal.core.personal_data.Finding.key`.
FINDING_KEY = re.compile(r"^[a-z_]+-[0-9a-f]{12}$")


class FindingsField(forms.MultipleChoiceField):
    """Checkboxes, one per finding of the detector; a ticked key stays valid if its item was masked meanwhile
    (the service checks the keys against the texts as submitted)."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: Any) -> bool:
        return bool(FINDING_KEY.match(str(value)))


class ConfirmFindingsMixin(forms.Form):
    """The moderator confirms each finding of the detector one by one (`pending`: services.Pending items)."""

    def __init__(self, *args: Any, pending: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {"published_text": _("question"), "answer": _("answer")}
        choices = [(item.key, f"{labels.get(item.field, item.field)} — {item.finding.describe()}")
                   for item in pending if item.confirmable]
        if choices:
            self.fields["confirmed"] = FindingsField(
                label=_("Found in the texts. Tick each item that is not the asker's personal data (e.g. an "
                        "institution's phone or office); mask the others."),
                required=False, choices=list(dict.fromkeys(choices)))


class AnswerForm(ConfirmFindingsMixin):
    published_name = _published_name_field()
    published_text = forms.CharField(label=_("Question for publication (masked)"), widget=forms.Textarea(
        attrs={"rows": 5}), error_messages={"required": _("The question for publication cannot be empty.")})
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}),
                             error_messages={"required": _("Write the answer.")})


class PublishForm(ConfirmFindingsMixin):
    published_name = _published_name_field()
    published_text = forms.CharField(label=_("Question for publication (masked)"), widget=forms.Textarea(
        attrs={"rows": 5}), error_messages={"required": _("The question for publication cannot be empty.")})
    answer = forms.CharField(label=_("Answer for publication"), widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_("Personal data in the answer is checked too."),
                             error_messages={"required": _("Write the answer.")})


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Give the reason for rejecting.")})
