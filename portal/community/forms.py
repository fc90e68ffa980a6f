"""Public forms of the registries: benefactor sign-up and «I can help»."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.community.models import Benefactor
from portal.core.forms import HoneypotMixin
from portal.partners.models import HelpKind
from portal.territory.models import District


class BenefactorForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label=_("I am"), choices=Benefactor.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you are an individual or a legal entity."),
                        "invalid_choice": _("Choose whether you are an individual or a legal entity.")},
    )
    name = forms.CharField(
        label=_("Name, or the name of the organisation"), max_length=300,
        help_text=_("This is what the public registry shows."),
        error_messages={"required": _("Enter your name or the name of your organisation."),
                        "max_length": _("The name is too long (at most %(limit_value)d characters).")},
    )
    contact_person = forms.CharField(label=_("Contact person (for organisations)"), max_length=200, required=False,
                                     error_messages={"max_length": _("The name is too long (at most "
                                                                     "%(limit_value)d characters).")})
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("Contacts are never published."),
                             error_messages={"invalid": _("Enter a valid e-mail address.")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                            error_messages={"max_length": _("The phone number is too long.")})
    help_kinds = forms.MultipleChoiceField(
        label=_("Kinds of help you offer"), choices=HelpKind.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of help."),
                        "invalid_choice": _("Choose kinds of help from the list.")},
    )
    district = forms.ModelChoiceField(
        label=_("District where you can help"), queryset=District.objects.none(),
        empty_label=_("— choose a district —"),
        error_messages={"required": _("Choose the district where you can help."),
                        "invalid_choice": _("Choose the district where you can help.")},
    )
    description = forms.CharField(label=_("What you can offer (optional, may be published)"), required=False,
                                  max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"max_length": _("The text is too long (at most "
                                                                  "%(limit_value)d characters).")})
    consent_processing = forms.BooleanField(
        label=_("I agree to the processing of my personal data for the registry of benefactors."),
        error_messages={"required": _("Your consent to the processing of your personal data is required.")},
    )
    consent_publication = forms.BooleanField(
        label=_("I agree that my name (or my organisation's name), the kinds of help and the district are "
                "published in the public registry."), required=False,
    )
    needs_digest = forms.BooleanField(
        label=_("Send me by e-mail the new needs of my district that match the help I offer."), required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["district"]).queryset = District.objects.order_by("name")


class OfferForm(HoneypotMixin):
    name = forms.CharField(label=_("Your name or organisation"), max_length=200,
                           error_messages={"required": _("Enter your name or the name of your organisation."),
                                           "max_length": _("The name is too long (at most %(limit_value)d "
                                                           "characters).")})
    email = forms.EmailField(label=_("E-mail"), required=False,
                             error_messages={"invalid": _("Enter a valid e-mail address.")})
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                            error_messages={"max_length": _("The phone number is too long.")})
    message = forms.CharField(label=_("How you can help"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"max_length": _("The text is too long (at most %(limit_value)d "
                                                              "characters).")})
    consent = forms.BooleanField(
        label=_("I agree to the processing of my contacts so that the coordinator can contact me."),
        error_messages={"required": _("Your consent to the processing of your personal data is required.")},
    )


class FilterForm(forms.Form):
    """GET filters of a public registry page. Every value is a CharField, which refuses NUL bytes
    (PostgreSQL cannot compare them) and over-long input; the page then shows a clear message and
    applies only the valid filters."""

    q = forms.CharField(required=False, max_length=200)
    district = forms.CharField(required=False, max_length=64)
    help = forms.CharField(required=False, max_length=32)

    def values(self) -> dict[str, str]:
        """The valid filters (stripped; empty string for a missing or refused one)."""
        self.is_valid()
        return {name: str(self.cleaned_data.get(name) or "").strip() for name in self.fields}


class PartnerFilterForm(FilterForm):
    kind = forms.CharField(required=False, max_length=32)


class BenefactorFilterForm(FilterForm):
    kind = forms.CharField(required=False, max_length=32)


class NeedFilterForm(FilterForm):
    status = forms.CharField(required=False, max_length=32)
    urgency = forms.CharField(required=False, max_length=32)


class HsdsQueryForm(forms.Form):
    """Text parameters of the HSDS API (paging is lenient and parsed separately)."""

    search = forms.CharField(required=False, max_length=200)
    organization_id = forms.CharField(required=False, max_length=64)
    taxonomy_term_id = forms.CharField(required=False, max_length=64)
    taxonomy_id = forms.CharField(required=False, max_length=64)
    parent_id = forms.CharField(required=False, max_length=64)
    modified_after = forms.CharField(required=False, max_length=64)
