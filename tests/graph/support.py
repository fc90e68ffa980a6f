"""Test helpers of the gateway (used by tests/graph, the partner workspace's tests and a few others): a small
world of two institutions, four partners and their cases; the schema run in-process for a Viewer; the
running portal's /graphql over HTTP with bearer tokens; Django users as the session sign-in leaves them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from graph.context import GraphContext
from portal.cases import services
from portal.cases.models import Case, Measure
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.territory.models import Officer, Precinct
from portal.testing import factories


@dataclass
class GraphResult:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [str((error.get("extensions") or {}).get("code")) for error in self.errors]

    @property
    def code(self) -> str:
        return self.codes[0] if self.errors else "ok"


def execute(viewer: Viewer, query: str, variables: dict[str, Any] | None = None, *,
            language: str = "ru") -> GraphResult:
    """Run the production schema in-process (in this thread, so inside the test transaction)."""
    from graph.schema import schema

    context = GraphContext.for_viewer(viewer, language=language)
    result = async_to_sync(schema.execute)(query, variable_values=variables, context_value=context)
    errors = [error.formatted for error in result.errors or []]
    return GraphResult(data=result.data, errors=errors)




def viewer_for(org: Organisation, name: str = "Сотрудник") -> Viewer:
    return factories.partner(org, name)


@dataclass
class World:
    """Codes follow portal/demo/region.py so that demo users' tokens map onto it."""

    zarechny: Organisation
    berezovsky: Organisation
    school: Organisation
    police: Organisation
    clinic: Organisation
    ngo: Organisation
    precinct_own: Precinct
    precinct_other: Precinct
    officer: Officer
    case_own: Case
    case_other: Case
    m_school: Measure
    m_police: Measure
    m_clinic: Measure
    m_school_other: Measure

    @property
    def petrova(self) -> Viewer:
        return Viewer(subject="petrova", username="coordinator.petrova", display_name="Петрова Татьяна",
                      roles=frozenset({Role.COORDINATOR}), institution_id=self.zarechny.pk,
                      institution_code=self.zarechny.code)

    @property
    def orlov(self) -> Viewer:
        return Viewer(subject="orlov", username="coordinator.orlov", display_name="Орлов Игорь",
                      roles=frozenset({Role.COORDINATOR}), institution_id=self.berezovsky.pk,
                      institution_code=self.berezovsky.code)

    @property
    def ivanova(self) -> Viewer:
        return Viewer(subject="ivanova", username="officer.ivanova", display_name="Иванова Марина",
                      roles=frozenset({Role.OFFICER}), institution_id=self.zarechny.pk,
                      institution_code=self.zarechny.code, precinct_ids=frozenset({self.precinct_own.pk}))

    def partner(self, org: Organisation, name: str = "Сотрудник") -> Viewer:
        return Viewer(subject=f"{org.code}-{name}", username=f"partner.{org.code}", display_name=name,
                      roles=frozenset({Role.PARTNER}), organisation_id=org.pk, organisation_code=org.code)


