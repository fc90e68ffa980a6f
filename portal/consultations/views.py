"""Public pages of consultations: the question form and the published questions and answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from portal.consultations import selectors, services
from portal.consultations.forms import QuestionForm, SearchForm
from portal.core import antispam
from portal.core.errors import NotFound, ValidationFailed
from portal.core.forms import mark_invalid

RATE_SCOPE = "question"
#: Published questions and answers per page of the public list.
ANSWERS_PER_PAGE = 20
ASKED_SESSION_KEY = "consultations_asked_question"


def submit_question(request: HttpRequest, form: QuestionForm) -> tuple[bool, int]:
    """Validate and save a posted question. Returns (accepted, HTTP status for a re-rendered form)."""
    if antispam.honeypot_filled(request.POST):
        antispam.count_submission(request, RATE_SCOPE)
        return True, 200  # bots get the same answer as people, and nothing is saved
    if antispam.rate_limited(request, RATE_SCOPE):
        form.is_valid()
        form.add_error(None, _("Too many questions from your connection. Please try again in an hour."))
        return False, 429
    if not form.is_valid():
        return False, 400
    data = form.cleaned_data
    try:
        question = services.ask_question(
            author_name=data["author_name"], email=data.get("email") or "", topic_id=data["topic"].pk,
            district_id=data["district"].pk, text=data["text"], consent=bool(data.get("consent")),
        )
    except ValidationFailed as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False, 400
    antispam.count_submission(request, RATE_SCOPE)
    # The confirmation page shows the asker their question's number (kept in their session only).
    request.session[ASKED_SESSION_KEY] = question.pk
    return True, 200


@csrf_protect
def consultations_index(request: HttpRequest, page: Any = None) -> HttpResponse:
    """Question form plus published questions and answers by topic, searchable (works without JS)."""
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        accepted, status = submit_question(request, form)
        if accepted:
            return HttpResponseRedirect(f"{request.path}?sent=1#sent")
        mark_invalid(form)
    else:
        form = QuestionForm()
    search = SearchForm(request.GET or None)
    q = topic = ""
    search_refused = bool(search.is_bound and not search.is_valid())
    if search.is_bound:
        # Only the valid parts of the search are used (e.g. a NUL byte in the text drops the text).
        q, topic = search.cleaned_data.get("q") or "", search.cleaned_data.get("topic") or ""
        if search_refused and status == 200:
            status = 400
    asked = request.session.get(ASKED_SESSION_KEY) if request.GET.get("sent") == "1" else None
    answers = Paginator(selectors.published_questions(text=q, topic=topic or None), ANSWERS_PER_PAGE).get_page(
        request.GET.get("page"))
    kept = urlencode({name: value for name, value in (("q", q), ("topic", topic)) if value})
    context = {
        "page": page,
        "form": form,
        "q": q,
        "selected_topic": topic,
        "topics": selectors.topics(),
        "groups": selectors.by_topic(answers),
        "answers": answers,
        "answers_query": f"{kept}&" if kept else "",
        "sent": request.GET.get("sent") == "1",
        "asked_number": asked,
        "follow_url": reverse("consultations:follow", args=[selectors.follow_token(asked)]) if asked else "",
        "search_refused": search_refused,
    }
    response = TemplateResponse(request, "consultations/index.html", context, status=status)
    if request.method == "GET" and asked is None:
        # The same for every anonymous visitor but for the CSRF token (an empty question form, the public
        # answers): the public page cache (cms.page_cache) may keep it and put each visitor's token in.
        response.page_cache_forms = True  # type: ignore[attr-defined]
    return response


def follow_question(request: HttpRequest, token: str) -> HttpResponse:
    """The asker's private page of their question: number, topic, status, due date, and the answer once published."""
    try:
        question = selectors.followed_question(token)
    except NotFound as error:
        raise Http404(error.message) from None
    response = TemplateResponse(request, "consultations/follow.html", {"question": question})
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the private address stays out of other sites' logs
    return response


def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        question = selectors.published_question(pk)
    except NotFound as error:
        raise Http404(error.message) from None
    return TemplateResponse(request, "consultations/detail.html", {"question": question})
