from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.db.models import Count

from portal.cases.models import Case, Measure
from portal.demo.generate import generate
from portal.demo.region import DEMO_USERS, INSTITUTIONS, PARTNERS
from portal.partners.models import Organisation
from portal.territory.models import Officer, Precinct, Street
from portal.territory.selectors import find_officer


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run([sys.executable, "-c", "import portal.settings"], env={**clean, **env},
                          capture_output=True, text=True)


def test_production_refuses_default_or_missing_secret() -> None:
    missing = _settings_import({"DEBUG": "0"})
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr
    default = _settings_import({"DEBUG": "0", "SECRET_KEY": "dev-insecure-secret-key-do-not-use-in-production"})
    assert default.returncode != 0 and "SECRET_KEY" in default.stderr
    assert _settings_import({"DEBUG": "0", "SECRET_KEY": "a-real-secret-of-some-length"}).returncode == 0
    assert _settings_import({"DEBUG": "1"}).returncode == 0


@pytest.mark.django_db
def test_demo_seed_is_deterministic_and_idempotent() -> None:
    first = generate(scale="demo", seed=7)
    assert first["cases"] > 50 and first["measures"] > 200
    snapshot = (Case.objects.count(), Measure.objects.count(), Street.objects.count(), Officer.objects.count())
    assert generate(scale="demo", seed=7) == {}
    assert (Case.objects.count(), Measure.objects.count(), Street.objects.count(), Officer.objects.count()) == snapshot
    # The fixed core the realm file's demo users refer to exists.
    codes = set(Organisation.objects.values_list("code", flat=True))
    assert {spec["code"] for spec in [*INSTITUTIONS, *PARTNERS]} <= codes
    groups = {group for user in DEMO_USERS for group in user["groups"]}
    assert {g.split("/")[2] for g in groups} <= codes
    assert Precinct.objects.filter(officer__username="officer.ivanova").count() == 2
    # Every demo partner organisation has measures to work on, some of them open.
    for code in ("school-7", "police-zarechny", "clinic-2", "ngo-dobrye-ruki"):
        statuses = dict(Measure.objects.filter(organisation__code=code).values_list("status")
                        .annotate(n=Count("id")))
        assert sum(statuses.values()) >= 5, code
        assert statuses.get("assigned", 0) + statuses.get("accepted", 0) >= 1, code
    # Every generated household address resolves to its own precinct through the officer finder.
    for case in Case.objects.select_related("household").order_by("pk")[:40]:
        match = find_officer(case.household.address)
        assert match.status == "found", case.household.address
        assert match.precinct is not None and match.precinct.id == case.household.precinct_id, case.household.address


class _Rollback(Exception):
    pass


def _region_snapshot() -> list[tuple[object, ...]]:
    # Case numbers carry the row id, and PostgreSQL sequences do not roll back: compare content.
    cases = Case.objects.values_list("status", "household__address", "registered_on", "ends_on")
    measures = Measure.objects.values_list("case__household__address", "task", "kind", "deadline", "status",
                                           "organisation__code")
    streets = Street.objects.values_list("settlement", "kind", "name")
    return sorted([*cases, *measures, *streets], key=repr)


@pytest.mark.django_db
def test_demo_region_is_the_same_for_the_same_seed_and_day() -> None:
    day = dt.date(2026, 3, 2)
    snapshots = []
    for seed in (7, 7, 8):
        try:
            with transaction.atomic():
                generate(scale="demo", seed=seed, today=day)
                snapshots.append(_region_snapshot())
                raise _Rollback
        except _Rollback:
            pass
    assert Case.objects.count() == 0
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] != snapshots[2]  # the snapshot is sensitive to what the seed decides