def build_world() -> World:
    leninsky = factories.district(code="zarechny-leninsky", name="Ленинский район г. Заречный")
    berezovsky_district = factories.district(code="berezovsky", name="Берёзовский муниципальный округ",
                                             kind="rural")
    zarechny = factories.organisation(kind="social_service", code="kcson-zarechny", name="КЦСОН г. Заречный",
                                      district_obj=leninsky)
    berezovsky = factories.organisation(kind="social_service", code="kcson-berezovsky",
                                        name="КЦСОН Берёзовского округа", district_obj=berezovsky_district)
    school = factories.organisation(kind="school", code="school-7", name="СОШ № 7", district_obj=leninsky,
                                    help_kinds=["pedagogical"])
    police = factories.organisation(kind="police", code="police-zarechny", name="ОМВД по г. Заречному",
                                    district_obj=leninsky, help_kinds=["legal"])
    clinic = factories.organisation(kind="healthcare", code="clinic-2", name="Поликлиника № 2",
                                    district_obj=leninsky, help_kinds=["medical"])
    ngo = factories.organisation(kind="ngo", code="ngo-dobrye-ruki", name="Фонд «Добрые руки»",
                                 district_obj=leninsky, help_kinds=["material"])
    officer = factories.officer(username="officer.ivanova", institution=zarechny, full_name="Иванова Марина Сергеевна")
    other_officer = factories.officer(username="officer.sokolov", institution=berezovsky,
                                      full_name="Соколов Андрей Петрович")
    precinct_own = factories.precinct(district_obj=leninsky, number=1, officer=officer)
    precinct_other = factories.precinct(district_obj=berezovsky_district, number=1, officer=other_officer)
    own = factories.registered_case(institution=zarechny, precinct_obj=precinct_own)
    own, m_school = factories.approved_case_with_measure(partner_org=school, world=own)
    m_police = services.assign_measure(viewer=own.coordinator, case_id=own.case.pk, task="Профилактическая беседа",
                                       kind="legal", deadline=timezone.localdate() + dt.timedelta(days=20),
                                       organisation_id=police.pk)
    other = factories.registered_case(institution=berezovsky, precinct_obj=precinct_other)
    other, m_clinic = factories.approved_case_with_measure(partner_org=clinic, world=other)
    m_school_other = services.assign_measure(viewer=other.coordinator, case_id=other.case.pk,
                                             task="Психолого-педагогическое сопровождение", kind="pedagogical",
                                             deadline=timezone.localdate() + dt.timedelta(days=10),
                                             organisation_id=school.pk)
    return World(zarechny=zarechny, berezovsky=berezovsky, school=school, police=police, clinic=clinic, ngo=ngo,
                 precinct_own=precinct_own, precinct_other=precinct_other, officer=officer,
                 case_own=own.case, case_other=other.case, m_school=m_school, m_police=m_police,
                 m_clinic=m_clinic, m_school_other=m_school_other)



def make_user(username: str, *, role: str, organisation: Organisation | None = None, password: str = "demo") -> Any:
    """A Django user with a realm-role group and a staff profile (what the session sign-in leaves behind)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.accounts.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=password)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user, organisation=organisation, subject=f"test:{username}")
    return user



# --- Over HTTP: the real ASGI app served by uvicorn, bearer tokens -----------------------------------

class HttpGateway:
    """Posts GraphQL to the running portal's /graphql with a bearer token for a Viewer.

    Tokens: `identity.testing.issue_token` when the identity package provides it and `real_tokens` is
    asked for; otherwise opaque test tokens mapped to Viewers by replacing `graph.app.viewer_from_token`
    (the production path calls `identity.keycloak.verify_access_token`)."""

    def __init__(self, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        import graph.app
        from graph.context import TokenError

        self.url = url.rstrip("/") + "/graphql"
        self._viewers: dict[str, Viewer] = {}

        real_verify = graph.app.viewer_from_token

        def fake_verify(token: str | None) -> Viewer:
            if not token:  # no header, or a malformed one: the production path
                return real_verify(token)
            viewer = self._viewers.get(token)
            if viewer is None:
                raise TokenError("invalid_token", "The access token is not valid.")
            return viewer

        monkeypatch.setattr(graph.app, "viewer_from_token", fake_verify)

    def token_for(self, viewer: Viewer) -> str:
        token = f"test-token-{len(self._viewers)}"
        self._viewers[token] = viewer
        return token

    def post(self, viewer: Viewer | None, query: str, variables: dict[str, Any] | None = None, *,
             token: str | None = None, language: str = "ru") -> tuple[int, GraphResult]:
        import httpx

        headers = {"Accept-Language": language}
        if token is None and viewer is not None and not viewer.is_anonymous:
            token = self.token_for(viewer)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = httpx.post(self.url, json={"query": query, "variables": variables or {}}, headers=headers,
                              timeout=30)
        body = response.json()
        return response.status_code, GraphResult(data=body.get("data"), errors=body.get("errors") or [])
