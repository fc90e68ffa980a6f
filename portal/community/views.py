"""Public pages of the registries (partners, benefactors, needs) and the HSDS JSON feed."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET

from portal.community import hsds, selectors, services
from portal.community.forms import (
    BenefactorFilterForm,
    BenefactorForm,
    FilterForm,
    HsdsQueryForm,
    NeedFilterForm,
    OfferForm,
    PartnerFilterForm,
)
from portal.community.models import Benefactor, PublicStatus, Urgency
from portal.consultations import antispam
from portal.consultations.forms import mark_invalid
from portal.core.errors import DomainError, ValidationFailed
from portal.partners.models import HelpKind, OrganisationKind
from portal.partners.selectors import public_organisations
from portal.territory.models import District


def _filters(request: HttpRequest, form_class: type[FilterForm]) -> tuple[dict[str, str], bool]:
    """The valid filters of the page and whether some were refused (then the page says so, with 400)."""
    form = form_class(request.GET)
    values = form.values()
    return values, bool(form.errors)


def _common() -> dict[str, Any]:
    return {"districts": District.objects.order_by("name"), "help_kinds": HelpKind.choices}


def registry_index(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "community/index.html", {})


def partners(request: HttpRequest, page: Any = None) -> HttpResponse:
    """Partner registry (реестр субъектов межведомственного взаимодействия), filterable."""
    f, refused = _filters(request, PartnerFilterForm)
    organisations = public_organisations(kind=f["kind"] or None, district_code=f["district"] or None,
                                         help_kind=f["help"] or None, text=f["q"] or None)
    return TemplateResponse(request, "community/partners.html", {
        "page": page, "filters": f, "filters_refused": refused, "organisations": organisations,
        "kinds": OrganisationKind.choices, **_common(),
    }, status=400 if refused else 200)


def _save_benefactor(request: HttpRequest, form: BenefactorForm) -> tuple[bool, int]:
    if antispam.honeypot_filled(request.POST):
        antispam.count_submission(request, "benefactor")
        return True, 200
    if antispam.rate_limited(request, "benefactor"):
        form.is_valid()
        form.add_error(None, _("Too many applications from your connection. Please try again in an hour."))
        return False, 429
    if not form.is_valid():
        return False, 400
    data = form.cleaned_data
    try:
        services.sign_up_benefactor(
            kind=data["kind"], name=data["name"], contact_person=data.get("contact_person") or "",
            email=data.get("email") or "", phone=data.get("phone") or "", help_kinds=data["help_kinds"],
            district_id=data["district"].pk, description=data.get("description") or "",
            consent_processing=bool(data.get("consent_processing")),
            consent_publication=bool(data.get("consent_publication")),
        )
    except ValidationFailed as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False, 400
    antispam.count_submission(request, "benefactor")
    return True, 200


@csrf_protect
def benefactors(request: HttpRequest, page: Any = None) -> HttpResponse:
    """Registry of benefactors (реестр благотворителей) with the sign-up form."""
    status = 200
    if request.method == "POST":
        form = BenefactorForm(request.POST)
        accepted, status = _save_benefactor(request, form)
        if accepted:
            return HttpResponseRedirect(f"{request.path}?sent=1#join")
        mark_invalid(form)
    else:
        form = BenefactorForm()
    f, refused = _filters(request, BenefactorFilterForm)
    if refused and status == 200:
        status = 400
    listed = selectors.public_benefactors(district_code=f["district"] or None, help_kind=f["help"] or None,
                                          kind=f["kind"] or None, text=f["q"] or None)
    return TemplateResponse(request, "community/benefactors.html", {
        "page": page, "form": form, "filters": f, "filters_refused": refused, "benefactors": listed,
        "kinds": Benefactor.Kind.choices, "sent": request.GET.get("sent") == "1", **_common(),
    }, status=status)


def needs(request: HttpRequest, page: Any = None) -> HttpResponse:
    """Registry of beneficiaries' needs (реестр благополучателей), anonymised."""
    f, refused = _filters(request, NeedFilterForm)
    shown = selectors.public_needs(district_code=f["district"] or None, help_kind=f["help"] or None,
                                   status=f["status"] or None, urgency=f["urgency"] or None, text=f["q"] or None)
    return TemplateResponse(request, "community/needs.html", {
        "page": page, "filters": f, "filters_refused": refused, "needs": shown, "statuses": PublicStatus.choices,
        "urgencies": Urgency.choices, **_common(),
    }, status=400 if refused else 200)


