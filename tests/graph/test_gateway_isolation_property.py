"""Property (hypothesis): for random organisations (random codes and names), cases and assignments, nothing
returned under organisation A's viewer — lists, single objects, totals, error messages of reads and of refused
changes of B's measures — belongs to organisation B, and `myMeasures` equals a direct database filter.
And for random chains of staff writes (household → person → consent → registration → move), no viewer's
reads widen beyond its own territory."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from portal.cases.models import Measure, MeasureComment
from portal.testing import factories

STATUSES = ("assigned", "accepted", "fulfilled", "not_fulfilled", "cancelled")
KINDS = ("medical", "psychological", "pedagogical", "legal", "material")
WORDS = ("Консультация", "Занятие", "Помощь", "Беседа", "Обследование")
TODAY = dt.date(2026, 6, 15)

#: Organisation codes (slugs) and names (Cyrillic and Latin letters, digits, quotes, №, spaces), all distinct.
codes_st = st.lists(st.from_regex(r"[a-z][a-z0-9-]{7,30}", fullmatch=True), min_size=4, max_size=4,
                    unique=True)
names_st = st.lists(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗИКЛМНОПРСТУФabcdefXYZ0123456789 «»№\"'-",
                            min_size=8, max_size=60).map(str.strip).filter(lambda name: len(name) >= 8),
                    min_size=4, max_size=4, unique=True)
measures_st = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1), st.sampled_from(STATUSES),
                                 st.sampled_from(KINDS), st.integers(-30, 30), st.sampled_from(WORDS)),
                       min_size=1, max_size=25)
filter_st = st.fixed_dictionaries({}, optional={
    "status": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True),
    "overdue": st.booleans(),
    "due_before": st.integers(-30, 30),
    "kind": st.sampled_from(KINDS),
    "text": st.sampled_from((*WORDS, "занят", "ZZZ")),
})

QUERY = """query($filter: MeasureFilter, $first: Int, $after: String) {
  myMeasures(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id task caseCode organisation { code name } recipient { firstName lastName district }
            history { actorName actorOrganisation } comments { author authorOrganisation } } } }"""


def expected_ids(org_id: int, wanted: dict[str, Any]) -> set[int]:
    """The direct database filter (written independently of the selectors)."""
    rows = Measure.objects.filter(organisation_id=org_id)
    if "status" in wanted:
        rows = rows.filter(status__in=wanted["status"])
    open_overdue = Q(status__in=("assigned", "accepted"), deadline__lt=TODAY)
    if wanted.get("overdue") is True:
        rows = rows.filter(open_overdue)
    elif wanted.get("overdue") is False:
        rows = rows.exclude(open_overdue)
    if "due_before" in wanted:
        rows = rows.filter(deadline__lte=TODAY + dt.timedelta(days=wanted["due_before"]))
    if "kind" in wanted:
        rows = rows.filter(kind=wanted["kind"])
    if "text" in wanted:
        needle = wanted["text"]
        rows = rows.filter(Q(task__icontains=needle) | Q(content__icontains=needle) | Q(case__code__icontains=needle))
    return set(rows.values_list("pk", flat=True))


def as_graphql_filter(wanted: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "status" in wanted:
        result["status"] = [s.upper() for s in wanted["status"]]
    if "overdue" in wanted:
        result["overdue"] = wanted["overdue"]
    if "due_before" in wanted:
        result["dueBefore"] = (TODAY + dt.timedelta(days=wanted["due_before"])).isoformat()
    if "kind" in wanted:
        result["kind"] = wanted["kind"].upper()
    if "text" in wanted:
        result["text"] = wanted["text"]
    return result


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(assignments=measures_st, wanted=filter_st, viewer_index=st.integers(0, 3), page=st.sampled_from([1, 3, 100]),
       codes=codes_st, names=names_st)
def test_organisation_sees_exactly_its_own(world, gql, monkeypatch, settings, assignments, wanted, viewer_index,
                                           page, codes, names) -> None:
    from portal.cases import selectors

    _distinct(world, codes, names)
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 0
    try:
        with transaction.atomic():
            orgs = [factories.organisation(kind="ngo", code=code, name=name, district_obj=world.precinct_own.district)
                    for code, name in zip(codes, names, strict=True)]
            cases = [world.case_own, world.case_other]
            Measure.objects.bulk_create([
                Measure(programme_id=cases[case].programme.pk,
                        case_id=cases[case].pk, task=f"{word} для {orgs[org].name}", kind=kind,
                        deadline=TODAY + dt.timedelta(days=shift), organisation_id=orgs[org].pk, status=status,
                        shared_fields=["first_name", "district"])
                for org, case, status, kind, shift, word in assignments
            ])
            me = orgs[viewer_index]
            others = [org for org in orgs if org.pk != me.pk]
            viewer = world.partner(me)
            variables = {"filter": as_graphql_filter(wanted) or None, "first": page}
            seen: list[dict[str, Any]] = []
            total = None
            after = None
            while True:
                result = gql(viewer, QUERY, {**variables, "after": after})
                assert result.errors == []
                connection = result.data["myMeasures"]
                total = connection["totalCount"] if total is None else total
                assert connection["totalCount"] == total
                seen.extend(connection["nodes"])
                if not connection["pageInfo"]["hasNextPage"]:
                    break
                after = connection["pageInfo"]["endCursor"]
            ids = {int(node["id"]) for node in seen}
            assert ids == expected_ids(me.pk, wanted)
            assert total == len(ids) == len(seen)
            text = str(seen)
            for other in others:
                assert other.name not in text and other.code not in text
            assert {node["organisation"]["code"] for node in seen} <= {me.code}
            # Another organisation's measure is exactly as absent as a measure that does not exist.
            missing = gql(viewer, "query($id: ID!) { measure(id: $id) { task } }", {"id": "987654321"})
            for other_id in Measure.objects.exclude(organisation_id=me.pk).values_list("pk", flat=True)[:5]:
                refused = gql(viewer, "query($id: ID!) { measure(id: $id) { task organisation { name } } }",
                              {"id": str(other_id)})
                assert refused.data is None and refused.code == missing.code == "not_found"
                assert refused.errors[0]["message"] == missing.errors[0]["message"]
                assert all(other.name not in str(refused.errors) for other in others)
            _refused_changes_leak_nothing(gql, viewer, me, others)
            raise _Rollback
    except _Rollback:
        pass


#: Texts every answer may contain whatever the organisations are called (field names, the world's data).
FIXED_VOCABULARY = " ".join([*WORDS, "для", QUERY, "Ольга Смирнова Ленинский район г. Заречный Сотрудник",
                             "another organisation другая организация", "KCSON-ZARECHNY KCSON-BEREZOVSKY"])


def _distinct(world: Any, codes: list[str], names: list[str]) -> None:
    """Random codes and names must not hide inside each other or inside texts any answer contains (a name that
    is a substring of another organisation's name would be "seen" without any leak)."""
    fixed = FIXED_VOCABULARY + " ".join(o.name + " " + o.code for o in (world.school, world.police, world.clinic,
                                                                          world.ngo, world.zarechny, world.berezovsky))
    for text in (*codes, *names):
        assume(text.lower() not in fixed.lower())
        assume(sum(text.lower() in other.lower() for other in (*codes, *names)) == 1)


MUTATIONS = {
    "acceptMeasure": "mutation($id: ID!, $v: Int!) { acceptMeasure(id: $id, version: $v) { id task } }",
    "fulfilMeasure": "mutation($id: ID!, $v: Int!) { fulfilMeasure(id: $id, version: $v, result: \"Готово\") "
                     "{ id task } }",
    "reportMeasureNotFulfilled": "mutation($id: ID!, $v: Int!) { reportMeasureNotFulfilled(id: $id, version: $v, "
                                 "reasonCode: NO_CAPACITY) { id task } }",
    "returnMeasure": "mutation($id: ID!, $v: Int!) { returnMeasure(id: $id, version: $v, reasonCode: NO_CAPACITY) "
                     "{ id task } }",
    "commentMeasure": "mutation($id: ID!) { commentMeasure(id: $id, text: \"Взгляд\") { id text } }",
}


def _refused_changes_leak_nothing(gql: Any, viewer: Any, me: Any, others: list[Any]) -> None:
    """A's changes of B's measures are refused exactly like changes of a missing measure — with the right
    version or a stale one (no conflict carrying B's state) — and the refusal names nothing of B."""
    theirs = list(Measure.objects.exclude(organisation_id=me.pk).order_by("?")[:3])
    secrets = [*(o.name for o in others), *(o.code for o in others),
               *Measure.objects.exclude(organisation_id=me.pk).values_list("task", flat=True)]
    for name, document in MUTATIONS.items():
        missing = gql(viewer, document, {"id": "987654321", "v": 1})
        for measure in theirs:
            before = Measure.objects.filter(pk=measure.pk).values().get()
            for version in (measure.version, measure.version + 7):
                refused = gql(viewer, document, {"id": str(measure.pk), "v": version})
                assert refused.data is None and refused.code == missing.code == "not_found", (name, refused.errors)
                shown = json.dumps([{"message": e["message"], "extensions": e.get("extensions")}
                                    for e in refused.errors], ensure_ascii=False)
                assert shown == json.dumps([{"message": e["message"], "extensions": e.get("extensions")}
                                            for e in missing.errors], ensure_ascii=False)
                assert all(secret not in shown for secret in secrets), (name, shown)
                assert set(re.findall(r"\d+", shown)) <= {str(measure.pk)}, (name, shown)
            assert Measure.objects.filter(pk=measure.pk).values().get() == before
            assert not MeasureComment.objects.filter(measure_id=measure.pk, text="Взгляд").exists()


# --- Chains of writes cannot widen a viewer's scope ----------------------------------------------------------------

#: One step of a chain: (actor, operation, a, b); a and b pick the targets among the objects existing at that step.
CHAIN_OPERATIONS = ("createHousehold", "createPerson", "recordConsent", "registerCase", "movePerson")
chains_st = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(CHAIN_OPERATIONS), st.integers(0, 50),
                               st.integers(0, 50)), min_size=1, max_size=10)

