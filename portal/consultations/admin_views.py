"""The consultation moderation queue in the Wagtail admin. Thin: every action calls a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.selectors import viewer_for_user
from portal.consultations import selectors, services
from portal.consultations.forms import AnswerForm, AssignForm, PublishForm, RejectForm
from portal.consultations.models import Question
from portal.core.errors import DomainError, NotFound, ValidationFailed


def queue(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    status = request.GET.get("status") or ""
    if status not in Question.Status.values:
        if status:
            messages.error(request, _("Unknown status: showing all questions."))
        status = ""
    overdue = request.GET.get("overdue") == "1"
    questions = selectors.question_queue(viewer, status=status or None, overdue=overdue or None)
    today = timezone.localdate()
    rows = [(q, q.is_overdue(today)) for q in questions[:500]]
    return render(request, "consultations/admin/queue.html", {
        "rows": rows, "statuses": Question.Status.choices, "status": status, "overdue": overdue,
        "overdue_count": selectors.question_queue(viewer, overdue=True, today=today).count(),
        "may_moderate": bool(services.moderated_topic_ids(viewer)),
    })


ACTIONS = {
    "assign": AssignForm,
    "answer": AnswerForm,
    "publish": PublishForm,
    "reject": RejectForm,
    "unpublish": None,
}


def _ids(action: str) -> str:
    """Element ids per form: the answer and publish forms share field names on one page."""
    return f"id_{action}_%s"


def _pending(action: str, published_text: str, answer: str) -> list[services.Pending]:
    """The detector's findings the moderator confirms or masks: the question (and the answer when publishing)."""
    if action == "publish":
        return services.pending_findings(published_text=published_text, answer=answer)
    return services.pending_findings(published_text=published_text)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for_user(request.user)
    try:
        question = services.open_question(viewer=viewer, question_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    names = {"published_name": question.published_name or services.default_published_name(question.author_name),
             "published_text": question.published_text}
    forms = {
        "assign": AssignForm(initial={"specialist": question.specialist_id}, auto_id=_ids("assign")),
        "answer": AnswerForm(initial={**names, "answer": question.answer}, auto_id=_ids("answer"),
                             pending=_pending("answer", question.published_text, question.answer)),
        "publish": PublishForm(initial={**names, "answer": question.answer}, auto_id=_ids("publish"),
                               pending=_pending("publish", question.published_text, question.answer)),
        "reject": RejectForm(auto_id=_ids("reject")),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(reverse("consultations_admin:detail", args=[question.pk]))
        form_class = ACTIONS[action]
        extra: dict[str, Any] = (
            {"pending": _pending(action, request.POST.get("published_text", ""), request.POST.get("answer", ""))}
            if action in ("answer", "publish") else {})
        form = form_class(request.POST, auto_id=_ids(action), **extra) if form_class else None
        if form is None or form.is_valid():
            data = form.cleaned_data if form else {}
            try:
                if action == "assign":
                    services.assign_question(viewer=viewer, question_id=pk, specialist_id=data["specialist"].pk)
                elif action == "answer":
                    services.answer_question(viewer=viewer, question_id=pk, answer=data["answer"],
                                             published_text=data["published_text"],
                                             published_name=data["published_name"],
                                             confirmed=data.get("confirmed") or ())
                elif action == "publish":
                    services.publish_question(viewer=viewer, question_id=pk, published_text=data["published_text"],
                                              published_name=data["published_name"], answer=data["answer"],
                                              confirmed=data.get("confirmed") or ())
                elif action == "reject":
                    services.reject_question(viewer=viewer, question_id=pk, reason=data["reason"])
                else:
                    services.unpublish_question(viewer=viewer, question_id=pk)
            except ValidationFailed as error:
                if form is not None:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                else:
                    messages.error(request, error.message)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Done."))
                return HttpResponseRedirect(reverse("consultations_admin:detail", args=[pk]))
        if form is not None:
            forms[action] = form
        status = 400
    question = Question.objects.select_related("topic", "district", "specialist").get(pk=question.pk)
    return render(request, "consultations/admin/detail.html", {
        "question": question, "forms": forms, "overdue": question.is_overdue(),
        "may_moderate": services.is_topic_moderator(viewer, question.topic_id),
    }, status=status)
