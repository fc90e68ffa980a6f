"""The case card (карточка случая): one page with everything about a case and what may be done now."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.cases import selectors
from portal.cases.models import (
    Case,
    CaseTransfer,
    CollegialDecision,
    Consent,
    Measure,
    MonitoringInspection,
    Person,
    ProgrammeVersion,
    Review,
)
from portal.cases.services.versions import readable_changes
from portal.casework import actions, timeline
from portal.casework.cards import WorkspaceView, category_labels, need_labels
from portal.casework.cards.lists import existing_links
from portal.notifications.selectors import organisations_not_notified


def _versions(case: Case) -> list[ProgrammeVersion]:
    """The programme's versions, newest first, each with what changed since the one before in the user's
    language (`readable`: statuses and field names translated)."""
    versions = list(ProgrammeVersion.objects.filter(programme__case=case).select_related("decision")
                    .order_by("number"))
    previous: list[dict[str, object]] = []
    for version in versions:
        version.readable = readable_changes(previous, version.measures)  # type: ignore[attr-defined]
        previous = version.measures
    return versions[::-1]


class CaseCardView(WorkspaceView):
    template_name = "casework/cases/card.html"

    def get_page_title(self) -> str:
        return _("Case %(code)s") % {"code": self.case.code}

    def get_page_subtitle(self) -> str:
        return self.case.applicant.full_name

    def parent_crumbs(self) -> list[dict[str, Any]]:
        return [{"url": reverse("casework:cases"), "label": _("Cases")}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        viewer = self.viewer
        self.case = case = selectors.get_case(viewer=viewer, case_id=self.kwargs["pk"])
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        members = list(Person.objects.filter(household_id=case.household_id).order_by("last_name", "first_name"))
        if case.applicant not in members:
            members.insert(0, case.applicant)
        for member in members:
            member.category_names = category_labels(member.categories)  # type: ignore[attr-defined]
        consents = list(Consent.objects.filter(Q(person_id=case.applicant_id)
                                               | Q(person__household_id=case.household_id))
                        .select_related("person").order_by("-given_on", "-id"))
        for consent in consents:
            consent.valid_now = consent.is_valid_on(today)  # type: ignore[attr-defined]
        measures = list(selectors.measures_for(viewer).filter(case=case)
                        .select_related("organisation", "recipient").order_by("deadline", "id"))
        manages = actions.manages(viewer, case)
        not_notified = organisations_not_notified(measure_ids=[m.pk for m in measures])
        for measure in measures:
            measure.overdue_now = measure.is_overdue(today)  # type: ignore[attr-defined]
            measure.not_notified = measure.pk in not_notified  # type: ignore[attr-defined]  # «организация не уведомлена»
            measure.actions = actions.offered_actions(viewer, "measure", measure) if manages else []  # type: ignore[attr-defined]
        all_measures = {m.pk: m for m in Measure.objects.filter(case=case)}
        transfers = selectors.transfers_of_cases(viewer=viewer, case_ids=[case.pk], first=100).get(case.pk, [])
        for transfer in transfers:
            # Each measure the transfer named, with what happens (happened) to it, for the template.
            transfer.fates = [  # type: ignore[attr-defined]
                (all_measures[int(key)].task if key.isdigit() and int(key) in all_measures else key,
                 CaseTransfer.MeasureFate(fate).label, fate)
                for key, fate in sorted(transfer.measure_plan.items(), key=lambda item: (len(item[0]), item[0]))]
        programme = getattr(case, "programme", None)
        signal = case.signal
        context.update(
            case=case, members=members, consents=consents, measures=measures, programme=programme,
            signal=signal, signal_needs=need_labels(signal.need_circumstances) if signal else [],
            case_needs=need_labels(case.need_circumstances), case_categories=category_labels(case.categories),
            household_categories=category_labels(case.household.categories),
            reviews=list(Review.objects.filter(case=case).order_by("reviewed_on", "id")),
            decisions=list(CollegialDecision.objects.filter(case=case).order_by("decided_on", "id")),
            inspections=list(MonitoringInspection.objects.filter(case=case).order_by("inspected_on", "id")),
            versions=_versions(case),
            lapsed=case.is_lapsed(today),
            case_actions=actions.case_actions(viewer, case),
            open_measures=sum(1 for m in measures if m.is_open),
            overdue_count=sum(1 for m in measures if m.is_overdue(today)),
            review_due=bool(case.is_open and case.review_due_on and case.review_due_on <= today),
            transfers=transfers,
            steps=timeline.steps(selectors.case_timeline(viewer=viewer, case=case), all_measures),
            today=today,
            intake_links=existing_links((("programme", _("Build the programme")),), pk=case.pk)
            if case.status == Case.Status.REGISTERED and actions.manages(viewer, case) else [],
            household_links=existing_links((("household", _("Household page")),), pk=case.household_id),
        )
        return context