CHAIN_DOCUMENTS = {
    "createHousehold": "mutation($p: ID!) { createHousehold(precinctId: $p, address: \"ул. Цепочек, 1\") { id } }",
    "createPerson": "mutation($h: ID) { createPerson(input: {householdId: $h, lastName: \"Цепь\", "
                    "firstName: \"Звено\"}) { id } }",
    "recordConsent": "mutation($p: ID!, $on: Date!) { recordConsent(personId: $p, purpose: \"processing\", "
                     "givenOn: $on) { id } }",
    "registerCase": "mutation($a: ID!, $h: ID!, $p: ID!, $i: ID!, $on: Date!) { registerCase(input: {applicantId: $a, "
                    "householdId: $h, precinctId: $p, institutionId: $i, registeredOn: $on}) { id } }",
}
#: Everything a staff viewer reads of persons: the list, each person, and the families of its cases.
SCOPE_READS = """{ persons(first: 100) { nodes { id } }
                   cases(first: 100) { nodes { id precinct { id } household { id members { id } } } } }"""


def _visible(gql: Any, viewer: Any) -> tuple[set[int], dict[int, int]]:
    """Persons the viewer can read (list and case families), and the precinct of each case it can read."""
    result = gql(viewer, SCOPE_READS)
    assert result.errors == [], result.errors
    persons = {int(node["id"]) for node in result.data["persons"]["nodes"]}
    cases: dict[int, int] = {}
    for case in result.data["cases"]["nodes"]:
        cases[int(case["id"])] = int(case["precinct"]["id"])
        persons |= {int(member["id"]) for member in case["household"]["members"]}
    return persons, cases


