"""Reads of consultations: the public Q&A (published only) and the staff queue (the questions assigned to the
viewer as a specialist and those of the topics they moderate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core import signing
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.consultations.models import Question, Topic
from portal.consultations.services import SEARCH_KIND, moderated_topic_ids
from portal.core.errors import NotFound
from portal.core.ids import require_id
from portal.core.viewer import Viewer
from portal.territory.models import District
from search.api import search_ids


def topics() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True).order_by("sort_order", "name")


def districts() -> QuerySet[District]:
    return District.objects.order_by("name")


def published_questions(*, topic: str | None = None, text: str | None = None) -> QuerySet[Question]:
    """Published questions and answers (public), newest first; `text` uses search, or the database."""
    questions = Question.objects.filter(status=Question.Status.PUBLISHED).select_related("topic", "district")
    if topic:
        questions = questions.filter(topic__slug=topic)
    needle = (text or "").strip()
    if not needle:
        return questions.order_by("-published_at", "-id")
    ids = search_ids(SEARCH_KIND, needle, filters={"topic": topic} if topic else None)
    if ids is not None:
        numeric = [int(pk) for pk in ids if pk.isdigit()]
        order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(numeric)], default=Value(len(numeric)),
                     output_field=IntegerField())
        return questions.filter(pk__in=numeric).annotate(rank=order).order_by("rank")
    words = [word for word in needle.split() if word]
    for word in words[:8]:
        questions = questions.filter(Q(published_text__icontains=word) | Q(answer__icontains=word)
                                     | Q(topic__name__icontains=word))
    return questions.order_by("-published_at", "-id")


def published_question(question_id: int | str) -> Question:
    pk = require_id(question_id, _("Question not found."))
    question = Question.objects.filter(pk=pk, status=Question.Status.PUBLISHED).select_related(
        "topic", "district").first()
    if question is None:
        raise NotFound(_("Question not found."))
    return question


def published_by_topic(*, text: str | None = None, topic: str | None = None) -> list[tuple[Topic, list[Question]]]:
    """Published Q&A grouped by topic, in topic order."""
    return by_topic(published_questions(topic=topic, text=text))


def by_topic(questions: Iterable[Question]) -> list[tuple[Topic, list[Question]]]:
    """Questions (with their topics) grouped by topic, in topic order; each group keeps the given order."""
    groups: dict[int, tuple[Topic, list[Question]]] = {}
    for question in questions:
        groups.setdefault(question.topic_id, (question.topic, []))[1].append(question)
    return sorted(groups.values(), key=lambda group: (group[0].sort_order, group[0].name))


def question_queue(
    viewer: Viewer, *, status: str | None = None, overdue: bool | None = None, specialist_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[Question]:
    """The queue of a specialist or moderator: the questions assigned to them and those of the topics they
    moderate, open questions first, then by deadline. Nobody else sees a question as asked."""
    if not viewer.user_id:
        return Question.objects.none()
    questions = Question.objects.select_related("topic", "district", "specialist").filter(
        Q(specialist__user_id=viewer.user_id) | Q(topic_id__in=moderated_topic_ids(viewer)))
    day = today or timezone.localdate()
    if status:
        questions = questions.filter(status=status)
    if overdue is True:
        questions = questions.filter(status__in=Question.OPEN_STATUSES, due_on__lt=day)
    if specialist_id:
        questions = questions.filter(specialist_id=specialist_id)
    open_first = Case(When(status__in=Question.OPEN_STATUSES, then=Value(0)),
                      When(status=Question.Status.ANSWERED, then=Value(1)), default=Value(2),
                      output_field=IntegerField())
    return questions.annotate(open_first=open_first).order_by("open_first", "due_on", "id")


# --- The asker's private link ----------------------------------------------------------------------------

FOLLOW_SALT = "consultations.follow"


def follow_token(question_id: int) -> str:
    """The asker's private link to follow their question (no e-mail needed): signed with the site's key, so it
    cannot be guessed from the question's number."""
    return signing.dumps({"q": int(question_id)}, salt=FOLLOW_SALT)


def followed_question(token: str) -> Question:
    """The question of a private link (its number, topic, status and dates are shown; never the asker's data)."""
    try:
        value = signing.loads(token, salt=FOLLOW_SALT)
    except signing.BadSignature:
        raise NotFound(_("Question not found.")) from None
    asked = value.get("q") if isinstance(value, dict) else None
    question = Question.objects.select_related("topic").filter(pk=asked).first() if asked is not None else None
    if question is None:
        raise NotFound(_("Question not found."))
    return question
