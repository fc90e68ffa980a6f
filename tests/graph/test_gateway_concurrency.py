"""Two staff members of the responsible organisation fulfil one measure at the same moment over HTTP:
one wins, the other gets the conflict with the current state; the audit trail shows both attempts."""

from __future__ import annotations

import threading
from typing import Any

from portal.audit.models import AuditEvent
from portal.cases.models import Measure

FULFIL = """mutation($id: ID!, $v: Int!, $result: String!) {
  fulfilMeasure(id: $id, version: $v, result: $result) { id version status result } }"""


def test_simultaneous_fulfilment_one_wins_one_conflicts(live_world, gateway) -> None:
    world = live_world
    measure = Measure.objects.get(pk=world.m_school.pk)
    staff = {"A": world.partner(world.school, "Анна"), "B": world.partner(world.school, "Борис")}
    tokens = {name: gateway.token_for(viewer) for name, viewer in staff.items()}
    barrier = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def attempt(name: str) -> None:
        barrier.wait()
        answers[name] = gateway.post(None, FULFIL, {"id": str(measure.pk), "v": measure.version,
                                                    "result": f"Исполнил {name}"}, token=tokens[name])

    threads = [threading.Thread(target=attempt, args=(name,)) for name in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = {name: result.code for name, (status, result) in answers.items()}
    assert sorted(codes.values()) == ["conflict", "ok"], codes
    winner = next(name for name, code in codes.items() if code == "ok")
    loser = next(name for name, code in codes.items() if code == "conflict")
    current = answers[loser][1].errors[0]["extensions"]["current"]
    assert current["status"] == "fulfilled" and current["result"] == f"Исполнил {winner}"
    assert current["version"] == measure.version + 1
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.result, stored.version) == (f"Исполнил {winner}", measure.version + 1)

    trail = AuditEvent.objects.filter(object_type="cases.measure", object_id=str(measure.pk), verb="measure.fulfil")
    done = trail.exclude(action=AuditEvent.Action.ATTEMPT)
    refused = trail.filter(action=AuditEvent.Action.ATTEMPT)
    assert [event.actor_subject for event in done] == [staff[winner].subject]
    assert [(event.actor_subject, event.details["refused"]) for event in refused] == [(staff[loser].subject,
                                                                                       "conflict")]
