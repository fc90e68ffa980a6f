"""Writes of offline consultations (офлайн-консультирование): ask → route → assign → answer →
publish (masked) or reject. Each function is one transaction; refusals raise domain errors and leave an
attempt row in the audit trail.

Who sees a question as asked (the asker's name, e-mail and unmasked text): the specialist it is assigned to and
the moderators of its topic (`Topic.moderators`, who must also hold a staff role that moderates), nobody else.
Publishing is refused while the detector (`portal.core.personal_data`) finds anything in the texts, unless the
moderator confirms each finding by its key; each confirmation is kept in the audit trail."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.consultations.models import ANSWER_DEADLINE_DAYS, Question, Specialist, Topic
from portal.core import personal_data
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.ids import require_id
from portal.core.mail import clean_email, send_mail
from portal.core.personal_data import CONTACT_KINDS, DOCUMENT_KINDS, Finding
from portal.core.text import clean_text
from portal.core.viewer import Role, Viewer
from portal.territory.models import District
from search.outbox import enqueue

logger = logging.getLogger("portal.consultations")
P = ParamSpec("P")
T = TypeVar("T")

MIN_QUESTION_LENGTH = 15
MAX_QUESTION_LENGTH = 5000
MAX_ANSWER_LENGTH = 10000
SEARCH_KIND = "consultation"
MAX_PUBLISHED_NAME_LENGTH = 100
STATE_FIELDS = ["status", "specialist_id", "answer", "answered_by", "answered_at", "published_name",
                "published_text", "published_at", "rejection_reason", "notified_at"]


#: Kinds the asker's question may never be published with, confirmed or not: ways to reach the asker and
#: numbers of their documents. Addresses and names may be confirmed one by one (an office, a public person).
NEVER_IN_QUESTION = CONTACT_KINDS | DOCUMENT_KINDS
PERSONAL_DATA = "personal_data"  # code of the refusal to publish unconfirmed findings


def may_moderate(viewer: Viewer) -> bool:
    """Whether the viewer's role lets them moderate at all (editors, coordinators, officers, admins); which
    questions they moderate is decided by the topics they moderate (`is_topic_moderator`)."""
    return viewer.has_role(Role.ADMIN, Role.EDITOR, Role.COORDINATOR, Role.OFFICER)


def _is_system(viewer: Viewer) -> bool:
    """An internal actor (`Viewer.system`: the demo loader, commands), never built from a request or token."""
    return bool(viewer.subject and viewer.subject.startswith("system:") and viewer.is_admin
                and viewer.user_id is None)


def moderated_topic_ids(viewer: Viewer) -> list[int]:
    """The topics whose queue the viewer runs (none without a moderating role)."""
    if _is_system(viewer):
        return list(Topic.objects.values_list("pk", flat=True))
    if not (may_moderate(viewer) and viewer.user_id):
        return []
    return list(Topic.moderators.through.objects.filter(user_id=viewer.user_id).values_list("topic_id", flat=True))


def is_topic_moderator(viewer: Viewer, topic_id: int) -> bool:
    return topic_id in moderated_topic_ids(viewer)


def _is_own_specialist(viewer: Viewer, question: Question) -> bool:
    return bool(viewer.user_id and question.specialist and question.specialist.user_id == viewer.user_id)


def may_open(viewer: Viewer, question: Question) -> bool:
    """The asker's name, e-mail and unmasked text: the assigned specialist and the topic's moderators only."""
    return _is_own_specialist(viewer, question) or is_topic_moderator(viewer, question.topic_id)


def _require_moderator_of(viewer: Viewer, question: Question) -> None:
    if not is_topic_moderator(viewer, question.topic_id):
        raise PermissionDenied(_("Only the moderators of the topic «%(topic)s» may do this."),
                               topic=question.topic.name)


# --- Routing -------------------------------------------------------------------------

def route(*, topic_id: int, district_id: int) -> Specialist | None:
    """The specialist for a topic and district (маршрутизация): an exact district match beats a
    region-wide specialist, a topic match beats an all-topics one; ties go to the fewest open questions."""
    candidates = (
        Specialist.objects.filter(active=True)
        .filter(Q(topics__id=topic_id) | Q(topics__isnull=True))
        .filter(Q(districts__id=district_id) | Q(districts__isnull=True))
        .annotate(
            open_questions=Count("questions", filter=Q(questions__status__in=Question.OPEN_STATUSES),
                                 distinct=True),
            topic_match=Count("topics", filter=Q(topics__id=topic_id), distinct=True),
            district_match=Count("districts", filter=Q(districts__id=district_id), distinct=True),
        )
        .distinct()
    )
    ranked = sorted(candidates, key=lambda s: (-s.district_match, -s.topic_match, s.open_questions, s.pk))
    return ranked[0] if ranked else None


def _notify_specialist(question: Question) -> None:
    specialist = question.specialist
    if specialist is None or not specialist.email:
        return
    base = settings.PUBLIC_BASE_URL
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("New question for consultation № %(number)s") % {"number": question.pk}
        body = gettext(
            "A question on «%(topic)s» (%(district)s) is assigned to you. Answer by %(due)s.\n"
            "Moderation queue: %(url)s"
        ) % {"topic": question.topic.name, "district": question.district.name,
             "due": question.due_on.strftime("%d.%m.%Y"), "url": f"{base}/admin/consultations/queue/{question.pk}/"}
    send_mail(to=[specialist.email], subject=subject, body=body, kind="consultations.question_assigned")


# --- The asker ---------------------------------------------------------------------------

def anonymous_name() -> str:
    """What is published instead of a name that cannot be reduced to initials (site's default language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Anonymous")


def default_published_name(author_name: str) -> str:
    """The name shown with a published question: the initials of the first two words («Анна Петрова» →
    «А. П.»), or «Аноним» when the name has no letters or looks like a contact."""
    words = re.findall(r"[^\W\d_]+", author_name or "")
    if not words or personal_data.contains_personal_data(author_name, CONTACT_KINDS | DOCUMENT_KINDS):
        return anonymous_name()
    return " ".join(f"{word[0].upper()}." for word in words[:2])

@transaction.atomic
def ask_question(
    *, author_name: str, email: str, topic_id: int | None, district_id: int | None, text: str, consent: bool,
    viewer: Viewer | None = None,
) -> Question:
    """A citizen asks a question (задать вопрос). Routed to a specialist at once when one covers it."""
    viewer = viewer or Viewer.anonymous()
    name = clean_text(author_name, field="author_name", required=_("Enter your name or a pseudonym."), limit=100)
    email = clean_email(email, invalid=_("Enter a valid e-mail address, or leave the field empty."))
    topic = Topic.objects.filter(pk=topic_id, active=True).first() if topic_id else None
    if topic is None:
        raise ValidationFailed(_("Choose the topic of your question."), field="topic")
    district = District.objects.filter(pk=district_id).first() if district_id else None
    if district is None:
        raise ValidationFailed(_("Choose your district."), field="district")
    body = clean_text(text, field="text", required=_("Write your question."), limit=MAX_QUESTION_LENGTH,
                      minimum=MIN_QUESTION_LENGTH)
    if not consent:
        raise ValidationFailed(_("Your consent to the processing of the data you entered is required."),
                               field="consent")
    now = timezone.now()
    specialist = route(topic_id=topic.pk, district_id=district.pk)
    question = Question.objects.create(
        author_name=name, published_name=default_published_name(name), email=email, topic=topic,
        district=district, text=body, published_text=personal_data.mask(body).text, consent_at=now, created_at=now,
        due_on=timezone.localdate(now) + dt.timedelta(days=ANSWER_DEADLINE_DAYS),
        specialist=specialist, status=Question.Status.ASSIGNED if specialist else Question.Status.NEW,
    )
    audit.record_created(viewer=viewer, verb="question.ask", obj=question)
    _notify_specialist(question)
    return question


# --- The moderation queue ----------------------------------------------------------------

def _for_update(viewer: Viewer, question_id: int | str) -> Question:
    """The question, locked, when the viewer may open it; otherwise «not found» (its existence is not told)."""
    pk = require_id(question_id, _("Question not found."))
    question = (Question.objects.select_for_update(of=("self",)).filter(pk=pk)
                .select_related("topic", "specialist").first())
    if question is None or not may_open(viewer, question):
        raise NotFound(_("Question not found."))
    return question


@audit.audited_write("question.read", object_type="consultations.question", id_arg="question_id")
def open_question(*, viewer: Viewer, question_id: int | str) -> Question:
    """A question as asked, for the assigned specialist or a moderator of its topic; the read is audited."""
    pk = require_id(question_id, _("Question not found."))
    question = Question.objects.filter(pk=pk).select_related("topic", "district", "specialist").first()
    if question is None or not may_open(viewer, question):
        raise NotFound(_("Question not found."))
    audit.record_read(viewer=viewer, verb="question.read", obj=question, fields=["author_name", "email", "text"])
    return question


def _transition(viewer: Viewer, question: Question, before: dict[str, object], verb: str) -> Question:
    question.save()
    audit.record_changed(viewer=viewer, verb=verb, obj=question, before=before, action=AuditEvent.Action.TRANSITION)
    enqueue(SEARCH_KIND, question.pk)
    return question


@audit.audited_write("question.assign", object_type="consultations.question", id_arg="question_id")
def assign_question(*, viewer: Viewer, question_id: int, specialist_id: int) -> Question:
    """Assign (or reassign) an open question to a specialist (a moderator of the topic)."""
    question = _for_update(viewer, question_id)
    _require_moderator_of(viewer, question)
    if not question.is_open:
        raise InvalidTransition(_("Only a question that has not been answered yet can be assigned."))
    specialist = Specialist.objects.filter(pk=specialist_id, active=True).first()
    if specialist is None:
        raise ValidationFailed(_("Choose an active specialist."), field="specialist")
    before = audit.snapshot(question, STATE_FIELDS)
    question.specialist = specialist
    question.status = Question.Status.ASSIGNED
    _transition(viewer, question, before, "question.assign")
    _notify_specialist(question)
    return question


@audit.audited_write("question.answer", object_type="consultations.question", id_arg="question_id")
def answer_question(
    *, viewer: Viewer, question_id: int, answer: str, published_text: str | None = None,
    published_name: str | None = None, confirmed: Collection[str] = (),
) -> Question:
    """The assigned specialist or a moderator of the topic answers; the answer is signed with the name of who
    wrote it. The asker gets an e-mail when they left an address.

    The answer is checked for personal data only when it is published."""
    question = _for_update(viewer, question_id)
    if question.status not in (Question.Status.NEW, Question.Status.ASSIGNED, Question.Status.ANSWERED):
        raise InvalidTransition(_("This question can no longer be answered (status: %(status)s)."),
                                status=question.get_status_display())
    before = audit.snapshot(question, STATE_FIELDS)
    question.answer = clean_text(answer, field="answer", required=_("Write the answer."), limit=MAX_ANSWER_LENGTH)
    confirmations: list[dict[str, str]] = []
    if published_text is not None:
        question.published_text, confirmations = _checked_published_text(published_text, confirmed=confirmed)
    if published_name is not None:
        question.published_name = _checked_published_name(published_name, question.author_name)
    first_answer = question.status != Question.Status.ANSWERED
    question.status = Question.Status.ANSWERED
    question.answered_at = timezone.now()
    question.answered_by = signature(viewer)
    if question.email and first_answer:
        question.notified_at = timezone.now()
        _notify_asker(question)
    question.save()
    audit.record_changed(viewer=viewer, verb="question.answer", obj=question, before=before,
                         action=AuditEvent.Action.TRANSITION,
                         details={"confirmed_findings": confirmations} if confirmations else None)
    enqueue(SEARCH_KIND, question.pk)
    return question


def signature(viewer: Viewer) -> str:
    """How an answer is signed: the author's specialist card (name, position) when they have one, otherwise
    their own name — never the name of another specialist."""
    specialist = (Specialist.objects.filter(user_id=viewer.user_id).order_by("-active", "pk").first()
                  if viewer.user_id else None)
    if specialist is not None:
        return str(specialist)[:200]
    return viewer.audit_name[:200]


def _notify_asker(question: Question) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Answer to your question № %(number)s") % {"number": question.pk}
        body = gettext(
            "Hello, %(name)s!\n\nYour question:\n%(question)s\n\nAnswer of the specialist (%(specialist)s):\n"
            "%(answer)s\n\nPublished questions and answers: %(url)s"
        ) % {"name": question.author_name, "question": question.text, "specialist": question.answered_by,
             "answer": question.answer, "url": f"{settings.PUBLIC_BASE_URL}/consultations/"}
    send_mail(to=[question.email], subject=subject, body=body, kind="consultations.answer")


@dataclass(frozen=True)
class Pending:
    """A finding in a text for publication, for the moderator: confirm it (when `confirmable`) or mask it."""

    field: str
    finding: Finding
    confirmable: bool

    @property
    def key(self) -> str:
        return self.finding.key


def pending_findings(*, published_text: str = "", answer: str = "") -> list[Pending]:
    """What the detector finds in the texts about to be published (the moderator confirms or masks each)."""
    pending = [Pending("published_text", finding, finding.kind not in NEVER_IN_QUESTION)
               for finding in personal_data.detect(published_text or "")]
    pending += [Pending("answer", finding, True) for finding in personal_data.detect(answer or "")]
    return pending


def _confirmed_keys(confirmed: Collection[str]) -> frozenset[str]:
    if isinstance(confirmed, bool | str):
        raise TypeError("confirm each finding by its key (a collection of Finding.key), not with a flag")
    return frozenset(confirmed)


def _checked(text: str, field: str, findings: Iterable[Pending], confirmed: Collection[str],
             never: str | Promise, unconfirmed: str | Promise) -> list[dict[str, str]]:
    """Refuse findings that may not be published at all, then those not confirmed one by one; the confirmed
    ones are returned for the audit trail."""
    keys = _confirmed_keys(confirmed)
    items = [item for item in findings if item.field == field]
    forbidden = [item.finding for item in items if not item.confirmable]
    missing = [item.finding for item in items if item.confirmable and item.key not in keys]
    if forbidden or missing:
        error = ValidationFailed(never if forbidden else unconfirmed, field=field, code=PERSONAL_DATA,
                                 found=personal_data.describe(forbidden or missing))
        error.findings = [{"field": field, "kind": finding.kind.value, "key": finding.key}
                          for finding in forbidden or missing]
        raise error
    return [{"field": field, "kind": item.finding.kind.value, "key": item.key, "text": item.finding.text}
            for item in items]


def _checked_published_text(value: str, *, confirmed: Collection[str] = ()) -> tuple[str, list[dict[str, str]]]:
    """The question for publication: never the asker's contacts or document numbers; an address or a name only
    when the moderator confirmed that item as not the asker's (detection errs on the side of masking)."""
    text = clean_text(value, field="published_text", required=_("The question for publication cannot be empty."),
                 limit=MAX_QUESTION_LENGTH)
    confirmations = _checked(
        text, "published_text", pending_findings(published_text=text), confirmed,
        _("The question for publication still contains contacts or document numbers: mask them "
          "(found: %(found)s)."),
        _("The question for publication seems to contain personal data (found: %(found)s). Mask it, or confirm "
          "each item that is not the asker's."))
    return text, confirmations


def _checked_answer(value: str, *, confirmed: Collection[str] = ()) -> tuple[str, list[dict[str, str]]]:
    """The answer for publication: personal data in it must be masked, or each item confirmed by the moderator
    as public (an institution's phone or office, for example)."""
    text = clean_text(value, field="answer", required=_("Write the answer."), limit=MAX_ANSWER_LENGTH)
    confirmations = _checked(
        text, "answer", pending_findings(answer=text), confirmed, "",
        _("The answer contains contacts, addresses or other personal data (found: %(found)s). Mask them, or "
          "confirm each item that is public, such as an institution's phone or office."))
    return text, confirmations


def _checked_published_name(value: str, author_name: str) -> str:
    """The published name: initials or a pseudonym, never the asker's name itself nor a contact."""
    name = (value or "").strip() or anonymous_name()
    if len(name) > MAX_PUBLISHED_NAME_LENGTH:
        raise ValidationFailed(_("The text is too long (at most %(limit)s characters)."), field="published_name",
                               limit=MAX_PUBLISHED_NAME_LENGTH)
    if personal_data.detect(name):
        raise ValidationFailed(_("The name for publication must not contain contacts or an address."),
                               field="published_name")
    own = {word.lower() for word in re.findall(r"[^\W\d_]{2,}", author_name or "")}
    if name != anonymous_name() and own & {word.lower() for word in re.findall(r"[^\W\d_]{2,}", name)}:
        raise ValidationFailed(_("The name for publication must not contain the asker's name: the consent covers "
                                 "the initials only."), field="published_name")
    return name


@audit.audited_write("question.publish", object_type="consultations.question", id_arg="question_id")
def publish_question(
    *, viewer: Viewer, question_id: int, published_text: str | None = None, published_name: str | None = None,
    answer: str | None = None, confirmed: Collection[str] = (),
) -> Question:
    """Publish an answered question (masked text), its answer and the name for publication.

    Both texts are checked again here with the personal-data detector: publishing is refused while anything
    is found, unless the moderator `confirmed` each finding (by `Finding.key`) as not the asker's personal
    data; the asker's contacts and document numbers are never published. Each confirmed item is kept in the
    audit trail."""
    question = _for_update(viewer, question_id)
    _require_moderator_of(viewer, question)
    if question.status != Question.Status.ANSWERED:
        raise InvalidTransition(_("Only an answered question can be published (status: %(status)s)."),
                                status=question.get_status_display())
    before = audit.snapshot(question, STATE_FIELDS)
    text = published_text if published_text is not None else (question.published_text or
                                                               personal_data.mask(question.text).text)
    question.published_text, confirmed_text = _checked_published_text(text, confirmed=confirmed)
    stored_answer = question.answer
    question.answer, confirmed_answer = _checked_answer(answer if answer is not None else question.answer,
                                                        confirmed=confirmed)
    if _rewritten(stored_answer, question.answer):
        question.answered_by = _co_signed(question.answered_by, signature(viewer))
    name = published_name if published_name is not None else (question.published_name or
                                                              default_published_name(question.author_name))
    question.published_name = _checked_published_name(name, question.author_name)
    question.status = Question.Status.PUBLISHED
    question.published_at = timezone.now()
    question.save()
    audit.record_changed(viewer=viewer, verb="question.publish", obj=question, before=before,
                         action=AuditEvent.Action.TRANSITION,
                         details={"confirmed_findings": confirmed_text + confirmed_answer})
    enqueue(SEARCH_KIND, question.pk)
    return question


def _rewritten(before: str, after: str) -> bool:
    """Whether the publishing moderator changed the answer beyond masking personal data in it."""
    if before.strip() == after.strip():
        return False
    placeholders = {personal_data.placeholder(kind) for kind in personal_data.ALL_KINDS}
    pattern = re.escape(after.strip())
    for text in placeholders:
        pattern = pattern.replace(re.escape(text), r"(?:.+?)")
    return re.fullmatch(pattern, before.strip(), flags=re.DOTALL) is None


def _co_signed(authors: str, author: str) -> str:
    names = [name.strip() for name in authors.split(";") if name.strip()]
    if author not in names:
        names.append(author)
    return "; ".join(names)[:200]


@audit.audited_write("question.unpublish", object_type="consultations.question", id_arg="question_id")
def unpublish_question(*, viewer: Viewer, question_id: int, findings: Iterable[Pending] = ()) -> Question:
    """Withdraw a published question from the public list (back to answered); `findings`: the personal data
    it was withdrawn for (kinds and keys go to the audit trail)."""
    question = _for_update(viewer, question_id)
    _require_moderator_of(viewer, question)
    if question.status != Question.Status.PUBLISHED:
        raise InvalidTransition(_("Only a published question can be withdrawn."))
    before = audit.snapshot(question, STATE_FIELDS)
    question.status = Question.Status.ANSWERED
    question.published_at = None
    question.save()
    reasons = [{"field": item.field, "kind": item.finding.kind.value, "key": item.key} for item in findings]
    audit.record_changed(viewer=viewer, verb="question.unpublish", obj=question, before=before,
                         action=AuditEvent.Action.TRANSITION,
                         details={"unconfirmed_findings": reasons} if reasons else None)
    enqueue(SEARCH_KIND, question.pk)
    return question


def confirmed_at_publication(question: Question) -> frozenset[str]:
    """The keys the moderator confirmed when the question was last published (from the audit trail)."""
    event = (AuditEvent.objects.for_object("consultations.question", question.pk)
             .filter(verb="question.publish", action=AuditEvent.Action.TRANSITION).order_by("-at", "-id").first())
    items = (event.details or {}).get("confirmed_findings", []) if event is not None else []
    return frozenset(item.get("key", "") for item in items if isinstance(item, dict))


def unconfirmed_in_published() -> list[tuple[Question, list[Pending]]]:
    """Published questions whose texts hold personal data nobody confirmed (published before the detector
    found it): what the current detector finds, less what was confirmed at publication."""
    found = []
    for question in Question.objects.filter(status=Question.Status.PUBLISHED).select_related("topic").order_by("pk"):
        confirmed = confirmed_at_publication(question)
        pending = [item for item in pending_findings(published_text=question.published_text, answer=question.answer)
                   if not item.confirmable or item.key not in confirmed]
        if pending:
            found.append((question, pending))
    return found


@audit.audited_write("question.reject", object_type="consultations.question", id_arg="question_id")
def reject_question(*, viewer: Viewer, question_id: int, reason: str) -> Question:
    """Reject a question (spam, off-topic, duplicate…) with the reason."""
    question = _for_update(viewer, question_id)
    _require_moderator_of(viewer, question)
    if question.status in (Question.Status.PUBLISHED, Question.Status.REJECTED):
        raise InvalidTransition(_("A %(status)s question cannot be rejected."), status=question.get_status_display())
    before = audit.snapshot(question, STATE_FIELDS)
    question.rejection_reason = clean_text(reason, field="reason", required=_("Give the reason for rejecting."),
                                           limit=2000)
    question.status = Question.Status.REJECTED
    return _transition(viewer, question, before, "question.reject")
