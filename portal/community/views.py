"""Public pages of the registries (partners, benefactors, needs) and the HSDS JSON feed."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
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
from portal.core import antispam
from portal.core.errors import DomainError, ValidationFailed
from portal.core.forms import mark_invalid
from portal.core.viewer import Viewer
from portal.notifications.services import subscribe_benefactor
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
    if data.get("needs_digest") and not data.get("email"):
        form.add_error("email", _("Enter an e-mail address to receive the new needs."))
        return False, 400
    try:
        benefactor = services.sign_up_benefactor(
            kind=data["kind"], name=data["name"], contact_person=data.get("contact_person") or "",
            email=data.get("email") or "", phone=data.get("phone") or "", help_kinds=data["help_kinds"],
            district_id=data["district"].pk, description=data.get("description") or "",
            consent_processing=bool(data.get("consent_processing")),
            consent_publication=bool(data.get("consent_publication")),
        )
    except ValidationFailed as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False, 400
    if data.get("needs_digest"):  # the digest starts once the benefactor is approved (portal.notifications)
        subscribe_benefactor(viewer=Viewer.anonymous(), benefactor_id=benefactor.pk)
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


# --- HSDS 3.0 JSON (the API profile of openapi.json) ----------------------------------------

def _paging(request: HttpRequest, *, limit: int = hsds.MAX_PER_PAGE, default: int = 50) -> tuple[int, int]:
    def number(name: str, fallback: int) -> int:
        try:
            return max(1, int(request.GET.get(name, fallback)))
        except (TypeError, ValueError):
            return fallback
    return number("page", 1), min(number("per_page", default), limit)


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


class _Refused(Exception):
    """A query parameter the API cannot use: answered with 400 and the message."""


BAD_QUERY = "A query parameter contains characters that are not allowed or is too long."
BAD_FORMAT = "format must be json or ndjson."
BAD_MODIFIED_AFTER = "modified_after must be a date or a date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z."


def _query(request: HttpRequest) -> dict[str, Any]:
    """The text parameters, and `modified_after` as an aware datetime (or None)."""
    form = HsdsQueryForm(request.GET)
    if not form.is_valid():
        raise _Refused(BAD_QUERY)
    query: dict[str, Any] = {name: str(value or "").strip() for name, value in form.cleaned_data.items()}
    text = query.pop("modified_after")
    query["modified_after"] = None
    if text:
        try:
            moment = parse_datetime(text)
            day = parse_date(text) if moment is None else None
        except ValueError:
            raise _Refused(BAD_MODIFIED_AFTER) from None
        if moment is None:
            if day is None:
                raise _Refused(BAD_MODIFIED_AFTER)
            moment = dt.datetime.combine(day, dt.time())
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        query["modified_after"] = moment
    return query


def _hsds(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET only; a refused parameter is a 400 with its message (never a 500)."""
    @require_GET
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except _Refused as refused:
            return _bad_request(str(refused))
    return wrapper


def _listing(request: HttpRequest, items: list[Any], render: Callable[[Any], Any] = lambda item: item, *,
             limit: int = hsds.MAX_PER_PAGE, default: int = 50) -> HttpResponseBase:
    """A list endpoint: the `Page` envelope of the requested page, or with `format=ndjson` every item, one JSON
    object a line, without paging (as the profile allows)."""
    form = (request.GET.get("format") or "json").strip().lower()
    if form == "ndjson":
        lines = (json.dumps(render(item), ensure_ascii=False) + "\n" for item in items)
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
        return response
    if form != "json":
        raise _Refused(BAD_FORMAT)
    number, per_page = _paging(request, limit=limit, default=default)
    page_items, total = hsds.paginate(items, number, per_page)
    return _json(hsds.page([render(item) for item in page_items], total=total, page_number=number,
                           per_page=per_page))


def _modified(organisations: list[Any], after: dt.datetime | None) -> tuple[list[Any], dict[int, dt.datetime]]:
    """The organisations changed on or after `after` (all without it) and when each last changed."""
    changed = hsds.last_modified(organisations)
    if after is not None:
        organisations = [o for o in organisations if o.pk in changed and changed[o.pk] >= after]
    return organisations, changed


@_hsds
def hsds_meta(request: HttpRequest) -> JsonResponse:
    return _json(hsds.meta())


