"""Writes of offline consultations (офлайн-консультирование): ask → route → assign → answer →
publish (masked) or reject. Each function is one transaction; refusals raise domain errors."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.viewer import Role, Viewer
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.consultations import masking
from portal.consultations.models import ANSWER_DEADLINE_DAYS, Question, Specialist, Topic
from portal.consultations.searching import enqueue
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.territory.models import District

logger = logging.getLogger("portal.consultations")

MIN_QUESTION_LENGTH = 15
MAX_QUESTION_LENGTH = 5000
MAX_ANSWER_LENGTH = 10000
SEARCH_KIND = "consultation"
MAX_PUBLISHED_NAME_LENGTH = 100
STATE_FIELDS = ["status", "specialist_id", "answer", "answered_by", "answered_at", "published_name",
                "published_text", "published_at", "rejection_reason", "notified_at"]


def may_moderate(viewer: Viewer) -> bool:
    """Editors, coordinators, officers and admins run the consultation queue."""
    return viewer.has_role(Role.ADMIN, Role.EDITOR, Role.COORDINATOR, Role.OFFICER)


def _require_moderator(viewer: Viewer) -> None:
    if not may_moderate(viewer):
        raise PermissionDenied(_("You may not moderate consultations."))


def _is_own_specialist(viewer: Viewer, question: Question) -> bool:
    return bool(viewer.user_id and question.specialist and question.specialist.user_id == viewer.user_id)


def _text(value: str | None, *, field: str, empty: object, limit: int, minimum: int = 1) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(empty, field=field)
    if len(value) < minimum:
        raise ValidationFailed(_("The text is too short (at least %(minimum)s characters)."), field=field,
                               minimum=minimum)
    if len(value) > limit:
        raise ValidationFailed(_("The text is too long (at most %(limit)s characters)."), field=field, limit=limit)
    return value


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
    email = specialist.email
    transaction.on_commit(lambda: _send(subject, body, email))


def _send(subject: str, body: str, recipient: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)
    except Exception:  # an unreachable mail server must not undo a committed answer
        logger.exception("could not send e-mail to %s", recipient)


# --- The asker ---------------------------------------------------------------------------

def anonymous_name() -> str:
    """What is published instead of a name that cannot be reduced to initials (site's default language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Anonymous")


def default_published_name(author_name: str) -> str:
    """The name shown with a published question: the initials of the first two words («Анна Петрова» →
    «А. П.»), or «Аноним» when the name has no letters or looks like a contact."""
    words = re.findall(r"[^\W\d_]+", author_name or "")
    if not words or masking.contains_contacts(author_name):
        return anonymous_name()
    return " ".join(f"{word[0].upper()}." for word in words[:2])

@transaction.atomic
def ask_question(
    *, author_name: str, email: str, topic_id: int | None, district_id: int | None, text: str, consent: bool,
    viewer: Viewer | None = None,
) -> Question:
    """A citizen asks a question (задать вопрос). Routed to a specialist at once when one covers it."""
    viewer = viewer or Viewer.anonymous()
    name = _text(author_name, field="author_name", empty=_("Enter your name or a pseudonym."), limit=100)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(_("Enter a valid e-mail address, or leave the field empty."),
                                   field="email") from None
    topic = Topic.objects.filter(pk=topic_id, active=True).first() if topic_id else None
    if topic is None:
        raise ValidationFailed(_("Choose the topic of your question."), field="topic")
    district = District.objects.filter(pk=district_id).first() if district_id else None
    if district is None:
        raise ValidationFailed(_("Choose your district."), field="district")
    body = _text(text, field="text", empty=_("Write your question."), limit=MAX_QUESTION_LENGTH,
                 minimum=MIN_QUESTION_LENGTH)
    if not consent:
        raise ValidationFailed(_("Your consent to the processing of the data you entered is required."),
                               field="consent")
    now = timezone.now()
    specialist = route(topic_id=topic.pk, district_id=district.pk)
    question = Question.objects.create(
        author_name=name, published_name=default_published_name(name), email=email, topic=topic,
        district=district, text=body, published_text=masking.mask(body).text, consent_at=now, created_at=now,
        due_on=timezone.localdate(now) + dt.timedelta(days=ANSWER_DEADLINE_DAYS),
        specialist=specialist, status=Question.Status.ASSIGNED if specialist else Question.Status.NEW,
    )
    audit.record_created(viewer=viewer, verb="question.ask", obj=question)
    _notify_specialist(question)
    return question


# --- The moderation queue ----------------------------------------------------------------

def _for_update(question_id: int | str) -> Question:
    try:
        pk = int(question_id)
    except (TypeError, ValueError):
        raise NotFound(_("Question not found.")) from None
    question = Question.objects.select_for_update().filter(pk=pk).first()
    if question is None:
        raise NotFound(_("Question not found."))
    return question


def _transition(viewer: Viewer, question: Question, before: dict[str, object], verb: str) -> Question:
    question.save()
    audit.record_changed(viewer=viewer, verb=verb, obj=question, before=before, action=AuditEvent.Action.TRANSITION)
    enqueue(SEARCH_KIND, question.pk)
    return question


@transaction.atomic
def assign_question(*, viewer: Viewer, question_id: int, specialist_id: int) -> Question:
    """Assign (or reassign) an open question to a specialist."""
    _require_moderator(viewer)
    question = _for_update(question_id)
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


@transaction.atomic
def answer_question(
    *, viewer: Viewer, question_id: int, answer: str, published_text: str | None = None,
    published_name: str | None = None, confirmed: bool = False,
) -> Question:
    """The specialist answers; the asker gets an e-mail when they left an address.

    The answer is checked for contacts and addresses only when it is published."""
    question = _for_update(question_id)
    if not (may_moderate(viewer) or _is_own_specialist(viewer, question)):
        raise PermissionDenied(_("You may not answer this question."))
    if question.status not in (Question.Status.NEW, Question.Status.ASSIGNED, Question.Status.ANSWERED):
        raise InvalidTransition(_("This question can no longer be answered (status: %(status)s)."),
                                status=question.get_status_display())
    before = audit.snapshot(question, STATE_FIELDS)
    question.answer = _text(answer, field="answer", empty=_("Write the answer."), limit=MAX_ANSWER_LENGTH)
    if published_text is not None:
        question.published_text = _checked_published_text(published_text, confirmed=confirmed)
    if published_name is not None:
        question.published_name = _checked_published_name(published_name, question.author_name)
    first_answer = question.status != Question.Status.ANSWERED
    question.status = Question.Status.ANSWERED
    question.answered_at = timezone.now()
    question.answered_by = (question.specialist.full_name if question.specialist else "") or viewer.audit_name
    if question.email and first_answer:
        question.notified_at = timezone.now()
        _notify_asker(question)
    return _transition(viewer, question, before, "question.answer")


def _notify_asker(question: Question) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Answer to your question № %(number)s") % {"number": question.pk}
        body = gettext(
            "Hello, %(name)s!\n\nYour question:\n%(question)s\n\nAnswer of the specialist (%(specialist)s):\n"
            "%(answer)s\n\nPublished questions and answers: %(url)s"
        ) % {"name": question.author_name, "question": question.text, "specialist": question.answered_by,
             "answer": question.answer, "url": f"{settings.PUBLIC_BASE_URL}/consultations/"}
    email = question.email
    transaction.on_commit(lambda: _send(subject, body, email))


def _found(text: str, kinds: tuple[str, ...]) -> str:
    """What the detection found, for the moderator: «phone: 8-912-…; address: Ленина 5 кв 3»."""
    labels = {masking.PHONE: gettext("phone"), masking.EMAIL: gettext("e-mail"), masking.ADDRESS: gettext("address")}
    return "; ".join(f"{labels[span.kind]}: «{text[span.start:span.end]}»" for span in masking.detect(text, kinds))


def _checked_published_text(value: str, *, confirmed: bool = False) -> str:
    """The question for publication: never a phone number or e-mail; an address only when the moderator
    confirmed that what looks like one is not the asker's (detection errs on the side of masking)."""
    text = _text(value, field="published_text", empty=_("The question for publication cannot be empty."),
                 limit=MAX_QUESTION_LENGTH)
    contacts = _found(text, (masking.EMAIL, masking.PHONE))
    if contacts:
        raise ValidationFailed(
            _("The question for publication still contains a phone number or an e-mail address: mask it "
              "(found: %(found)s)."), field="published_text", found=contacts)
    addresses = _found(text, (masking.ADDRESS,))
    if addresses and not confirmed:
        raise ValidationFailed(
            _("The question for publication seems to contain a street address (found: %(found)s). Mask it, or "
              "confirm that it is not the asker's address."), field="published_text", found=addresses)
    return text


def _checked_answer(value: str, *, confirmed: bool = False) -> str:
    """The answer for publication: contacts and addresses in it must be masked, or confirmed by the
    moderator as public ones (an institution's phone or office, for example)."""
    text = _text(value, field="answer", empty=_("Write the answer."), limit=MAX_ANSWER_LENGTH)
    found = _found(text, (masking.EMAIL, masking.PHONE, masking.ADDRESS))
    if found and not confirmed:
        raise ValidationFailed(
            _("The answer contains contacts or addresses (found: %(found)s). Mask them, or confirm that they are "
              "public contacts, such as an institution's phone or office."), field="answer", found=found)
    return text


def _checked_published_name(value: str, author_name: str) -> str:
    """The published name: initials or a pseudonym, never the asker's name itself nor a contact."""
    name = (value or "").strip() or anonymous_name()
    if len(name) > MAX_PUBLISHED_NAME_LENGTH:
        raise ValidationFailed(_("The text is too long (at most %(limit)s characters)."), field="published_name",
                               limit=MAX_PUBLISHED_NAME_LENGTH)
    if masking.detect(name):
        raise ValidationFailed(_("The name for publication must not contain contacts or an address."),
                               field="published_name")
    own = {word.lower() for word in re.findall(r"[^\W\d_]{2,}", author_name or "")}
    if name != anonymous_name() and own & {word.lower() for word in re.findall(r"[^\W\d_]{2,}", name)}:
        raise ValidationFailed(_("The name for publication must not contain the asker's name: the consent covers "
                                 "the initials only."), field="published_name")
    return name


@transaction.atomic
def publish_question(
    *, viewer: Viewer, question_id: int, published_text: str | None = None, published_name: str | None = None,
    answer: str | None = None, confirmed: bool = False,
) -> Question:
    """Publish an answered question (masked text), its answer and the name for publication.

    Both texts are checked again here: contacts and addresses must be masked unless the moderator
    `confirmed` that those left are public (the confirmation is kept in the audit trail)."""
    _require_moderator(viewer)
    question = _for_update(question_id)
    if question.status != Question.Status.ANSWERED:
        raise InvalidTransition(_("Only an answered question can be published (status: %(status)s)."),
                                status=question.get_status_display())
    before = audit.snapshot(question, STATE_FIELDS)
    text = published_text if published_text is not None else (question.published_text or
                                                               masking.mask(question.text).text)
    question.published_text = _checked_published_text(text, confirmed=confirmed)
    question.answer = _checked_answer(answer if answer is not None else question.answer, confirmed=confirmed)
    name = published_name if published_name is not None else (question.published_name or
                                                              default_published_name(question.author_name))
    question.published_name = _checked_published_name(name, question.author_name)
    question.status = Question.Status.PUBLISHED
    question.published_at = timezone.now()
    question.save()
    audit.record_changed(viewer=viewer, verb="question.publish", obj=question, before=before,
                         action=AuditEvent.Action.TRANSITION, details={"confirmed_contacts": bool(confirmed)})
    enqueue(SEARCH_KIND, question.pk)
    return question


@transaction.atomic
def unpublish_question(*, viewer: Viewer, question_id: int) -> Question:
    """Withdraw a published question from the public list (back to answered)."""
    _require_moderator(viewer)
    question = _for_update(question_id)
    if question.status != Question.Status.PUBLISHED:
        raise InvalidTransition(_("Only a published question can be withdrawn."))
    before = audit.snapshot(question, STATE_FIELDS)
    question.status = Question.Status.ANSWERED
    question.published_at = None
    return _transition(viewer, question, before, "question.unpublish")


@transaction.atomic
def update_published_text(
    *, viewer: Viewer, question_id: int, published_text: str, published_name: str | None = None,
    confirmed: bool = False,
) -> Question:
    """The moderator adjusts the masked question text (and the name for publication)."""
    _require_moderator(viewer)
    question = _for_update(question_id)
    if question.status == Question.Status.REJECTED:
        raise InvalidTransition(_("A rejected question cannot be edited."))
    before = audit.snapshot(question, STATE_FIELDS)
    question.published_text = _checked_published_text(published_text, confirmed=confirmed)
    if published_name is not None:
        question.published_name = _checked_published_name(published_name, question.author_name)
    question.save()
    audit.record_changed(viewer=viewer, verb="question.edit", obj=question, before=before)
    enqueue(SEARCH_KIND, question.pk)
    return question


@transaction.atomic
def reject_question(*, viewer: Viewer, question_id: int, reason: str) -> Question:
    """Reject a question (spam, off-topic, duplicate…) with the reason."""
    _require_moderator(viewer)
    question = _for_update(question_id)
    if question.status in (Question.Status.PUBLISHED, Question.Status.REJECTED):
        raise InvalidTransition(_("A %(status)s question cannot be rejected."), status=question.get_status_display())
    before = audit.snapshot(question, STATE_FIELDS)
    question.rejection_reason = _text(reason, field="reason", empty=_("Give the reason for rejecting."), limit=2000)
    question.status = Question.Status.REJECTED
    return _transition(viewer, question, before, "question.reject")
