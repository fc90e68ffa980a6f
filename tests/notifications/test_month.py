"""A simulated month: time frozen day by day over a fixture with known deadlines; each day's run produces exactly
the expected messages, in order, and a second run of the same day sends nothing new."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from portal.cases import services as case_services
from portal.cases.models import Case, Consent
from portal.community.models import Benefactor, Need
from portal.consultations.models import Question, Specialist, Topic
from portal.core.models import OutboundMail
from portal.notifications.models import Channel, NeedsDigestSubscription, Notification
from portal.notifications.services import run_daily
from portal.testing import factories as f
from tests.notifications.world import DAY0, World, approve, assign, build, now_on

pytestmark = pytest.mark.django_db

D = dt.date
PARTNER = ["mail:kuznetsova@example.org", "mail:school7@example.org", "user:partner7 email", "user:partner7 in_app"]
COORDINATOR = ["user:coord email", "user:coord in_app"]
SUPERVISOR = ["user:super email", "user:super in_app"]
HEAD = ["mail:head7@example.org"]
SPECIALIST = ["mail:spec@example.org"]
BENEFACTOR = ["mail:ben@example.org"]


@contextmanager
def frozen(day: dt.date) -> Iterator[None]:
    moment = now_on(day)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _month_world() -> tuple[World, dict[str, object]]:
    world = build()
    late = assign(world, "late", deadline=D(2026, 2, 26))
    due = assign(world, "due", deadline=D(2026, 3, 12))
    done = assign(world, "done", deadline=D(2026, 3, 16))
    returned = assign(world, "returned", deadline=D(2026, 3, 25))
    approve(world)
    Case.objects.filter(pk=world.case.pk).update(review_due_on=D(2026, 3, 20), ends_on=D(2026, 4, 15))
    lapsed = f.registered_case(institution=world.institution, registered_on=D(2025, 8, 1)).case
    Case.objects.filter(pk=lapsed.pk).update(ends_on=D(2026, 2, 20))

    topic = Topic.objects.create(name="Пособия", slug="benefits")
    topic.moderators.add(world.coordinator)
    specialist = Specialist.objects.create(full_name="Петрова Татьяна", email="spec@example.org")
    question = Question.objects.create(
        author_name="Смирнова Ольга", email="", topic=topic, district=world.case.precinct.district,
        text="Как получить пособие на ребёнка?", consent_at=now_on(D(2026, 2, 25)),
        created_at=now_on(D(2026, 2, 25)), due_on=D(2026, 3, 27), specialist=specialist,
        status=Question.Status.ASSIGNED)

    benefactor = Benefactor.objects.create(
        kind=Benefactor.Kind.INDIVIDUAL, name="Благотворитель", email="ben@example.org", help_kinds=["material"],
        district=world.case.precinct.district, consent_processing_at=now_on(D(2026, 2, 1)),
        status=Benefactor.Status.APPROVED)
    subscription = NeedsDigestSubscription.objects.create(benefactor=benefactor)
    NeedsDigestSubscription.objects.filter(pk=subscription.pk).update(created_at=now_on(D(2026, 3, 1)))
    consent = Consent.objects.create(person=world.case.applicant, purpose=Consent.Purpose.PUBLICATION,
                                     given_on=D(2026, 3, 1))
    return world, {"late": late, "due": due, "done": done, "returned": returned, "lapsed": lapsed,
                   "question": question, "consent": consent}


def _publish_needs(world: World, consent: Consent) -> None:
    for kind in ("material", "legal"):  # only the first matches the benefactor's kinds of help
        Need.objects.create(case=world.case, category="low_income", district=world.case.precinct.district,
                            help_kind=kind, urgency="soon", consent=consent, created_by="coord")


def _told(day: dt.date) -> list[tuple[str, str, list[str]]]:
    """The day's messages, in order: (kind, object, recipients and channels)."""
    names = {f"user:{pk}": name for pk, name in User.objects.values_list("pk", "username")}
    grouped: dict[str, tuple[str, str, list[str]]] = {}
    for row in Notification.objects.filter(day=day).exclude(channel=Channel.NONE).order_by("pk"):
        who = row.recipient if row.recipient.startswith("mail:") else f"user:{names[row.recipient]} {row.channel}"
        grouped.setdefault(row.key, (row.kind, row.object_id, []))[2].append(who)
    return [(kind, obj, sorted(recipients)) for kind, obj, recipients in grouped.values()]


