"""The public forms' accessible rendering and honeypot, shared by every public form (consultations, registries).

Rendered by `core/_form.html` and `core/_field.html`; anti-spam checks are in `portal.core.antispam`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.antispam import HONEYPOT_FIELD


def _in_fieldset(field: forms.Field) -> bool:
    """Radio buttons and multiple checkboxes are rendered in a fieldset that carries the description."""
    widget = field.widget
    return bool(getattr(widget, "allow_multiple_selected", False)) or getattr(widget, "input_type", "") == "radio"


def describe(form: forms.Form) -> None:
    """aria-describedby on each input: its hint (`<name>-hint`) and, after validation, its error list
    (`<name>-error`), as rendered by core/_field.html; aria-invalid on fields with errors."""
    errors = form.errors if form.is_bound and hasattr(form, "cleaned_data") else {}
    for name, field in form.fields.items():
        if _in_fieldset(field):
            continue
        attrs = field.widget.attrs
        ids = [f"{name}-hint"] if field.help_text else []
        if name in errors:
            ids.append(f"{name}-error")
            attrs["aria-invalid"] = "true"
        else:
            attrs.pop("aria-invalid", None)
        if ids:
            attrs["aria-describedby"] = " ".join(ids)
        else:
            attrs.pop("aria-describedby", None)


class AccessibleForm(forms.Form):
    """A public form whose hints are referenced from their inputs from the start."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        describe(self)


class HoneypotMixin(AccessibleForm):
    """Adds the honeypot input (hidden from people, labelled to tell screen-reader users to skip it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this field empty"), required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


def mark_invalid(form: forms.Form) -> None:
    """After validation: aria-invalid, and aria-describedby = hint id + error id (accessible errors)."""
    describe(form)
