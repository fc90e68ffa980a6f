"""Changes of the reports: submitting a report (a frozen snapshot), and the effectiveness survey."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.audit import services as audit
from portal.cases.access import may_manage_case
from portal.cases.models import Case
from portal.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from portal.core.viewer import Role, Viewer
from portal.reports import selectors
from portal.reports.models import ReportKind, Submission, SurveyInvitation, SurveyResponse

#: The survey link works this long after it is issued (seed 004 row 13 monitoring; issue 17).
SURVEY_LINK_DAYS = 60
MAX_WORDS = 4000


@audit.audited_write("report.submit", object_type="reports.submission")
def submit_report(*, viewer: Viewer, kind: str, period: str, institution: str | None = None,
                  district: str | None = None) -> Submission:
    """Submit (сдать) a report of a finished period: its figures as of now are frozen with who and when.
    A coordinator submits its institution's reports, an admin any; a supervisor only reads."""
    if not viewer.has_role(Role.ADMIN, Role.COORDINATOR):
        raise PermissionDenied(_("You may not submit reports."))
    scope = selectors.resolve_scope(viewer, kind, institution=institution, district=district)
    if not viewer.is_admin and scope.code != viewer.institution_code:
        raise PermissionDenied(_("You may submit the reports of your own institution only."))
    found = selectors.period_for(kind, period)
    now = timezone.now()
    if not found.is_finished(timezone.localdate(now)):
        raise InvalidTransition(_("The period %(period)s is not over yet: its report is a draft «по состоянию на» "
                                  "today and cannot be submitted."), period=found.code)
    earlier = selectors.submission_of(kind, found.code, scope.code)
    if earlier is not None:
        raise InvalidTransition(_("This report was already submitted on %(when)s by %(who)s."),
                                when=timezone.localtime(earlier.submitted_at).strftime("%d.%m.%Y %H:%M"),
                                who=earlier.submitted_by_name)
    report = selectors.BUILDERS[ReportKind(kind)](scope=scope, period=found, as_of=now)
    report.draft = False
    submission = Submission.objects.create(
        kind=kind, period=found.code, scope=scope.code, as_of=now, submitted_at=now,
        submitted_by_subject=viewer.subject or "", submitted_by_name=viewer.audit_name[:255],
        figures=report.to_json())
    audit.record_created(viewer=viewer, verb="report.submit", obj=submission)
    return submission


def _closed_case_to_survey(viewer: Viewer, case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("No such case."))
    if not may_manage_case(viewer, case):
        raise PermissionDenied(_("You may not survey the family of this case."))
    if case.status != Case.Status.CLOSED:
        raise InvalidTransition(_("Only a family whose programme has ended is surveyed."))
    if SurveyResponse.objects.filter(case=case).exists():
        raise InvalidTransition(_("The family of this case has already answered the survey."))
    return case


@audit.audited_write("survey.invite", object_type="cases.case", id_arg="case_id")
def issue_survey_link(*, viewer: Viewer, case_id: int, agreed_to_contact: bool) -> SurveyInvitation:
    """A one-time link to the survey, without sign-in, valid 60 days: only when the applicant agreed to be
    contacted. Issuing it again replaces the earlier link."""
    case = _closed_case_to_survey(viewer, case_id)
    if not agreed_to_contact:
        raise ValidationFailed(_("A link is issued only when the applicant agreed to be contacted."),
                               field="agreed_to_contact")
    now = timezone.now()
    SurveyInvitation.objects.filter(case=case).delete()
    invitation = SurveyInvitation.objects.create(case=case, issued_at=now,
                                                 expires_at=now + dt.timedelta(days=SURVEY_LINK_DAYS),
                                                 issued_by=viewer.audit_name[:255])
    audit.record(viewer=viewer, action="create", verb="survey.invite", obj=case,
                 details={"expires_at": invitation.expires_at.isoformat()})
    return invitation


