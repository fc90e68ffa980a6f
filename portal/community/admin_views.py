"""Registries in the Wagtail admin: benefactor moderation, needs (coordinators), offers of help."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.selectors import viewer_for_user
from portal.cases.selectors import cases_for
from portal.community import selectors, services
from portal.community.admin_forms import AcceptOfferForm, ApproveBenefactorForm, PublishNeedForm, ReasonForm
from portal.community.models import Benefactor, Offer
from portal.core.errors import DomainError, ValidationFailed


def _apply(request: HttpRequest, form: object, call: object) -> bool:
    try:
        call()  # type: ignore[operator]
    except ValidationFailed as error:
        if form is not None and error.field in getattr(form, "fields", {}):
            form.add_error(error.field, error.message)  # type: ignore[attr-defined]
        else:
            messages.error(request, error.message)
        return False
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, _("Done."))
    return True


def benefactors(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    status = request.GET.get("status", Benefactor.Status.PENDING)
    return render(request, "community/admin/benefactors.html", {
        "benefactors": selectors.benefactor_queue(viewer, status=status or None), "status": status,
        "statuses": Benefactor.Status.choices, "may_moderate": services.may_moderate_registries(viewer),
    })


def benefactor(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    item = selectors.benefactor_queue(viewer).filter(pk=pk).first()
    if item is None:
        raise Http404
    approve, reject = ApproveBenefactorForm(initial={"organisation": item.organisation_id}), ReasonForm()
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
    return render(request, "community/admin/benefactor.html", {"b": item, "approve": approve, "reject": reject})


def needs(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    cases = cases_for(viewer).exclude(status="closed").order_by("-registered_on")[:300]
    choices = [(str(c.pk), f"{c.code} — {c.precinct.district.name if c.precinct_id else ''}")
               for c in cases.select_related("precinct__district") if services.publication_consent(c)]
    form = PublishNeedForm(cases=choices)
    withdraw = ReasonForm()
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            withdraw = ReasonForm(request.POST)
            need_id = request.POST.get("need")
            if withdraw.is_valid() and _apply(request, withdraw, lambda: services.withdraw_need(
                    viewer=viewer, need_id=int(need_id or 0), reason=withdraw.cleaned_data["reason"])):
                return HttpResponseRedirect(reverse("community_admin:needs"))
        else:
            form = PublishNeedForm(request.POST, cases=choices)
            if form.is_valid():
                data = form.cleaned_data
                if _apply(request, form, lambda: services.publish_need(
                        viewer=viewer, case_id=int(data["case"]), help_kind=data["help_kind"],
                        urgency=data["urgency"], summary=data["summary"])):
                    return HttpResponseRedirect(reverse("community_admin:needs"))
    shown = {n.id: n for n in selectors.public_needs()}
    rows = [(need, shown.get(need.pk)) for need in selectors.needs_for(viewer).order_by("-created_at")[:300]]
    return render(request, "community/admin/needs.html", {"form": form, "rows": rows, "withdraw": withdraw})


def offers(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    status = request.GET.get("status", Offer.Status.NEW)
    return render(request, "community/admin/offers.html", {
        "offers": selectors.offers_for(viewer, status=status or None), "status": status,
        "statuses": Offer.Status.choices,
    })


def offer(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    item = selectors.offers_for(viewer).filter(pk=pk).first()
    if item is None:
        raise Http404
    accept, decline = AcceptOfferForm(initial={"task": f"{item.need.get_help_kind_display()}: {item.name}"[:300]}), \
        ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "accept":
            accept = AcceptOfferForm(request.POST)
            if accept.is_valid():
                data = accept.cleaned_data
                if _apply(request, accept, lambda: services.accept_offer(
                        viewer=viewer, offer_id=pk, task=data["task"], deadline=data["deadline"],
                        content=data["content"])):
                    return HttpResponseRedirect(reverse("community_admin:offer", args=[pk]))
        elif action == "decline":
            decline = ReasonForm(request.POST)
            if decline.is_valid() and _apply(request, decline, lambda: services.decline_offer(
                    viewer=viewer, offer_id=pk, reason=decline.cleaned_data["reason"])):
                return HttpResponseRedirect(reverse("community_admin:offers"))
    return render(request, "community/admin/offer.html", {"o": item, "accept": accept, "decline": decline})
