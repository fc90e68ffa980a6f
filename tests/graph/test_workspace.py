"""The partner workspace pages (server-rendered, reading and writing through the gateway's schema)."""

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
