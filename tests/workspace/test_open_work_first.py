"""«Мои мероприятия» lists open work first: a fulfilled measure with an earlier deadline comes after an open one."""

from __future__ import annotations

import re

from portal.cases import services
from portal.testing import factories


def test_open_measures_come_first(world, client, make_user):
    done = world.m_school_other  # due in 10 days: earlier than world.m_school (30 days)
    partner = factories.partner(world.school)
    services.accept_measure(viewer=partner, measure_id=done.pk, version=done.version)
    done.refresh_from_db()
    services.fulfil_measure(viewer=partner, measure_id=done.pk, version=done.version, result="Проведено")
    client.force_login(make_user("school.staff", role="partner", organisation=world.school))
    html = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    order = [int(pk) for pk in re.findall(r'data-measure-id="(\d+)"', html)]
    assert order.index(world.m_school.pk) < order.index(done.pk)
