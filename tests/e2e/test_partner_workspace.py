"""End to end in headless Chromium: partner A signs in, sees only its measures and marks one fulfilled;
the coordinator sees it fulfilled with the result (and no forms to report on it); partner B neither sees nor
changes it, in the UI or by posting GraphQL directly.

Everyone signs in through the browser: /workspace/ → /accounts/login/ → the development realm's login page
(username and password of the realm file's demo users) → back to the workspace, whose pages then act with the
session's access token, verified like a bearer token of /graphql.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portal.cases.models import Measure
from tests.graph.support import World, build_world

pytest.importorskip("identity.keycloak")

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_world(transactional_db: None) -> World:
    """The world's organisations carry the codes of the realm's groups (school-7, police-zarechny,
    kcson-zarechny), so the demo users' tokens map onto them."""
    return build_world()


@pytest.fixture
def realm_site(live_world: World, portal_server: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    """The running portal with its development realm as the identity provider (as tests/e2e/test_sign_in.py)."""
    from identity import web
    from identity.testing import realm_file_for

    settings.KEYCLOAK_URL = ""
    settings.IDENTITY_DEVREALM_URL = ""  # server-side calls go to the request's own base URL
    settings.DEVREALM_ISSUER = f"{portal_server.url}/realms/portal"
    settings.KEYCLOAK_REALM_FILE = realm_file_for(tmp_path, portal_server.url)
    web.reset_clients()
    yield portal_server
    web.reset_clients()


def signed_in_page(browser: Any, site: Any, username: str) -> Any:
    """A fresh browser context signed in as a demo user through the realm's login form, on /workspace/."""
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    page.goto(f"{site.url}/workspace/")
    page.wait_for_selector("input[name=password]")
    assert "/realms/portal/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{site.url}/workspace/")
    return page


def test_partner_workspace_end_to_end(live_world, realm_site, browser) -> None:
    from identity.testing import issue_token

    world = live_world
    url = realm_site.url
    target = world.m_school

    # Partner A (the school) signs in through the realm and sees only its measures, in Russian.
    school = signed_in_page(browser, realm_site, "partner.school")
    assert school.locator("h1").inner_text() == "Мои мероприятия"
    assert "СОШ № 7" in school.locator(".workspace-org").inner_text()
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
    # The history speaks Russian: status labels, not raw values.
    history = school.locator("ol.measure-history").inner_text()
    assert "назначено → принято" in history.lower() and "accepted" not in history
    stored = Measure.objects.get(pk=target.pk)
    assert (stored.status, stored.result) == ("fulfilled", "Проведено 4 занятия с педагогом-психологом")

    # The coordinator sees it fulfilled with the result, and is offered no forms to report on it.
    coordinator = signed_in_page(browser, realm_site, "coordinator.petrova")
    coordinator.goto(f"{url}/workspace/measures/{target.pk}/")
    assert "исполнено" in coordinator.locator("dd.measure-status").inner_text().lower()
    assert "Проведено 4 занятия" in coordinator.locator("dd.measure-result").inner_text()
    open_measure = world.m_police
    coordinator.goto(f"{url}/workspace/measures/{open_measure.pk}/")
    assert coordinator.locator("form.fulfil-form").count() == 0
    assert coordinator.locator("form.not-fulfilled-form").count() == 0

    # Partner B (the police) neither sees it in the list nor opens it …
    police = signed_in_page(browser, realm_site, "partner.police")
    assert police.locator(f'tr[data-measure-id="{target.pk}"]').count() == 0
    assert police.locator(f'tr[data-measure-id="{open_measure.pk}"]').count() == 1
    response = police.goto(f"{url}/workspace/measures/{target.pk}/")
    assert response is not None and response.status == 404
    assert "Проведено" not in police.content()
    # … nor changes or reads it by posting GraphQL directly with its own (realm-signed) token.
    token = issue_token(username="partner.police")
    answer = police.request.post(f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}, data={
        "query": "mutation($id: ID!, $v: Int!) { reportMeasureNotFulfilled(id: $id, version: $v, "
                 "reasonCode: CANNOT_CONTACT) { id status } }",
        "variables": {"id": str(target.pk), "v": stored.version}})
    body = answer.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "not_found"
    read = police.request.post(f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}, data={
        "query": "query($id: ID!) { measure(id: $id) { result } }", "variables": {"id": str(target.pk)}}).json()
    assert read["data"] is None and "Проведено" not in str(read)
    assert Measure.objects.get(pk=target.pk).status == "fulfilled"