def _territory(world: Any, viewer: Any) -> set[int]:
    """The precincts a viewer works in, written independently of the services: an officer's own precincts;
    the precincts served by a coordinator's institution (its officers, or the district it is registered in)."""
    from portal.territory.models import Precinct

    if viewer.precinct_ids:
        return set(viewer.precinct_ids)
    by_officer = Precinct.objects.filter(officer__institution_id=viewer.institution_id)
    by_district = Precinct.objects.filter(district__organisations__pk=viewer.institution_id)
    return set(by_officer.values_list("pk", flat=True)) | set(by_district.values_list("pk", flat=True))


def _chain_step(gql: Any, world: Any, actor: Any, operation: str, a: int, b: int) -> str:
    from portal.cases import services
    from portal.cases.models import Household, Person
    from portal.core.errors import DomainError

    households = list(Household.objects.order_by("pk").values_list("pk", "precinct_id"))
    persons = list(Person.objects.order_by("pk").values_list("pk", "household_id"))
    precincts = [world.precinct_own.pk, world.precinct_other.pk]
    institutions = [world.zarechny.pk, world.berezovsky.pk]
    today = timezone.localdate().isoformat()
    if operation == "createHousehold":
        variables: dict[str, Any] = {"p": str(precincts[a % 2])}
    elif operation == "createPerson":
        variables = {"h": str(households[a % len(households)][0]) if a % 7 else None}
    elif operation == "recordConsent":
        variables = {"p": str(persons[a % len(persons)][0]), "on": today}
    elif operation == "registerCase":
        person, household_id = persons[a % len(persons)]
        if household_id is None or b % 5 == 0:  # mostly the applicant's own household, sometimes another one
            household_id = households[b % len(households)][0]
        household = household_id
        variables = {"a": str(person), "h": str(household), "p": str(dict(households)[household]),
                     "i": str(institutions[b % 2]), "on": today}
    else:  # a move of a person into another household (not in the gateway: the service directly)
        try:
            services.update_person(viewer=actor, person_id=persons[a % len(persons)][0],
                                   household_id=households[b % len(households)][0])
        except DomainError as error:
            return error.code
        return "ok"
    result = gql(actor, CHAIN_DOCUMENTS[operation], variables)
    return result.code


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(chain=chains_st)
def test_write_chains_cannot_widen_a_viewers_scope(world, gql, settings, chain) -> None:
    """Random chains of writes by officers and coordinators of two institutions (create household or person,
    record consent, register a case, move a person), targeting any object that exists at that step — including
    the other institution's families without a case. Afterwards no viewer reads a person or case beyond what it
    read before the chain, except in its own territory (or a household-less person its institution registered)."""
    from portal.cases import services
    from portal.cases.models import Case, Person

    settings.GRAPHQL_MUTATIONS_PER_MINUTE = 0
    actors = [world.petrova, world.orlov, world.ivanova, _sokolov(world)]
    try:
        with transaction.atomic():
            # A family without a case in each institution's precinct (what the attack took over).
            for coordinator, precinct in ((world.petrova, world.precinct_own), (world.orlov, world.precinct_other)):
                household = services.create_household(viewer=coordinator, precinct_id=precinct.pk,
                                                      address="ул. Тихая, 3")
                services.create_person(viewer=coordinator, household_id=household.pk, last_name="Тихонова",
                                       first_name="Алла", phone="+7 900 111-22-33")
            before = {actor.subject: _visible(gql, actor) for actor in actors}
            for actor_index, operation, a, b in chain:
                _chain_step(gql, world, actors[actor_index], operation, a, b)
            for actor in actors:
                territory = _territory(world, actor)
                persons, cases = _visible(gql, actor)
                old_persons, old_cases = before[actor.subject]
                for person in Person.objects.filter(pk__in=persons - old_persons).select_related("household"):
                    if person.household_id is None:
                        assert person.registered_by_subject == actor.subject or (
                            person.registered_by_institution_id == actor.institution_id), (actor.subject, chain)
                    else:
                        assert person.household.precinct_id in territory, (actor.subject, person.pk, chain)
                for case_id in set(cases) - set(old_cases):
                    assert cases[case_id] in territory, (actor.subject, case_id, chain)
                    assert Case.objects.get(pk=case_id).institution_id == actor.institution_id or (
                        cases[case_id] in actor.precinct_ids), (actor.subject, case_id, chain)
            raise _Rollback
    except _Rollback:
        pass


def _sokolov(world: Any) -> Any:
    from portal.core.viewer import Role, Viewer

    return Viewer(subject="sokolov", username="officer.sokolov", display_name="Соколов Андрей",
                  roles=frozenset({Role.OFFICER}), institution_id=world.berezovsky.pk,
                  institution_code=world.berezovsky.code, precinct_ids=frozenset({world.precinct_other.pk}))
