"""Authorisation matrix of the case workspace's screens (issue 14): every screen × every role — operator, officer of
the precinct, coordinator, supervisor, partner, and a coordinator of another institution. 200 where the role works
or reads, "not found" everywhere else; lists answer 200 but show only the role's own rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from portal.cases import services
from portal.cases.models import InspectionAct, Signal
from portal.core.viewer import Viewer
from portal.testing import factories as f
from tests.casework.test_case_workspace import _client

pytestmark = pytest.mark.django_db

ROLES = ("operator", "officer", "coordinator", "supervisor", "partner", "other_coordinator")
READERS = {"officer", "coordinator", "supervisor"}
#: screen → roles answered 200 (everyone else: 404)
ALLOWED: dict[str, set[str]] = {
    "dashboard": set(ROLES) - {"partner"},
    "cases": set(ROLES) - {"partner"},
    "persons": set(ROLES) - {"partner"},
    "signals": set(ROLES) - {"partner"},
    "case": READERS,
    "programme_pdf": READERS,
    "person": READERS,
    "act_pdf": READERS,
    "review_form": READERS,
    "cancel_form": READERS,
    "transfer_form": READERS,
    # A proposed transfer: its sender's people and the receiving coordinator open it (the service decides who
    # may accept); nobody else even finds it.
    "transfer_accept": {"officer", "coordinator", "other_coordinator"},
}
#: list screen → roles that see the world's row in it
LISTED: dict[str, set[str]] = {"cases": READERS, "persons": READERS, "signals": READERS}


def test_every_case_screen_for_every_role() -> None:
    school = f.organisation(kind="school", code="school-matrix")
    world, measure = f.approved_case_with_measure(partner_org=school)
    other = f.registered_case()
    services.update_person(viewer=world.coordinator, person_id=world.applicant.pk, last_name="Кузнецова")
    world.applicant.refresh_from_db()
    signal = services.receive_signal(viewer=Viewer.system("t"), source=Signal.Source.HOTLINE,
                                     summary="Семья Смирновых без отопления", institution_id=world.institution.pk)
    Signal.objects.filter(pk=signal.pk).update(precinct=world.precinct)
    InspectionAct.objects.create(
        signal=signal, inspected_on=timezone.localdate(), members="Смирнова О. И.", housing="Холодно",
        psychological_climate="Спокойный", income_per_person=Decimal("1"), subsistence_minimum=Decimal("2"),
        recommended_level="basic", support_form="at_home", conclusion="Нуждается")
    clients = {role: _client(role if role != "other_coordinator" else "coordinator",
                             {"operator": world.institution, "officer": world.institution,
                              "coordinator": world.institution, "supervisor": None, "partner": school,
                              "other_coordinator": other.institution}[role],
                             admin_access=role != "partner")[0] for role in ROLES}
    # The officer serves the case's precinct.
    officer_user = clients["officer"].session.get("_auth_user_id")
    precinct = world.precinct
    precinct.officer = f.officer(username="officer.matrix", institution=world.institution)
    precinct.officer.user_id = int(officer_user)
    precinct.officer.save()
    precinct.save()

    transfer = services.propose_transfer(viewer=world.coordinator, case_id=world.case.pk,
                                         to_institution_id=other.institution.pk, to_precinct_id=other.precinct.pk,
                                         reason="Семья переехала", measure_plan={measure.pk: "follow"})
    urls = {
        "dashboard": "/admin/casework/",
        "cases": "/admin/casework/cases/",
        "persons": "/admin/casework/persons/",
        "signals": "/admin/casework/signals/",
        "case": f"/admin/casework/cases/{world.case.pk}/",
        "programme_pdf": f"/admin/casework/cases/{world.case.pk}/programme.pdf",
        "person": f"/admin/casework/persons/{world.applicant.pk}/",
        "act_pdf": f"/admin/casework/signals/{signal.pk}/act.pdf",
        "review_form": f"/admin/casework/do/case/{world.case.pk}/review/",
        "cancel_form": f"/admin/casework/do/measure/{measure.pk}/cancel/",
        "transfer_form": f"/admin/casework/do/case/{world.case.pk}/transfer/",
        "transfer_accept": f"/admin/casework/do/transfer/{transfer.pk}/accept/",
    }
    marks = {"cases": world.case.code, "persons": world.applicant.full_name, "signals": "без отопления"}
    answers: dict[tuple[str, str], int] = {}
    wrong: list[str] = []
    for screen, url in urls.items():
        for role, client in clients.items():
            response = client.get(url)
            answers[screen, role] = response.status_code
            expected = 200 if role in ALLOWED[screen] else 404
            if response.status_code != expected:
                wrong.append(f"{screen} × {role}: {response.status_code}, expected {expected}")
            if screen in LISTED and response.status_code == 200:
                shown = marks[screen] in response.content.decode()
                if shown != (role in LISTED[screen]):
                    wrong.append(f"{screen} × {role}: row {'shown' if shown else 'missing'}")
    assert not wrong, "\n".join(wrong)
    # The receiver sees the transfer on its dashboard; the sender cannot accept it (told why, nothing changes);
    # the receiver accepts and the case card is now its own.
    assert "Семья переехала" in clients["other_coordinator"].get(urls["dashboard"]).content.decode()
    refused = clients["coordinator"].post(urls["transfer_accept"], {})
    assert refused.status_code == 200 and "принимающего учреждения" in refused.content.decode()
    accepted = clients["other_coordinator"].post(urls["transfer_accept"], {})
    assert accepted.status_code == 302 and accepted["Location"] == urls["case"]
    assert clients["other_coordinator"].get(urls["case"]).status_code == 200
    assert clients["coordinator"].get(urls["case"]).status_code == 404
