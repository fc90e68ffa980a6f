"""End to end in headless Chromium: partner A signs in, sees only its measures and marks one fulfilled;
the coordinator sees it fulfilled with the result; partner B neither sees nor changes it, in the UI or by
posting GraphQL directly.

Sign-in: the real /accounts/login/ OIDC flow when identity.web provides it; until then a Django session made
by the test client (same database and secret as the server) is handed to the browser as its cookie.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from graph.testing import HttpGateway, World, build_world, make_user
from portal.cases.models import Measure

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_world(transactional_db: None) -> World:
    return build_world()


@pytest.fixture
def gateway(portal_server: Any, monkeypatch: pytest.MonkeyPatch) -> HttpGateway:
    return HttpGateway(portal_server.url, monkeypatch)


def signed_in_context(browser: Any, server_url: str, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ru-RU")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": server_url}])
    return context


def test_partner_workspace_end_to_end(live_world, gateway, portal_server, browser) -> None:
    world = live_world
    school_user = make_user("school.e2e", role="partner", organisation=world.school)
    police_user = make_user("police.e2e", role="partner", organisation=world.police)
    coordinator_user = make_user("petrova.e2e", role="coordinator", organisation=world.zarechny)
    url = portal_server.url
    target = world.m_school

    # Partner A: only its measures, in Russian.
    school = signed_in_context(browser, url, school_user).new_page()
    school.goto(f"{url}/workspace/")
    assert school.locator("h1").inner_text() == "Мои мероприятия"
    shown = set(school.locator("tr.measure-row").evaluate_all("rows => rows.map(r => r.dataset.measureId)"))
    assert shown == {str(world.m_school.pk), str(world.m_school_other.pk)}
    # Detail, then accept and fulfil with a result.
    school.locator(f'tr[data-measure-id="{target.pk}"] a').click()
    school.get_by_role("button", name="Принять к исполнению").click()
    assert "принято" in school.locator("dd.measure-status").inner_text().lower()
    school.locator("form.fulfil-form textarea[name=result]").fill("Проведено 4 занятия с педагогом-психологом")
    school.get_by_role("button", name="Отметить исполненным").click()
    school.wait_for_selector("text=Мероприятие отмечено исполненным.")
    assert "исполнено" in school.locator("dd.measure-status").inner_text().lower()
    stored = Measure.objects.get(pk=target.pk)
    assert (stored.status, stored.result) == ("fulfilled", "Проведено 4 занятия с педагогом-психологом")

    # The coordinator sees it fulfilled with the result.
    coordinator = signed_in_context(browser, url, coordinator_user).new_page()
    coordinator.goto(f"{url}/workspace/measures/{target.pk}/")
    assert "исполнено" in coordinator.locator("dd.measure-status").inner_text().lower()
    assert "Проведено 4 занятия" in coordinator.locator("dd.measure-result").inner_text()

    # Partner B neither sees it in the list nor opens it, nor changes it by posting GraphQL directly.
    police = signed_in_context(browser, url, police_user).new_page()
    police.goto(f"{url}/workspace/")
    assert police.locator(f'tr[data-measure-id="{target.pk}"]').count() == 0
    response = police.goto(f"{url}/workspace/measures/{target.pk}/")
    assert response is not None and response.status == 404
    assert "Проведено" not in police.content()
    token = gateway.token_for(world.partner(world.police))
    answer = police.request.post(f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}, data={
        "query": "mutation($id: ID!, $v: Int!) { reportMeasureNotFulfilled(id: $id, version: $v, reason: \"x\") "
                 "{ id status } }",
        "variables": {"id": str(target.pk), "v": stored.version}})
    body = answer.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "not_found"
    read = police.request.post(f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}, data={
        "query": "query($id: ID!) { measure(id: $id) { result } }", "variables": {"id": str(target.pk)}}).json()
    assert read["data"] is None and "Проведено" not in str(read)
    assert Measure.objects.get(pk=target.pk).status == "fulfilled"