@csrf_protect
def offer_help(request: HttpRequest, need_id: int) -> HttpResponse:
    """«I can help» for one need."""
    need = selectors.public_need(need_id)
    if need is None:
        raise Http404(_("Need not found."))
    if not need.may_be_offered_help:
        # Refused before anything is filled in: the page says so and shows no form (a stale POST gets 409).
        return TemplateResponse(request, "community/offer.html", {"need": need, "form": None,
                                                                  "refusal": services.HELP_FOUND},
                                status=409 if request.method == "POST" else 200)
    status = 200
    if request.method == "POST":
        form = OfferForm(request.POST)
        if antispam.honeypot_filled(request.POST):
            antispam.count_submission(request, "offer")  # bots use up the same allowance as people
            return HttpResponseRedirect(f"{request.path}?sent=1")
        if antispam.rate_limited(request, "offer"):
            form.is_valid()
            form.add_error(None, _("Too many offers from your connection. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.offer_help(need_id=need.id, name=data["name"], email=data.get("email") or "",
                                    phone=data.get("phone") or "", message=data.get("message") or "",
                                    consent=bool(data.get("consent")))
            except ValidationFailed as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            except DomainError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                antispam.count_submission(request, "offer")
                return HttpResponseRedirect(f"{request.path}?sent=1")
        else:
            status = 400
        mark_invalid(form)
    else:
        form = OfferForm()
    return TemplateResponse(request, "community/offer.html", {
        "need": need, "form": form, "sent": request.GET.get("sent") == "1",
    }, status=status)


# --- HSDS 3.0 JSON -------------------------------------------------------------------------

def _paging(request: HttpRequest) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        try:
            return max(1, int(request.GET.get(name, default)))
        except (TypeError, ValueError):
            return default
    return number("page", 1), min(number("per_page", 50), hsds.MAX_PER_PAGE)


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found() -> JsonResponse:
    return _json({"error": "not_found", "message": "No such record."}, status=404)


def _bad_request(message: str) -> JsonResponse:
    return _json({"error": "bad_request", "message": message}, status=400)


def _flag(request: HttpRequest, name: str) -> bool:
    return (request.GET.get(name) or "").lower() in {"1", "true", "yes"}


def _query(request: HttpRequest) -> dict[str, str] | None:
    """The text parameters (search, organization_id, taxonomy_term_id), or None when one is refused."""
    form = HsdsQueryForm(request.GET)
    if not form.is_valid():
        return None
    return {name: str(value or "").strip() for name, value in form.cleaned_data.items()}


BAD_QUERY = "A query parameter contains characters that are not allowed or is too long."


@require_GET
def hsds_meta(request: HttpRequest) -> JsonResponse:
    return _json(hsds.meta())


@require_GET
def hsds_organizations(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if query is None:
        return _bad_request(BAD_QUERY)
    number, per_page = _paging(request)
    items, total = hsds.paginate(hsds.organisations(query["search"]), number, per_page)
    full = _flag(request, "full")
    return _json(hsds.page([hsds.organization(o, nested=full) for o in items], total=total, page_number=number,
                           per_page=per_page))


@require_GET
def hsds_organization(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((o for o in hsds.organisations() if hsds.hsds_id("organization", o.code) == pk), None)
    return _json(hsds.organization(found)) if found else _not_found()


def _services(query: dict[str, str]) -> list[tuple[Any, str]]:
    pairs = hsds.all_services()
    organization_id = query["organization_id"]
    if organization_id:
        pairs = [(o, k) for o, k in pairs if hsds.hsds_id("organization", o.code) == organization_id]
    term = query["taxonomy_term_id"]
    if term:
        pairs = [(o, k) for o, k in pairs if hsds.hsds_id("term", "help-kinds", k) == term]
    search = query["search"].lower()
    if search:
        pairs = [(o, k) for o, k in pairs if search in hsds.service(o, k, nested=False)["name"].lower()]
    return pairs


@require_GET
def hsds_services(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if query is None:
        return _bad_request(BAD_QUERY)
    number, per_page = _paging(request)
    items, total = hsds.paginate(_services(query), number, per_page)
    full = _flag(request, "full")
    return _json(hsds.page([hsds.service(o, k, nested=full) for o, k in items], total=total, page_number=number,
                           per_page=per_page))


@require_GET
def hsds_service(request: HttpRequest, pk: str) -> JsonResponse:
    found = next(((o, k) for o, k in hsds.all_services() if hsds.hsds_id("service", o.code, k) == pk), None)
    return _json(hsds.service(*found)) if found else _not_found()


@require_GET
def hsds_locations(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if query is None:
        return _bad_request(BAD_QUERY)
    number, per_page = _paging(request)
    located = [loc for loc in (hsds.location(o) for o in hsds.organisations(query["search"])) if loc]
    items, total = hsds.paginate(located, number, per_page)
    return _json(hsds.page(items, total=total, page_number=number, per_page=per_page))


@require_GET
def hsds_location(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((loc for loc in (hsds.location(o) for o in hsds.organisations()) if loc and loc["id"] == pk), None)
    return _json(found) if found else _not_found()


@require_GET
def hsds_service_at_locations(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if query is None:
        return _bad_request(BAD_QUERY)
    number, per_page = _paging(request)
    full = _flag(request, "full")
    links = [s for s in (hsds.service_at_location(o, k, nested=full) for o, k in _services(query)) if s]
    items, total = hsds.paginate(links, number, per_page)
    return _json(hsds.page(items, total=total, page_number=number, per_page=per_page))


@require_GET
def hsds_service_at_location(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((s for s in (hsds.service_at_location(o, k) for o, k in hsds.all_services()) if s and s["id"] == pk),
                 None)
    return _json(found) if found else _not_found()


@require_GET
def hsds_service_areas(request: HttpRequest) -> JsonResponse:
    query = _query(request)
    if query is None:
        return _bad_request(BAD_QUERY)
    number, per_page = _paging(request)
    items, total = hsds.paginate([hsds.service_area(o, k) for o, k in _services(query)], number, per_page)
    return _json(hsds.page(items, total=total, page_number=number, per_page=per_page))


@require_GET
def hsds_service_area(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((a for a in (hsds.service_area(o, k) for o, k in hsds.all_services()) if a["id"] == pk), None)
    return _json(found) if found else _not_found()


@require_GET
def hsds_taxonomies(request: HttpRequest) -> JsonResponse:
    items = hsds.taxonomies()
    return _json(hsds.page(items, total=len(items), page_number=1, per_page=len(items)))


@require_GET
def hsds_taxonomy(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((item for item in hsds.taxonomies() if item["id"] == pk), None)
    return _json(found) if found else _not_found()


@require_GET
def hsds_taxonomy_terms(request: HttpRequest) -> JsonResponse:
    number, per_page = _paging(request)
    items, total = hsds.paginate(hsds.taxonomy_terms(), number, per_page)
    return _json(hsds.page(items, total=total, page_number=number, per_page=per_page))


@require_GET
def hsds_taxonomy_term(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((item for item in hsds.taxonomy_terms() if item["id"] == pk), None)
    return _json(found) if found else _not_found()