def _clean_answer(case: Case, satisfaction: int, resolved: Iterable[str], own_words: str) -> tuple[int, list[str], str]:
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise ValidationFailed(_("Choose a satisfaction from 1 to 5."), field="satisfaction")
    allowed = set(case.need_circumstances or [])
    chosen = sorted(set(resolved))
    if not set(chosen) <= allowed:
        raise ValidationFailed(_("Choose only circumstances of this case."), field="resolved_circumstances")
    words = (own_words or "").strip()
    if len(words) > MAX_WORDS:
        raise ValidationFailed(_("At most %(limit)s characters."), field="own_words", limit=MAX_WORDS)
    return satisfaction, chosen, words


def _save_response(case: Case, *, channel: str, satisfaction: int, resolved: list[str], own_words: str,
                   answered_on: dt.date, entered_by: str) -> SurveyResponse:
    return SurveyResponse.objects.create(
        case=case, institution_id=case.institution_id, channel=channel, satisfaction=satisfaction,
        resolved_circumstances=resolved, circumstances_total=len(case.need_circumstances or []),
        own_words=own_words, answered_on=answered_on, recorded_at=timezone.now(), entered_by=entered_by[:255])


def invitation_by_token(token: str) -> SurveyInvitation:
    """The open invitation of a link; refused when unknown, used or expired (the same message: a link tells
    nothing about a case)."""
    invitation = SurveyInvitation.objects.select_related("case").filter(token=token or "").first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= timezone.now():
        raise NotFound(_("This survey link is not valid: it was used already or has expired."))
    return invitation


@audit.audited_write("survey.answer", object_type="reports.surveyinvitation")
def answer_survey(*, viewer: Viewer, token: str, satisfaction: int, resolved_circumstances: Iterable[str],
                  own_words: str = "") -> SurveyResponse:
    """The family answers through its one-time link (no sign-in: `viewer` is anonymous)."""
    invitation = invitation_by_token(token)
    invitation = SurveyInvitation.objects.select_for_update().select_related("case").get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise NotFound(_("This survey link is not valid: it was used already or has expired."))
    case = invitation.case
    if SurveyResponse.objects.filter(case=case).exists():
        raise InvalidTransition(_("The family of this case has already answered the survey."))
    score, resolved, words = _clean_answer(case, satisfaction, resolved_circumstances, own_words)
    response = _save_response(case, channel=SurveyResponse.Channel.LINK, satisfaction=score, resolved=resolved,
                              own_words=words, answered_on=timezone.localdate(), entered_by="")
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit.record(viewer=viewer, action="create", verb="survey.answer", obj=case, details={"channel": "link"})
    return response


@audit.audited_write("survey.enter", object_type="cases.case", id_arg="case_id")
def enter_survey_response(*, viewer: Viewer, case_id: int, channel: str, satisfaction: int,
                          resolved_circumstances: Iterable[str], own_words: str = "",
                          answered_on: dt.date | None = None) -> SurveyResponse:
    """An officer or coordinator enters the family's answers from a paper form or a phone call."""
    case = _closed_case_to_survey(viewer, case_id)
    if channel not in (SurveyResponse.Channel.PAPER, SurveyResponse.Channel.PHONE):
        raise ValidationFailed(_("Choose paper or phone."), field="channel")
    day = answered_on or timezone.localdate()
    if day > timezone.localdate() or (case.closed_on and day < case.closed_on):
        raise ValidationFailed(_("The answer date is between the closing of the case and today."), field="answered_on")
    score, resolved, words = _clean_answer(case, satisfaction, resolved_circumstances, own_words)
    response = _save_response(case, channel=channel, satisfaction=score, resolved=resolved, own_words=words,
                              answered_on=day, entered_by=viewer.audit_name)
    SurveyInvitation.objects.filter(case=case, used_at__isnull=True).update(used_at=timezone.now())
    audit.record(viewer=viewer, action="create", verb="survey.enter", obj=case, details={"channel": channel})
    return response
