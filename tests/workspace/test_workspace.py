"""The partner workspace pages (portal.workspace: server-rendered over the domain selectors and services)."""

from __future__ import annotations

from django.conf import settings

from portal.audit.models import AuditEvent
from portal.cases.models import Measure


def test_anonymous_is_sent_to_sign_in(world, client, make_user):
    response = client.get("/workspace/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_list_shows_only_own_measures_with_overdue_highlighted(world, client, make_user):
    Measure.objects.filter(pk=world.m_school_other.pk).update(deadline="2020-01-01")
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    html = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Мои мероприятия" in html
    assert f'data-measure-id="{world.m_school.pk}"' in html
    assert f'data-measure-id="{world.m_school_other.pk}"' in html
    assert f'data-measure-id="{world.m_police.pk}"' not in html and f'data-measure-id="{world.m_clinic.pk}"' not in html
    assert html.count("measure-row overdue") == 1
    overdue_only = client.get("/workspace/?overdue=1").content.decode()
    assert f'data-measure-id="{world.m_school_other.pk}"' in overdue_only
    assert f'data-measure-id="{world.m_school.pk}"' not in overdue_only


def test_english_works(world, client, make_user):
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/workspace/").content.decode()
    assert "My measures" in html and "Мои мероприятия" not in html


def test_other_organisations_measure_is_not_found(world, client, make_user):
    client.force_login(make_user("police.staff", role="partner", organisation=world.police))
    assert client.get(f"/workspace/measures/{world.m_school.pk}/").status_code == 404
    response = client.post(f"/workspace/measures/{world.m_school.pk}/fulfil/",
                           {"version": world.m_school.version, "result": "взлом"})
    assert response.status_code == 404
    assert Measure.objects.get(pk=world.m_school.pk).status == "assigned"


def test_accept_fulfil_and_conflict_through_the_pages(world, client, make_user):
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    measure = Measure.objects.get(pk=world.m_school.pk)
    detail = client.get(f"/workspace/measures/{measure.pk}/").content.decode()
    assert measure.task in detail and "Принять" in detail
    response = client.post(f"/workspace/measures/{measure.pk}/accept/", {"version": measure.version})
    assert response.status_code == 302
    accepted = Measure.objects.get(pk=measure.pk)
    assert accepted.status == "accepted"
    # A stale form (the old version) is a conflict shown with the current state.
    stale = client.post(f"/workspace/measures/{measure.pk}/fulfil/", {"version": measure.version,
                                                                       "result": "Проведено"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert 'data-testid="conflict"' in page and "принято" in page.lower()
    assert Measure.objects.get(pk=measure.pk).status == "accepted"
    done = client.post(f"/workspace/measures/{measure.pk}/fulfil/", {"version": accepted.version,
                                                                      "result": "Проведено 4 занятия",
                                                                      "done_on": ""})
    assert done.status_code == 302
    fulfilled = Measure.objects.get(pk=measure.pk)
    assert (fulfilled.status, fulfilled.result) == ("fulfilled", "Проведено 4 занятия")
    assert AuditEvent.objects.filter(object_id=str(measure.pk), verb__icontains="fulfil").exists() or \
        AuditEvent.objects.filter(object_id=str(measure.pk)).count() >= 3


def test_bad_input_is_a_clear_error_not_a_500(world, client, make_user):
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    pk = world.m_school.pk
    assert client.post(f"/workspace/measures/{pk}/fulfil/", {"version": "x", "result": "r"}).status_code == 400
    empty = client.post(f"/workspace/measures/{pk}/not-fulfilled/", {"version": world.m_school.version,
                                                                      "reason": ""})
    assert empty.status_code == 400 and 'role="alert"' in empty.content.decode()
    assert client.post(f"/workspace/measures/{pk}/explode/", {}).status_code == 400
    assert Measure.objects.get(pk=pk).status == "assigned"


# --- Russian history, localized dates ----------------------------------------------------------------------------

def test_history_and_dates_are_shown_for_people_in_russian(world, client, make_user):
    import re

    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    measure = Measure.objects.get(pk=world.m_school.pk)
    client.post(f"/workspace/measures/{measure.pk}/accept/", {"version": measure.version})
    client.post(f"/workspace/measures/{measure.pk}/accept/", {"version": measure.version})  # stale: refused
    page = client.get(f"/workspace/measures/{measure.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    history = page[page.index('class="measure-history"'):]
    assert "Статус: назначено → принято" in history
    assert "отказано: его уже изменил кто-то другой" in history
    assert "assigned" not in history and "conflict" not in history.replace('data-code="conflict"', "")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", history.replace('data-field="', ""))  # no ISO dates or times
    assert re.search(r"<time>\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}</time>", history)
    assert f'<dd class="measure-deadline">{measure.deadline:%d.%m.%Y}</dd>' in page
    listing = client.get("/workspace/").content.decode()
    assert f"{measure.deadline:%d.%m.%Y}" in listing and measure.deadline.isoformat() not in listing


def test_history_in_english(world, client, make_user):
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    measure = Measure.objects.get(pk=world.m_school.pk)
    client.post(f"/workspace/measures/{measure.pk}/accept/", {"version": measure.version})
    page = client.get(f"/workspace/measures/{measure.pk}/").content.decode()
    assert "Status: assigned → accepted" in page
    assert f"{measure.deadline:%m/%d/%Y}" in page


# --- Statuses of the pages: 400 bad input, 403 not allowed, 404 not found, 500 internal error ---------------------

def test_bad_cursor_is_a_400_with_the_message(world, client, make_user):
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    response = client.get("/workspace/?after=not-a-cursor", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-code="bad_user_input"' in page and "Недопустимый курсор страницы." in page


def test_not_allowed_is_a_403_and_an_internal_error_a_500(world, client, make_user, monkeypatch):
    client.force_login(make_user("editor.staff", role="editor"))
    refused = client.get("/workspace/")
    assert refused.status_code == 403 and 'data-code="forbidden"' in refused.content.decode()
    from portal.cases import selectors

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("password=secret")

    monkeypatch.setattr(selectors, "filter_measures", broken)
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    failed = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE="ru")
    assert failed.status_code == 500
    assert 'data-code="internal_error"' in failed.content.decode() and "secret" not in failed.content.decode()


def test_staff_who_may_not_report_get_no_report_forms(world, client, make_user):
    client.force_login(make_user("petrova.staff", role="coordinator", organisation=world.zarechny))
    page = client.get(f"/workspace/measures/{world.m_school.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.m_school.task in html
    assert "fulfil-form" not in html and "not-fulfilled-form" not in html and "name=\"accept\"" not in html
    refused = client.post(f"/workspace/measures/{world.m_school.pk}/fulfil/",
                          {"version": world.m_school.version, "result": "Проведено"})
    assert refused.status_code == 403
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    assert "fulfil-form" in client.get(f"/workspace/measures/{world.m_school.pk}/").content.decode()


# --- The session's token, verified like a bearer token of /graphql -------------------------------------------------

def _token_session(client, user, token: str) -> None:
    import time

    from identity.web import SESSION_TOKENS

    client.force_login(user)
    session = client.session
    session[SESSION_TOKENS] = {"access_token": token, "refresh_token": "", "id_token": "",
                               "expires_at": time.time() + 600, "refresh_expires_at": 0}
    session.save()


def test_the_session_token_decides_who_acts(world, client, make_user):
    from identity.testing import issue_token

    # The Django user has no role at all: the partner comes from the verified token.
    _token_session(client, make_user("partner.school", role="nobody"), issue_token(username="partner.school"))
    html = client.get("/workspace/").content.decode()
    assert f'data-measure-id="{world.m_school.pk}"' in html and f'data-measure-id="{world.m_clinic.pk}"' not in html


def test_a_refused_or_expired_session_token_is_refused_as_on_graphql(world, client, make_user):
    from graph.context import TokenError, viewer_from_token
    from identity.testing import issue_token

    for token, reason in ((issue_token(username="partner.school", expires_in=-600), "expired"),
                          ("not.a-token.at-all", "malformed")):
        _token_session(client, make_user(f"user-{reason}", role="partner", organisation=world.school), token)
        try:
            viewer_from_token(token)
        except TokenError as refused:
            expected = str(refused.message)
        response = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 401
        html = response.content.decode()
        assert expected in html and f'data-reason="{reason}"' in html
        action = client.post(f"/workspace/measures/{world.m_school.pk}/accept/", {"version": world.m_school.version})
        assert action.status_code == 401
    assert Measure.objects.get(pk=world.m_school.pk).status == "assigned"