@_hsds
def hsds_organizations(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    organisations, changed = _modified(list(hsds.organisations(query["search"])), query["modified_after"])
    full, full_services = _flag(request, "full"), _flag(request, "full_service")
    return _listing(request, organisations, lambda o: hsds.organization(
        o, nested=full, full_services=full_services, modified=changed.get(o.pk)))


@_hsds
def hsds_organization(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((o for o in hsds.organisations() if hsds.hsds_id("organization", o.code) == pk), None)
    if found is None:
        return _not_found()
    changed = hsds.last_modified([found])
    return _json(hsds.organization(found, full_services=_flag(request, "full_service"),
                                   modified=changed.get(found.pk)))


def _services(query: dict[str, Any]) -> tuple[list[tuple[Any, str]], dict[int, dt.datetime]]:
    organisations, changed = _modified(list(hsds.organisations()), query["modified_after"])
    pairs = [(o, kind) for o in organisations for kind in o.help_kinds if kind in HelpKind.values]
    organization_id = query["organization_id"]
    if organization_id:
        pairs = [(o, k) for o, k in pairs if hsds.hsds_id("organization", o.code) == organization_id]
    term = query["taxonomy_term_id"]
    if term:
        pairs = [(o, k) for o, k in pairs if hsds.hsds_id("term", "help-kinds", k) == term]
    taxonomy_id = query["taxonomy_id"]
    if taxonomy_id and taxonomy_id != hsds.hsds_id("taxonomy", "help-kinds"):
        pairs = []  # services carry terms of the help-kinds taxonomy only
    search = query["search"].lower()
    if search:
        pairs = [(o, k) for o, k in pairs if search in hsds.service(o, k, nested=False)["name"].lower()]
    return pairs, changed


@_hsds
def hsds_services(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    pairs, changed = _services(query)
    if _flag(request, "minimal"):
        # Just ids and modification times, all in one page as the profile asks.
        return _listing(request, pairs, lambda p: hsds.minimal_service(p[0], p[1], changed.get(p[0].pk)),
                        limit=hsds.MAX_MINIMAL_PER_PAGE, default=hsds.MAX_MINIMAL_PER_PAGE)
    full = _flag(request, "full")
    return _listing(request, pairs, lambda pair: hsds.service(*pair, nested=full, modified=changed.get(pair[0].pk)))


@_hsds
def hsds_service(request: HttpRequest, pk: str) -> JsonResponse:
    found = next(((o, k) for o, k in hsds.all_services() if hsds.hsds_id("service", o.code, k) == pk), None)
    if found is None:
        return _not_found()
    return _json(hsds.service(*found, modified=hsds.last_modified([found[0]]).get(found[0].pk)))


@_hsds
def hsds_locations(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    return _listing(request, [loc for loc in (hsds.location(o) for o in hsds.organisations(query["search"])) if loc])


@_hsds
def hsds_location(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((loc for loc in (hsds.location(o) for o in hsds.organisations()) if loc and loc["id"] == pk), None)
    return _json(found) if found else _not_found()


@_hsds
def hsds_service_at_locations(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    full = _flag(request, "full")
    pairs, changed = _services(query)
    return _listing(request, [s for s in (hsds.service_at_location(o, k, nested=full, with_service=full,
                                                                    modified=changed.get(o.pk))
                                          for o, k in pairs) if s])


@_hsds
def hsds_service_at_location(request: HttpRequest, pk: str) -> JsonResponse:
    for organisation, kind in hsds.all_services():
        if hsds.hsds_id("service_at_location", organisation.code, kind) == pk:
            modified = hsds.last_modified([organisation]).get(organisation.pk)
            found = hsds.service_at_location(organisation, kind, with_service=True, modified=modified)
            return _json(found) if found else _not_found()
    return _not_found()


@_hsds
def hsds_service_areas(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    pairs, _changed = _services(query)
    return _listing(request, pairs, lambda pair: hsds.service_area(*pair))


@_hsds
def hsds_service_area(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((a for a in (hsds.service_area(o, k) for o, k in hsds.all_services()) if a["id"] == pk), None)
    return _json(found) if found else _not_found()


@_hsds
def hsds_taxonomies(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    search = query["search"].lower()
    return _listing(request, [t for t in hsds.taxonomies()
                              if not search or search in f"{t['name']} {t['description']}".lower()])


@_hsds
def hsds_taxonomy(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((item for item in hsds.taxonomies() if item["id"] == pk), None)
    return _json(found) if found else _not_found()


@_hsds
def hsds_taxonomy_terms(request: HttpRequest) -> HttpResponseBase:
    query = _query(request)
    terms = hsds.taxonomy_terms()
    if query["taxonomy_id"]:
        terms = [t for t in terms if t["taxonomy_id"] == query["taxonomy_id"]]
    if query["parent_id"]:
        terms = []  # the portal's taxonomies are flat: no term has a parent
    search = query["search"].lower()
    if search:
        terms = [t for t in terms if search in f"{t['code']} {t['name']}".lower()]
    # `top_only`: every term is a top-level term (flat taxonomies), so it changes nothing.
    return _listing(request, terms)


@_hsds
def hsds_taxonomy_term(request: HttpRequest, pk: str) -> JsonResponse:
    found = next((item for item in hsds.taxonomy_terms() if item["id"] == pk), None)
    return _json(found) if found else _not_found()
