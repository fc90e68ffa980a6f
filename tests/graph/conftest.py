"""Fixtures of the gateway tests: a small world of two institutions, four partners and their cases,
and helpers to run the schema in-process with a given Viewer or over HTTP with a bearer token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.utils import timezone

from graph.context import GraphContext
from identity.viewer import Role, Viewer
from portal.cases import services
from portal.cases.models import Case, Measure
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


@pytest.fixture
def gql() -> Callable[..., GraphResult]:
    return execute


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


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


@pytest.fixture
def world(db: None) -> World:
    return build_world()