def test_a_month_of_reminders_and_escalations_day_by_day(settings: object) -> None:
    world, things = _month_world()
    late, due = (str(things[name].pk) for name in ("late", "due"))  # type: ignore[attr-defined]
    question = str(things["question"].pk)  # type: ignore[attr-defined]
    expected: dict[dt.date, list[tuple[str, str, list[str]]]] = {
        D(2026, 3, 2): [("measure_overdue", late, PARTNER), ("coordinator_digest", "", COORDINATOR)],
        D(2026, 3, 5): [("needs_digest", str(Benefactor.objects.get().pk), BENEFACTOR)],
        D(2026, 3, 6): [("measure_due_soon", due, PARTNER)],  # 3 working days: 9 March is a day off
        D(2026, 3, 10): [("measure_escalated", late, HEAD), ("measure_escalated", late, COORDINATOR)],
        D(2026, 3, 13): [("measure_overdue", due, PARTNER), ("coordinator_digest", "", COORDINATOR)],
        D(2026, 3, 16): [("coordinator_digest", "", COORDINATOR)],
        D(2026, 3, 17): [("question_reminder", question, SPECIALIST)],
        D(2026, 3, 18): [("coordinator_digest", "", COORDINATOR)],
        D(2026, 3, 19): [("overdue_digest", "", SUPERVISOR)],
        D(2026, 3, 23): [("measure_escalated", due, HEAD), ("measure_escalated", due, COORDINATOR)],
        D(2026, 3, 24): [("question_reminder", question, SPECIALIST)],
        D(2026, 3, 28): [("question_overdue", question, COORDINATOR)],
    }
    mail.outbox.clear()
    for offset in range(30):
        day = DAY0 + dt.timedelta(days=offset)
        with frozen(day):
            if day == D(2026, 3, 5):
                _publish_needs(world, things["consent"])  # type: ignore[arg-type]
            if day == D(2026, 3, 11):  # fulfilled before the run that would have said «due soon»
                case_services.fulfil_measure(viewer=world.partner_viewer, measure_id=int(things["done"].pk),  # type: ignore[attr-defined]
                                             version=things["done"].version, result="Проведена")  # type: ignore[attr-defined]
            if day == D(2026, 3, 18):
                measure = things["returned"]
                measure.refresh_from_db()  # type: ignore[attr-defined]
                case_services.report_measure_not_fulfilled(
                    viewer=world.partner_viewer, measure_id=measure.pk, version=measure.version,  # type: ignore[attr-defined]
                    reason_code="recipient_refused", reason="Семья отказалась")
            first = run_daily(day)
            assert _told(day) == expected.get(day, []), day
            queued = OutboundMail.objects.count()
            again = run_daily(day)
            assert again.total == 0, day
            assert OutboundMail.objects.count() == queued
        assert first.total == sum(len(recipients) for _k, _o, recipients in expected.get(day, []))

    digests = {row.day: row.params for row in Notification.objects.filter(kind="coordinator_digest",
                                                                          channel=Channel.EMAIL)}
    lapsed_code = things["lapsed"].code  # type: ignore[attr-defined]
    assert digests[D(2026, 3, 2)] == {"terms_lapsed": [{"case": lapsed_code, "date": "2026-02-20"}]}
    assert digests[D(2026, 3, 13)] == {"reviews": [{"case": world.case.code, "date": "2026-03-20"}]}
    assert digests[D(2026, 3, 16)] == {"terms_ending": [{"case": world.case.code, "date": "2026-04-15"}]}
    assert [item["case"] for item in digests[D(2026, 3, 18)]["not_fulfilled"]] == [world.case.code]
    supervisor = Notification.objects.get(kind="overdue_digest", channel=Channel.EMAIL)
    assert [item["case"] for item in supervisor.params["items"]] == [world.case.code]
    # Each e-mail row carries its queued message; nothing was queued twice.
    emails = Notification.objects.filter(channel=Channel.EMAIL)
    assert emails.filter(mail__isnull=True).count() == 0
    assert OutboundMail.objects.count() == emails.count()
    assert timezone.localdate() > DAY0  # the clock is real again
