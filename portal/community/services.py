"""Writes of the public registries: benefactors sign up and are moderated; coordinators publish
anonymised needs from cases (only with the family's publication consent); volunteers and
benefactors offer help, and a coordinator turns an offer into a programme measure."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.access import may_manage_case
from portal.cases.models import Case, Category, Consent, Person
from portal.cases.selectors import cases_for
from portal.cases.services import assign_measure
from portal.community.models import Benefactor, Need, Offer, Urgency
from portal.community.selectors import BENEFACTOR_KIND, NEED_KIND, may_moderate_registries, public_need
from portal.core import personal_data
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.ids import parse_id, require_id
from portal.core.mail import clean_email, send_mail
from portal.core.text import clean_text
from portal.core.viewer import Viewer
from portal.partners.models import HelpKind, Organisation
from portal.territory.models import District
from search.outbox import enqueue, enqueue_many

logger = logging.getLogger("portal.community")

_PHONE_CHARS = re.compile(r"^\+?[\d\s\-()]{6,20}$")
_AGE_RE = re.compile(r"(?i)(?<![\w])\d{1,3}\s*(?:-?\s*)?(?:лет|год|года|месяц\w*|мес\.?|years?|months?)(?![\w])")
_DATE_RE = re.compile(r"(?<!\d)\d{1,2}[./]\d{1,2}[./]\d{2,4}(?!\d)")
#: Said when help is offered for a need whose help has been found (the page says it before any form).
HELP_FOUND = _("Help for this need has already been found. Thank you! Other families still need help.")


def _require_registry_moderator(viewer: Viewer) -> None:
    if not may_moderate_registries(viewer):
        raise PermissionDenied(_("You may not moderate the registries."))



def _phone(value: str | None) -> str:
    value = (value or "").strip()
    if value and (not _PHONE_CHARS.match(value) or sum(ch.isdigit() for ch in value) < 6):
        raise ValidationFailed(_("Enter a phone number of digits, e.g. +7 912 345-67-89."), field="phone")
    return value


def _help_kinds(values: Iterable[str]) -> list[str]:
    kinds = list(dict.fromkeys(v for v in values if v))
    if not kinds:
        raise ValidationFailed(_("Choose at least one kind of help."), field="help_kinds")
    unknown = sorted(set(kinds) - set(HelpKind.values))
    if unknown:
        raise ValidationFailed(_("Unknown kinds of help: %(values)s."), field="help_kinds", values=", ".join(unknown))
    return kinds


# --- Benefactors (благотворители) -------------------------------------------------------------

BENEFACTOR_STATE = ["status", "rejection_reason", "organisation_id", "moderated_at", "moderated_by",
                    "consent_publication"]


@transaction.atomic
def sign_up_benefactor(
    *, kind: str, name: str, email: str, phone: str, help_kinds: Iterable[str], district_id: int | None,
    consent_processing: bool, consent_publication: bool, contact_person: str = "", description: str = "",
    viewer: Viewer | None = None,
) -> Benefactor:
    """A benefactor signs up (заявка в реестр благотворителей); listed publicly after moderation."""
    viewer = viewer or Viewer.anonymous()
    if kind not in Benefactor.Kind.values:
        raise ValidationFailed(_("Choose whether you are an individual or a legal entity."), field="kind")
    name = clean_text(name, field="name", limit=300,
                      required=_("Enter the name of the organisation.") if kind == Benefactor.Kind.LEGAL_ENTITY
                      else _("Enter your name."))
    contact_person = clean_text(contact_person, field="contact_person", limit=200)
    email, phone = clean_email(email), _phone(phone)
    if not email and not phone:
        raise ValidationFailed(_("Leave an e-mail address or a phone number so that we can contact you."),
                               field="email")
    kinds = _help_kinds(help_kinds)
    district = District.objects.filter(pk=district_id).first() if district_id else None
    if district is None:
        raise ValidationFailed(_("Choose the district where you can help."), field="district")
    description = clean_text(description, field="description", limit=1000)
    if description and personal_data.contains_personal_data(description, personal_data.CONTACT_KINDS):
        raise ValidationFailed(_("Do not put phone numbers or e-mail addresses into the description: it may be "
                                 "published. Use the contact fields."), field="description")
    if not consent_processing:
        raise ValidationFailed(_("Your consent to the processing of your personal data is required."),
                               field="consent_processing")
    benefactor = Benefactor.objects.create(
        kind=kind, name=name, contact_person=contact_person, email=email, phone=phone, help_kinds=kinds,
        district=district, description=description, consent_processing_at=timezone.now(),
        consent_publication=bool(consent_publication),
    )
    audit.record_created(viewer=viewer, verb="benefactor.sign_up", obj=benefactor)
    enqueue(BENEFACTOR_KIND, benefactor.pk)
    return benefactor


def _benefactor_for_update(benefactor_id: int | str) -> Benefactor:
    number = require_id(benefactor_id, _("Benefactor not found."))
    benefactor = Benefactor.objects.select_for_update().filter(pk=number).first()
    if benefactor is None:
        raise NotFound(_("Benefactor not found."))
    return benefactor


@audit.audited_write("benefactor.approve", object_type="community.benefactor", id_arg="benefactor_id")
def approve_benefactor(*, viewer: Viewer, benefactor_id: int, organisation_id: int | None = None) -> Benefactor:
    """Moderation passed: the benefactor joins the registry (public only with the publication consent)."""
    _require_registry_moderator(viewer)
    benefactor = _benefactor_for_update(benefactor_id)
    if benefactor.status == Benefactor.Status.APPROVED and organisation_id in (None, benefactor.organisation_id):
        raise InvalidTransition(_("The benefactor is already approved."))
    before = audit.snapshot(benefactor, BENEFACTOR_STATE)
    if organisation_id is not None:
        if benefactor.kind != Benefactor.Kind.LEGAL_ENTITY:
            raise ValidationFailed(_("Only a legal entity can be linked to a partner organisation."),
                                   field="organisation")
        if not Organisation.objects.filter(pk=organisation_id, active=True).exists():
            raise ValidationFailed(_("Choose an active organisation of the partner registry."), field="organisation")
        benefactor.organisation_id = organisation_id
    benefactor.status = Benefactor.Status.APPROVED
    benefactor.rejection_reason = ""
    benefactor.moderated_at = timezone.now()
    benefactor.moderated_by = viewer.audit_name[:200]
    benefactor.save()
    audit.record_changed(viewer=viewer, verb="benefactor.approve", obj=benefactor, before=before,
                         action=AuditEvent.Action.TRANSITION)
    enqueue(BENEFACTOR_KIND, benefactor.pk)
    return benefactor


@audit.audited_write("benefactor.reject", object_type="community.benefactor", id_arg="benefactor_id")
def reject_benefactor(*, viewer: Viewer, benefactor_id: int, reason: str) -> Benefactor:
    """Moderation refused (or the benefactor is taken off the registry) with the reason."""
    _require_registry_moderator(viewer)
    benefactor = _benefactor_for_update(benefactor_id)
    if benefactor.status == Benefactor.Status.REJECTED:
        raise InvalidTransition(_("The benefactor is already rejected."))
    before = audit.snapshot(benefactor, BENEFACTOR_STATE)
    benefactor.rejection_reason = clean_text(reason, field="reason", required=_("Give the reason for rejecting."),
                                             limit=2000)
    benefactor.status = Benefactor.Status.REJECTED
    benefactor.moderated_at = timezone.now()
    benefactor.moderated_by = viewer.audit_name[:200]
    benefactor.save()
    audit.record_changed(viewer=viewer, verb="benefactor.reject", obj=benefactor, before=before,
                         action=AuditEvent.Action.TRANSITION)
    enqueue(BENEFACTOR_KIND, benefactor.pk)
    return benefactor


# --- Needs (нужды благополучателей) --------------------------------------------------------------

def _family(case: Case) -> list[Person]:
    return list(Person.objects.filter(Q(household_id=case.household_id) | Q(pk=case.applicant_id)).distinct())


def publication_consent(case: Case, day: dt.date | None = None) -> Consent | None:
    """A valid consent of a family member to publishing an anonymised need (согласие на публикацию)."""
    day = day or timezone.localdate()
    family = [person.pk for person in _family(case)]
    consents = Consent.objects.filter(person_id__in=family, purpose=Consent.Purpose.PUBLICATION).order_by(
        "-given_on", "-id")
    return next((consent for consent in consents if consent.is_valid_on(day)), None)


def check_public_summary(summary: str, *, family: Iterable[Person] = ()) -> str:
    """The plain-words description of what is needed is public: it must be given and hold no contacts,
    addresses, documents, exact ages, dates or family names."""
    text = clean_text(summary, field="summary", required=_("Describe in plain words what is needed."), limit=300)
    found = personal_data.detect(text)
    if found:
        raise ValidationFailed(_("The description must not contain personal data (found: %(found)s)."),
                               field="summary", found="; ".join(finding.describe() for finding in found))
    if _AGE_RE.search(text) or _DATE_RE.search(text):
        raise ValidationFailed(_("The description must not state exact ages or dates."), field="summary")
    lowered = text.lower()
    for person in family:
        for name in (person.last_name, person.first_name, person.middle_name):
            if name and len(name) > 2 and re.search(rf"(?<![\w]){re.escape(name.lower()[:-1])}", lowered):
                raise ValidationFailed(_("The description must not contain names of the family."),
                                       field="summary")
    return text


def _case_for_need(viewer: Viewer, case_id: int) -> Case:
    case = (cases_for(viewer).select_related("precinct__district", "institution")
            .filter(pk=require_id(case_id, _("Case not found."))).first())
    if case is None:
        raise NotFound(_("Case not found."))
    if not may_manage_case(viewer, case):
        raise PermissionDenied(_("You may not publish needs of this case."))
    return case


def _same_group_needs(need: Need) -> list[int]:
    """Needs whose public view may change with this one (same district and kind of help)."""
    return list(Need.objects.filter(district_id=need.district_id, help_kind=need.help_kind).values_list(
        "pk", flat=True))


@audit.audited_write("need.publish", object_type="cases.case", id_arg="case_id")
def publish_need(
    *, viewer: Viewer, case_id: int, help_kind: str, urgency: str, summary: str, category: str | None = None,
) -> Need:
    """Publish an anonymised need of the family of a case (only with its publication consent)."""
    case = _case_for_need(viewer, case_id)
    if case.status == Case.Status.CLOSED:
        raise InvalidTransition(_("The case is closed: its needs cannot be published."))
    consent = publication_consent(case)
    if consent is None:
        raise InvalidTransition(_("The family has not given a valid consent to publishing its need."))
    if help_kind not in HelpKind.values:
        raise ValidationFailed(_("Choose the kind of help needed."), field="help_kind")
    if urgency not in Urgency.values:
        raise ValidationFailed(_("Choose the urgency."), field="urgency")
    case_categories = [c for c in Category.values if c in (case.categories or [])]
    if category is None:
        if not case_categories:
            raise ValidationFailed(_("The case has no category: set the family's category first."),
                                   field="category")
        category = case_categories[0]
    elif category not in case_categories:
        raise ValidationFailed(_("Choose one of the categories of the case."), field="category")
    text = check_public_summary(summary, family=_family(case))
    if Need.objects.filter(case=case, help_kind=help_kind, withdrawn_at__isnull=True).exists():
        raise InvalidTransition(_("A need of this kind is already published for this case."))
    need = Need.objects.create(
        case=case, category=category, district=case.precinct.district, help_kind=help_kind, urgency=urgency,
        summary=text, consent=consent, created_by=viewer.audit_name[:200],
    )
    audit.record_created(viewer=viewer, verb="need.publish", obj=need, details={"case": case.code})
    enqueue_many(NEED_KIND, _same_group_needs(need))
    return need


@audit.audited_write("need.describe", object_type="community.need", id_arg="need_id")
def describe_need(*, viewer: Viewer, need_id: int, summary: str) -> Need:
    """Rewrite the public description of what a published need is for (checked like at publication)."""
    need = Need.objects.select_for_update().filter(pk=require_id(need_id, _("Need not found."))).first()
    if need is None:
        raise NotFound(_("Need not found."))
    case = _case_for_need(viewer, need.case_id)
    if need.withdrawn_at is not None:
        raise InvalidTransition(_("The need is withdrawn: its description can no longer be changed."))
    text = check_public_summary(summary, family=_family(case))
    if text == need.summary:
        return need
    before = audit.snapshot(need, ["summary"])
    need.summary = text
    need.save(update_fields=["summary"])
    audit.record_changed(viewer=viewer, verb="need.describe", obj=need, before=before)
    enqueue(NEED_KIND, need.pk)
    return need


@audit.audited_write("need.withdraw", object_type="community.need", id_arg="need_id")
def withdraw_need(*, viewer: Viewer, need_id: int, reason: str) -> Need:
    """Take a need off the public registry (covered elsewhere, consent withdrawn, case closed…)."""
    need = Need.objects.select_for_update().filter(pk=require_id(need_id, _("Need not found."))).first()
    if need is None:
        raise NotFound(_("Need not found."))
    _case_for_need(viewer, need.case_id)
    if need.withdrawn_at is not None:
        raise InvalidTransition(_("The need is already withdrawn."))
    before = audit.snapshot(need, ["withdrawn_at", "withdrawn_reason"])
    need.withdrawn_reason = clean_text(reason, field="reason", required=_("Give the reason for withdrawing."),
                                       limit=300)
    need.withdrawn_at = timezone.now()
    need.save()
    audit.record_changed(viewer=viewer, verb="need.withdraw", obj=need, before=before,
                         action=AuditEvent.Action.TRANSITION)
    enqueue_many(NEED_KIND, _same_group_needs(need))
    return need


# --- Offers («могу помочь») -----------------------------------------------------------------------

@transaction.atomic
def offer_help(
    *, need_id: int, name: str, email: str, phone: str, message: str, consent: bool, viewer: Viewer | None = None,
) -> Offer:
    """A volunteer or benefactor offers help for a public need; the coordinator is notified."""
    viewer = viewer or Viewer.anonymous()
    shown = public_need(need_id)
    if shown is None:
        raise NotFound(_("Need not found."))
    if not shown.may_be_offered_help:
        raise InvalidTransition(HELP_FOUND)
    name = clean_text(name, field="name", required=_("Enter your name or the name of your organisation."), limit=200)
    email, phone = clean_email(email), _phone(phone)
    if not email and not phone:
        raise ValidationFailed(_("Leave an e-mail address or a phone number so that the coordinator can contact "
                                 "you."), field="email")
    message = clean_text(message, field="message", limit=2000)
    if not consent:
        raise ValidationFailed(_("Your consent to the processing of your personal data is required."),
                               field="consent")
    need = Need.objects.select_related("case__institution", "case__coordinator").get(pk=shown.id)
    # The offer is never linked to a registered benefactor here: a typed e-mail proves nothing. The
    # coordinator sees possible matches as unverified and links one only after checking (accept_offer).
    offer = Offer.objects.create(
        need=need, benefactor=None, name=name, email=email, phone=phone, message=message,
        consent_processing_at=timezone.now(), user_id=viewer.user_id,
    )
    audit.record_created(viewer=viewer, verb="offer.create", obj=offer)
    _notify_coordinator(offer)
    return offer


def _notify_coordinator(offer: Offer) -> None:
    case = offer.need.case
    recipients = [address for address in (
        case.coordinator.email if case.coordinator_id and case.coordinator else "",
        case.institution.email,
    ) if address]
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Offer of help for case %(case)s") % {"case": case.code}
        body = gettext(
            "%(name)s offers %(help)s help for the published need of case %(case)s.\n"
            "Review the offer and turn it into a programme measure: %(url)s"
        ) % {"name": offer.name, "help": offer.need.get_help_kind_display(), "case": case.code,
             "url": f"{settings.PUBLIC_BASE_URL}/admin/community/offers/{offer.pk}/"}
    send_mail(to=recipients, subject=subject, body=body, kind="community.offer")


def _offer_for_update(viewer: Viewer, offer_id: int | str) -> Offer:
    offer = Offer.objects.select_for_update().filter(pk=require_id(offer_id, _("Offer not found."))).first()
    if offer is None:
        raise NotFound(_("Offer not found."))
    offer.need = Need.objects.select_related("case").get(pk=offer.need_id)
    _case_for_need(viewer, offer.need.case_id)
    if offer.status != Offer.Status.NEW:
        raise InvalidTransition(_("The offer has already been handled (%(status)s)."),
                                status=offer.get_status_display())
    return offer


def _confirmed_benefactor(benefactor_id: int | None, confirmed: bool) -> Benefactor | None:
    if benefactor_id is None:
        return None
    number = parse_id(benefactor_id)
    benefactor = Benefactor.objects.select_related("organisation").filter(
        pk=number, status=Benefactor.Status.APPROVED).first() if number is not None else None
    if benefactor is None:
        raise ValidationFailed(_("Choose an approved benefactor of the registry."), field="benefactor")
    if not confirmed:
        raise ValidationFailed(
            _("Confirm that you have checked with the benefactor, through the contacts of its registry record, "
              "that this offer is theirs: the e-mail in an offer can be typed by anyone."),
            field="benefactor_confirmed")
    return benefactor


@audit.audited_write("offer.accept", object_type="community.offer", id_arg="offer_id")
def accept_offer(
    *, viewer: Viewer, offer_id: int, task: str, deadline: dt.date, content: str = "",
    benefactor_id: int | None = None, benefactor_confirmed: bool = False,
) -> Offer:
    """Turn an offer into a measure of the programme (мероприятие).

    Without a benefactor the measure goes to the case's institution with the person who offered as the
    responsible person. A registered benefactor is used only when the coordinator chose it explicitly
    and confirmed having checked it (`benefactor_confirmed`): then a legal entity registered as a
    partner gets the measure itself."""
    offer = _offer_for_update(viewer, offer_id)
    need = offer.need
    benefactor = _confirmed_benefactor(benefactor_id, benefactor_confirmed)
    partner = None
    if (benefactor and benefactor.kind == Benefactor.Kind.LEGAL_ENTITY and benefactor.organisation_id
            and benefactor.organisation and benefactor.organisation.active):
        partner = benefactor.organisation
    if partner is not None and benefactor is not None:
        organisation_id = partner.pk
        responsible = benefactor.contact_person or benefactor.name
    else:
        organisation_id = need.case.institution_id
        responsible = benefactor.name if benefactor else offer.name
    measure = assign_measure(
        viewer=viewer, case_id=need.case_id, task=task, kind=need.help_kind, deadline=deadline,
        organisation_id=organisation_id, content=content, responsible_person=responsible[:200],
        shared_fields=["district"],
    )
    before = audit.snapshot(offer, ["status", "measure_id", "benefactor_id", "handled_by", "handled_at"])
    offer.measure = measure
    offer.benefactor = benefactor
    offer.status = Offer.Status.ACCEPTED
    offer.handled_by = viewer.audit_name[:200]
    offer.handled_at = timezone.now()
    offer.save()
    audit.record_changed(viewer=viewer, verb="offer.accept", obj=offer, before=before,
                         action=AuditEvent.Action.TRANSITION,
                         details={"measure": measure.pk, "benefactor_confirmed": benefactor is not None})
    enqueue_many(NEED_KIND, _same_group_needs(need))
    return offer


@audit.audited_write("offer.decline", object_type="community.offer", id_arg="offer_id")
def decline_offer(*, viewer: Viewer, offer_id: int, reason: str) -> Offer:
    offer = _offer_for_update(viewer, offer_id)
    before = audit.snapshot(offer, ["status", "decline_reason", "handled_by", "handled_at"])
    offer.decline_reason = clean_text(reason, field="reason", required=_("Give the reason for declining."), limit=2000)
    offer.status = Offer.Status.DECLINED
    offer.handled_by = viewer.audit_name[:200]
    offer.handled_at = timezone.now()
    offer.save()
    audit.record_changed(viewer=viewer, verb="offer.decline", obj=offer, before=before,
                         action=AuditEvent.Action.TRANSITION)
    return offer
