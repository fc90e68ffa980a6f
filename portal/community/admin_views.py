"""Registries in the Wagtail admin: benefactor moderation, needs (coordinators), offers of help.

Thin: every action calls a service. A refused action re-renders the screen with the message and
HTTP 400; malformed input (a non-numeric id, an unknown action or filter) never reaches the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.selectors import viewer_for_user
from portal.cases.models import Case
from portal.cases.selectors import cases_for
from portal.community import selectors, services
from portal.community.admin_forms import (
    AcceptOfferForm,
    ApproveBenefactorForm,
    DescribeNeedForm,
    PublishNeedForm,
    ReasonForm,
)
from portal.community.models import Benefactor, Offer
from portal.core.errors import DomainError, ValidationFailed
from portal.core.viewer import Viewer


def _apply(request: HttpRequest, form: forms.Form | None, call: Callable[[], Any]) -> bool:
    """Run a service call; a refusal becomes a form error or a message (never a 500)."""
    try:
        call()
    except ValidationFailed as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            messages.error(request, error.message)
        return False
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, _("Done."))
    return True


def _number(value: str | None) -> int | None:
    """A positive database id from a posted value, or None."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 18 else None


def _status_filter(request: HttpRequest, choices: list[str], default: str) -> str:
    """The ?status= filter when it is one of the choices ("" shows all); anything else shows all."""
    status = request.GET.get("status", default)
    if status and status not in choices:
        messages.error(request, _("Unknown status: showing all."))
        return ""
    return status


def _unknown_action(request: HttpRequest, back: str) -> HttpResponse:
    messages.error(request, _("Unknown action."))
    return HttpResponseRedirect(back)


def benefactors(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    status = _status_filter(request, Benefactor.Status.values, Benefactor.Status.PENDING)
    return render(request, "community/admin/benefactors.html", {
        "benefactors": selectors.benefactor_queue(viewer, status=status or None), "status": status,
        "statuses": Benefactor.Status.choices, "may_moderate": selectors.may_moderate_registries(viewer),
    })


def benefactor(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    item = selectors.benefactor_queue(viewer).filter(pk=pk).first()
    if item is None:
        raise Http404(_("Benefactor not found."))
    approve, reject = ApproveBenefactorForm(initial={"organisation": item.organisation_id}), ReasonForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "approve":
            approve = ApproveBenefactorForm(request.POST)
            if approve.is_valid():
                org = approve.cleaned_data.get("organisation")
                if _apply(request, approve, lambda: services.approve_benefactor(
                        viewer=viewer, benefactor_id=pk, organisation_id=org.pk if org else None)):
                    return HttpResponseRedirect(reverse("community_admin:benefactors"))
        elif action == "reject":
            reject = ReasonForm(request.POST)
            if reject.is_valid() and _apply(request, reject, lambda: services.reject_benefactor(
                    viewer=viewer, benefactor_id=pk, reason=reject.cleaned_data["reason"])):
                return HttpResponseRedirect(reverse("community_admin:benefactors"))
        else:
            return _unknown_action(request, reverse("community_admin:benefactor", args=[pk]))
        status = 400
    return render(request, "community/admin/benefactor.html", {"b": item, "approve": approve, "reject": reject},
                  status=status)


def _publishable_cases(viewer: Viewer) -> list[tuple[str, str]]:
    """Open cases of the viewer whose family consented to publication (a fixed number of queries)."""
    cases = cases_for(viewer).exclude(status=Case.Status.CLOSED).select_related("precinct__district").order_by(
        "-registered_on")[:300]
    return [(str(c.pk), f"{c.code} — {c.precinct.district.name if c.precinct_id else ''}")
            for c in selectors.with_publication_consent(cases)]


def _withdraw(request: HttpRequest, viewer: Viewer, withdraw: ReasonForm) -> bool:
    need_id = _number(request.POST.get("need"))
    if need_id is None:
        messages.error(request, _("Choose the need to withdraw."))
        return False
    if not withdraw.is_valid():
        messages.error(request, _("Give the reason for withdrawing."))
        return False
    return _apply(request, withdraw, lambda: services.withdraw_need(
        viewer=viewer, need_id=need_id, reason=withdraw.cleaned_data["reason"]))


def _describe(request: HttpRequest, viewer: Viewer, describe: DescribeNeedForm) -> bool:
    need_id = _number(request.POST.get("need"))
    if need_id is None:
        messages.error(request, _("Choose the need to describe."))
        return False
    if not describe.is_valid():
        for errors in describe.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return False
    return _apply(request, None, lambda: services.describe_need(
        viewer=viewer, need_id=need_id, summary=describe.cleaned_data["summary"]))


def needs(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    choices = _publishable_cases(viewer)
    form = PublishNeedForm(cases=choices)
    withdraw = ReasonForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "describe":
            if _describe(request, viewer, DescribeNeedForm(request.POST)):
                return HttpResponseRedirect(reverse("community_admin:needs"))
        elif action == "withdraw":
            withdraw = ReasonForm(request.POST)
            if _withdraw(request, viewer, withdraw):
                return HttpResponseRedirect(reverse("community_admin:needs"))
        elif action == "publish":
            form = PublishNeedForm(request.POST, cases=choices)
            if form.is_valid():
                data = form.cleaned_data
                if _apply(request, form, lambda: services.publish_need(
                        viewer=viewer, case_id=int(data["case"]), help_kind=data["help_kind"],
                        urgency=data["urgency"], summary=data["summary"])):
                    return HttpResponseRedirect(reverse("community_admin:needs"))
        else:
            return _unknown_action(request, reverse("community_admin:needs"))
        status = 400
    shown = {n.id: n for n in selectors.public_needs()}
    rows = [(need, shown.get(need.pk)) for need in selectors.needs_for(viewer).order_by("-created_at")[:300]]
    return render(request, "community/admin/needs.html", {"form": form, "rows": rows, "withdraw": withdraw},
                  status=status)


def offers(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    status = _status_filter(request, Offer.Status.values, Offer.Status.NEW)
    return render(request, "community/admin/offers.html", {
        "offers": selectors.offers_for(viewer, status=status or None), "status": status,
        "statuses": Offer.Status.choices,
    })


def offer(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    item = selectors.offers_for(viewer).filter(pk=pk).first()
    if item is None:
        raise Http404(_("Offer not found."))
    accept = AcceptOfferForm(initial={"task": f"{item.need.get_help_kind_display()}: {item.name}"[:300]})
    decline = ReasonForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "accept":
            accept = AcceptOfferForm(request.POST)
            if accept.is_valid():
                data = accept.cleaned_data
                chosen = data.get("benefactor")
                if _apply(request, accept, lambda: services.accept_offer(
                        viewer=viewer, offer_id=pk, task=data["task"], deadline=data["deadline"],
                        content=data["content"], benefactor_id=chosen.pk if chosen else None,
                        benefactor_confirmed=bool(data.get("benefactor_confirmed")))):
                    return HttpResponseRedirect(reverse("community_admin:offer", args=[pk]))
        elif action == "decline":
            decline = ReasonForm(request.POST)
            if decline.is_valid() and _apply(request, decline, lambda: services.decline_offer(
                    viewer=viewer, offer_id=pk, reason=decline.cleaned_data["reason"])):
                return HttpResponseRedirect(reverse("community_admin:offers"))
        else:
            return _unknown_action(request, reverse("community_admin:offer", args=[pk]))
        status = 400
    return render(request, "community/admin/offer.html", {
        "o": item, "accept": accept, "decline": decline,
        "matches": selectors.unverified_benefactor_matches(item) if item.status == Offer.Status.NEW else [],
    }, status=status)
