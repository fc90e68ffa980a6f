"""Forms of the partner workspace: they read the query string and the posted fields into typed values; the rules
(required text, lengths, states, versions) are the domain services' and come back as refusals naming the field,
shown next to it."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portal.cases.models import Measure

#: Longest free-text filter accepted; longer ones are cut (a filter, not stored data).
MAX_FILTER_TEXT = 200
#: Django's own refusal of a NUL character in text, worded as the domain words it.
NO_NUL = {"null_characters_not_allowed": _("The text must not contain the NUL character.")}


class MeasureFilterForm(forms.Form):
    """Filters of «Мои мероприятия» and the position in the list (`after`: the offset of the last row shown)."""

    status = forms.MultipleChoiceField(choices=Measure.Status.choices, required=False)
    overdue = forms.BooleanField(required=False)
    due_before = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    text = forms.CharField(required=False, strip=True, error_messages=NO_NUL)
    after = forms.IntegerField(required=False, min_value=0, max_value=10**9,
                               error_messages={"invalid": _("The cursor is not valid."),
                                               "min_value": _("The cursor is not valid."),
                                               "max_value": _("The cursor is not valid.")})

    def __init__(self, data: Any, **kwargs: Any) -> None:
        # Unknown statuses and a malformed date are ignored (a stale bookmark still lists), as before.
        data = data.copy()
        data.setlist("status", [s for s in data.getlist("status") if s in Measure.Status.values])
        if data.get("due_before"):
            try:
                dt.date.fromisoformat(data["due_before"].strip())
            except ValueError:
                data.pop("due_before")
        super().__init__(data, **kwargs)

    def clean_text(self) -> str:
        text: str = self.cleaned_data.get("text") or ""
        return text[:MAX_FILTER_TEXT]

    def shown(self) -> dict[str, Any]:
        """The values to show in the filter form (what was typed, cleaned of what cannot be shown)."""
        raw = cast(QueryDict, self.data)  # built from a QueryDict in __init__
        due = self.cleaned_data.get("due_before") if hasattr(self, "cleaned_data") else None
        return {"status": [s for s in raw.getlist("status")], "overdue": raw.get("overdue") == "1",
                "due_before": due.isoformat() if due else "",
                "text": (raw.get("text") or "").strip()[:MAX_FILTER_TEXT].replace("\x00", "")}


class VersionedForm(forms.Form):
    """A report on a measure: the version the form was rendered with (a stale one is a conflict)."""

    version = forms.IntegerField(error_messages={"invalid": _("The form is out of date. Reload the page."),
                                                 "required": _("The form is out of date. Reload the page.")})


class AcceptForm(VersionedForm):
    pass


class FulfilForm(VersionedForm):
    result = forms.CharField(required=False, strip=False, error_messages=NO_NUL)
    done_on = forms.DateField(required=False, input_formats=["%Y-%m-%d"],
                              error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")})


class NotFulfilledForm(VersionedForm):
    """Not fulfilled, or returned: a coded reason (`Measure.ReasonCode`, checked by the service) and a comment."""

    reason_code = forms.CharField(required=False, error_messages=NO_NUL)
    reason = forms.CharField(required=False, strip=False, error_messages=NO_NUL)


class ReturnForm(NotFulfilledForm):
    pass


class CommentForm(forms.Form):
    text = forms.CharField(required=False, strip=False, error_messages=NO_NUL)


#: The form of each action of the detail page (the URL's last segment).
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm, "fulfil": FulfilForm, "not-fulfilled": NotFulfilledForm, "return": ReturnForm,
    "comment": CommentForm,
}
