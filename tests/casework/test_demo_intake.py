"""The demo region has, for each demo institution, a family in every state of the lifecycle (issue 14, item 11),
made through the services by the demo users, with coherent records: a signal's text fits its source, a case's
measures fit its need circumstances. Loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.cases.models import NEED_GROUP_OF, Application, Case, InspectionAct, Measure, Signal
from portal.demo import intake as demo_intake
from portal.demo import names
from portal.demo.generate import generate
from portal.partners.models import Organisation

pytestmark = pytest.mark.django_db

#: Kinds of help that answer each group of need circumstances (seed 001), kept apart from the generator's table.
KINDS_FOR_GROUP = {
    "income": {"material", "social", "employment", "urgent", "legal"},
    "health": {"medical", "social", "material"},
    "housing": {"material", "social", "urgent", "legal"},
    "interpersonal": {"psychological", "legal", "pedagogical", "social"},
}
#: Words a signal's text has for its source.
SOURCE_WORDS = {"school": ("учени", "школ"), "police": ("наряд", "протокол", "полиц"),
                "healthcare": ("ребён", "беремен", "врач", "поликлин"), "hotline": ("пожил", "ветеран", "семья"),
                "neighbours": ("сосед", "квартир"), "own_application": ("обращение",),
                "other_organisation": ("комисси", "постановлен")}


def test_demo_families_in_every_state_coherent_and_loaded_once() -> None:
    from portal.demo.accounts import load_demo as load_accounts

    generate(scale="demo", seed=1)
    load_accounts(verbose=False)
    demo_intake.load_demo(verbose=False)
    _every_state_for_each_institution()
    _a_transfer_waits_for_the_receiving_coordinator()
    _records_are_coherent()
    _loading_twice_adds_nothing()


def _a_transfer_waits_for_the_receiving_coordinator() -> None:
    """Issue 16: Berezovsky's case in progress is proposed to Zarechny (the family moved), waiting on the dashboard
    of coordinator.petrova; every open measure has its fate; Zarechny's own open cases can be transferred."""
    from portal.cases import selectors
    from portal.cases.models import CaseTransfer
    from portal.core.viewer import Role, Viewer

    zarechny, berezovsky = (Organisation.objects.get(code=code) for code in ("kcson-zarechny", "kcson-berezovsky"))
    petrova = Viewer(subject="petrova", username="coordinator.petrova", roles=frozenset({Role.COORDINATOR}),
                     institution_id=zarechny.pk, institution_code=zarechny.code)
    [transfer] = selectors.incoming_transfers(viewer=petrova)
    assert (transfer.from_institution_id, transfer.to_institution_id) == (berezovsky.pk, zarechny.pk)
    assert transfer.case.status == Case.Status.IN_PROGRESS and transfer.case.institution_id == berezovsky.pk
    pending = transfer.case.measures.filter(status__in=Measure.PENDING_STATUSES)
    assert set(transfer.measure_plan) == {str(pk) for pk in pending.values_list("pk", flat=True)} != set()
    assert "follow" in transfer.measure_plan.values()
    assert selectors.case_action_refusals(viewer=petrova, case=Case.objects.filter(
        institution=zarechny, status=Case.Status.IN_PROGRESS, application__isnull=False).first())["transfer"] is None
    assert CaseTransfer.objects.count() == 1


def _every_state_for_each_institution() -> None:
    today = timezone.localdate()
    for code in ("kcson-zarechny", "kcson-berezovsky"):
        institution = Organisation.objects.get(code=code)
        signals = Signal.objects.filter(institution=institution, registered_by_subject__gt="")
        assert signals.filter(status=Signal.Status.RECEIVED, repeat_of__isnull=True, precinct__isnull=False).exists()
        assert signals.filter(status=Signal.Status.RECEIVED, precinct__isnull=True).exists(), code
        assert signals.filter(repeat_of__isnull=False).exists()
        assert signals.filter(status=Signal.Status.CHECKING, assigned_officer__isnull=False).exists()
        confirmed = signals.filter(status=Signal.Status.CONFIRMED)
        assert confirmed.exclude(applications__isnull=False).exists()  # awaiting the application
        assert InspectionAct.objects.filter(signal__in=confirmed).count() == confirmed.count()
        cases = Case.objects.filter(institution=institution, application__isnull=False)
        assert cases.filter(status=Case.Status.REGISTERED, measures__isnull=True).exists()
        assert cases.filter(status=Case.Status.PROGRAMME_APPROVED).exists()
        assert cases.filter(status=Case.Status.IN_PROGRESS).exists()
        assert cases.exclude(status=Case.Status.CLOSED).filter(review_due_on__lte=today).exists()
        assert cases.exclude(status=Case.Status.CLOSED).filter(
            ends_on__gt=today, ends_on__lte=today + dt.timedelta(days=30)).exists()
        assert cases.filter(status=Case.Status.EXTENDED, decisions__subject="extension").exists()
        assert cases.filter(status=Case.Status.CLOSED).exclude(results="").exists()
        numbers = list(Application.objects.filter(institution=institution).values_list("journal_number", flat=True))
        assert len(numbers) == len(set(numbers)) >= 7 and all(n.startswith(f"З-{today.year}-") or
                                                               n.startswith(f"З-{today.year - 1}-") for n in numbers)


def _records_are_coherent() -> None:
    for signal in Signal.objects.filter(registered_by_subject__gt=""):
        text = signal.summary.lower()
        assert any(word in text for word in SOURCE_WORDS[signal.source]), (signal.source, signal.summary)
    # The bulk of the region: each signal tells what its source reports, with the needs the check found.
    for source, summary, needs in Signal.objects.filter(registered_by_subject="").values_list(
            "source", "summary", "need_circumstances"):
        assert (summary, needs) in names.SIGNAL_STORIES[source], (source, summary)
    for case in Case.objects.prefetch_related("measures"):
        groups = {NEED_GROUP_OF[need] for need in case.need_circumstances}
        allowed = set().union(*(KINDS_FOR_GROUP[group] for group in groups))
        for measure in case.measures.all():
            assert measure.kind in allowed, (case.need_circumstances, measure.task, measure.kind)
    # Partners with demo logins have measures of these families to work on.
    for code in ("school-7", "police-zarechny", "clinic-2", "ngo-dobrye-ruki"):  # the partners' demo logins
        assert Measure.objects.filter(organisation__code=code, case__application__isnull=False).exists(), code


def _loading_twice_adds_nothing() -> None:
    before = (Signal.objects.count(), Case.objects.count(), Measure.objects.count())
    demo_intake.load_demo(verbose=False)
    assert (Signal.objects.count(), Case.objects.count(), Measure.objects.count()) == before
