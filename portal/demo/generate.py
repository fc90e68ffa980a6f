"""Deterministic generator of the demo region (`portal seed --scale demo|region`).

The fixed core (`region.py`) is created first; every district's bulk (precincts, officers,
streets, address ranges, households, persons, consents, signals, cases, programmes,
measures, reviews) is generated only if that district has no precincts yet, so running the
generator twice adds nothing twice, and `--scale region` after `demo` only adds what is
missing. Bulk data bypasses the services for speed (bulk inserts in one transaction);
one audit record states what the seed loaded, and every street, organisation, case and
person is queued for the search index.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases.models import (
    NEED_GROUP_OF,
    Case,
    Category,
    CollegialDecision,
    Consent,
    Household,
    Measure,
    Person,
    Programme,
    Review,
    Signal,
)
from portal.cases.terms import add_months
from portal.core.viewer import Viewer
from portal.demo import names
from portal.demo.region import (
    CENTRE_STREETS,
    CORE_STREETS,
    DISTRICTS,
    INSTITUTIONS,
    OFFICERS,
    PARTNERS,
    OrganisationSpec,
)
from portal.partners.models import Agreement, Contact, HelpKind, Organisation, OrganisationKind
from portal.territory.addresses import STREET_KIND_SHORT, normalise_text
from portal.territory.models import AddressRange, District, Officer, Precinct, Street
from search.outbox import enqueue_many

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Scale:
    name: str
    extra_districts: int
    villages_per_rural: int
    town_streets: int
    village_streets: int
    households_per_precinct: int
    case_share: float
    #: Extra cases in the region whose measures go to the region-wide NGO (benchmark: ~2,000 measures).
    ngo_heavy_cases: int
    #: Width of an address range in house numbers (registries list precincts by small blocks of houses).
    range_width: int = 10
    #: Residents per school / kindergarten / health post beyond the fixed partners (0: none).
    residents_per_school: int = 0


SCALES = {
    "demo": Scale("demo", 0, 4, 40, 8, 14, 0.45, 0, range_width=50),
    # Seed 002: ~2.6 M residents, ~300 precincts, ~2 k organisations, ~200 k persons, ~8 k open cases.
    "region": Scale("region", 40, 9, 250, 14, 240, 0.2, 450, range_width=8, residents_per_school=3_000),
}


@dataclass
class Counters:
    values: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, amount: int) -> None:
        self.values[name] = self.values.get(name, 0) + amount


def _ensure_core(fake: Faker, rng: random.Random) -> dict[str, Organisation]:
    districts = {}
    for spec in DISTRICTS:
        district, _ = District.objects.get_or_create(code=spec["code"], defaults={
            "name": spec["name"], "kind": spec["kind"], "population": spec["population"], "centre": spec["centre"]})
        districts[spec["code"]] = district
    organisations: dict[str, Organisation] = {}
    for org_spec in [*INSTITUTIONS, *PARTNERS]:
        organisations[org_spec["code"]] = _ensure_organisation(org_spec, districts[org_spec["district"]], fake, rng)
    return organisations


def _ensure_organisation(spec: OrganisationSpec, district: District, fake: Faker, rng: random.Random) -> Organisation:
    organisation, created = Organisation.objects.get_or_create(code=spec["code"], defaults={
        "name": spec["name"], "short_name": spec["short_name"], "kind": spec["kind"], "district": district,
        "address": spec["address"], "phone": spec["phone"], "email": spec["email"], "help_kinds": spec["help_kinds"],
        "description": f"{spec['short_name']}: участник межведомственного взаимодействия по социальному "
                       "сопровождению семей и граждан.",
    })
    if created:
        Agreement.objects.create(
            organisation=organisation, number=f"{rng.randint(10, 250)}-СС",
            signed_on=dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)), expires_on=dt.date(2027, 12, 31),
            subject="Соглашение о межведомственном взаимодействии при социальном сопровождении",
        )
        Contact.objects.create(organisation=organisation, full_name=fake.name(), position="Ответственный за "
                               "взаимодействие", phone=spec["phone"], email=spec["email"])
    return organisation


def _district_specs(scale: Scale, rng: random.Random) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [dict(spec) for spec in DISTRICTS]
    for index in range(scale.extra_districts):
        town = names.TOWN_NAMES[index % len(names.TOWN_NAMES)]
        urban = index % 5 in (0, 2)
        specs.append({
            "code": f"district-{index + 1:02d}",
            "name": f"{'Городской округ' if urban else 'Муниципальный округ'} {town}",
            "kind": "urban" if urban else "rural",
            "population": rng.randint(70_000, 160_000) if urban else rng.randint(18_000, 45_000),
            "centre": f"{'г.' if urban else 'с.'} {town}",
        })
    return specs


def _settlements(spec: dict[str, Any], scale: Scale, rng: random.Random, used: set[str]) -> list[tuple[str, int]]:
    """(settlement name, number of streets) for a district."""
    centre = spec["centre"].split(" ", 1)[1]
    if spec["kind"] == "urban":
        return [(centre, scale.town_streets)]
    result = [(centre, scale.village_streets * 2)]
    while len(result) < scale.villages_per_rural + 1:
        name = rng.choice(names.SETTLEMENT_STEMS) + rng.choice(names.SETTLEMENT_ENDINGS)
        if name not in used and name != centre:
            used.add(name)
            result.append((name, scale.village_streets))
    return result


def _street_combos(rng: random.Random, count: int, seen: set[tuple[str, str]],
                   core: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """Distinct (type, name) pairs, the core ones first; `seen` is shared by districts of the same settlement.

    Adjective names agree with the type («улица Солнечная», «проспект Солнечный», «шоссе Солнечное»)."""
    combos: list[tuple[str, str]] = []
    for combo in core:
        if combo not in seen:
            seen.add(combo)
            combos.append(combo)
    while len(combos) < count:
        kind = rng.choice(names.STREET_KINDS)
        combo = (kind, names.street_name(rng.choice(names.STREET_BASES), kind))
        if combo not in seen:
            seen.add(combo)
            combos.append(combo)
    return combos


def _precinct_count(spec: dict[str, Any]) -> int:
    norm = 10_000 if spec["kind"] == "urban" else 8_000
    return max(1, round(spec["population"] / norm))


def _generate_district(
    spec: dict[str, Any], scale: Scale, rng: random.Random, fake: Faker, organisations: dict[str, Organisation],
    counters: Counters, used_settlements: set[str], today: dt.date,
) -> None:
    district, _ = District.objects.get_or_create(code=spec["code"], defaults={
        "name": spec["name"], "kind": spec["kind"], "population": spec["population"], "centre": spec["centre"]})
    if district.precincts.exists():
        return  # already generated: idempotent
    institution = _institution_for(district, organisations, fake, rng)
    local_partners = _local_partners(district, organisations, fake, rng)

    # Officers and precincts.
    count = _precinct_count(spec)
    core_officers = [o for o in OFFICERS if o["district"] == spec["code"]]
    precincts: list[Precinct] = []
    officer_of_number: dict[int, Officer] = {}
    for known in core_officers:
        core_officer = Officer.objects.create(
            full_name=known["full_name"], phone=known["phone"], email=known["email"], username=known["username"],
            office_address=known["office_address"], office_hours=known["office_hours"], institution=institution)
        for number in known["precincts"]:
            officer_of_number[number] = core_officer
    per_precinct = spec["population"] // count
    for number in range(1, count + 1):
        officer = officer_of_number.get(number)
        if officer is None:
            sex = rng.random() < 0.75
            full_name = fake.name_female() if sex else fake.name_male()
            officer = Officer.objects.create(
                full_name=full_name, phone=f"+7 (342) {rng.randint(200, 399)}-{rng.randint(10, 99)}-"
                                         f"{rng.randint(10, 99)}",
                email=f"officer{district.pk}-{number}@social.example",
                office_address=f"{spec['centre']}, ул. Ленина, д. {rng.randint(1, 40)}, каб. {rng.randint(1, 20)}",
                office_hours="пн–чт 9:00–17:00, пт 9:00–16:00, обед 13:00–13:48", institution=institution)
        precincts.append(Precinct(district=district, number=number, name=f"Участок № {number}",
                                  population=max(1000, per_precinct + rng.randint(-1500, 1500)), officer=officer))
    Precinct.objects.bulk_create(precincts)
    counters.add("precincts", len(precincts))

    # Streets and address ranges.
    streets: list[Street] = []
    settlements = _settlements(spec, scale, rng, used_settlements)
    for settlement, street_count in settlements:
        taken = set(Street.objects.filter(settlement_normalized=normalise_text(settlement))
                    .values_list("kind", "name"))
        core = list(CORE_STREETS.get(settlement, []))
        if settlement == spec["centre"].split(" ", 1)[1]:
            core += [combo for combo in CENTRE_STREETS if combo not in core]
        for kind, name in _street_combos(rng, street_count, taken, core):
            streets.append(Street(district=district, settlement=settlement, kind=kind, name=name,
                                  normalized=normalise_text(name), settlement_normalized=normalise_text(settlement)))
    Street.objects.bulk_create(streets)
    ranges: list[AddressRange] = []
    street_precincts: dict[int, list[tuple[AddressRange, Precinct]]] = {}
    if spec["kind"] == "urban":
        for index, street in enumerate(streets):
            precinct = precincts[index % len(precincts)]
            last = rng.choice([80, 120, 180, 250, 300])
            other, split = None, None
            if rng.random() < 0.25 and len(precincts) > 1:  # a street split between two precincts
                other = precincts[(index + 1) % len(precincts)]
                split = rng.choice([30, 50, 80])
            own = _blocks(street, last, scale.range_width, precinct, other, split)
            ranges.extend(own)
            street_precincts[id(street)] = [(r, r.precinct) for r in own]
    else:
        by_settlement: dict[str, Precinct] = {}
        for index, (settlement, _count) in enumerate(settlements):
            by_settlement[settlement] = precincts[index % len(precincts)]
        for street in streets:
            precinct = by_settlement[street.settlement]
            own = _blocks(street, 60, max(scale.range_width, 20), precinct)
            ranges.extend(own)
            street_precincts[id(street)] = [(r, r.precinct) for r in own]
    AddressRange.objects.bulk_create(ranges, batch_size=5000)
    counters.add("streets", len(streets))
    counters.add("address_ranges", len(ranges))
    centre = spec["centre"].split(" ", 1)[1]
    centre_streets = [(s, max(r.house_to for r, _ in street_precincts[id(s)])) for s in streets
                      if s.settlement == centre]
    _local_institutions(spec, district, scale, fake, rng, counters, centre_streets)

    # Households and persons.
    households: list[Household] = []
    for precinct in precincts:
        own_streets = [s for s in streets if any(p is precinct for _, p in street_precincts[id(s)])]
        for _ in range(scale.households_per_precinct):
            street = rng.choice(own_streets)
            address_range = rng.choice([r for r, p in street_precincts[id(street)] if p is precinct])
            house = rng.randint(address_range.house_from, address_range.house_to)
            if address_range.parity == AddressRange.Parity.ODD and house % 2 == 0:
                house = house - 1 if house > address_range.house_from else house + 1
            elif address_range.parity == AddressRange.Parity.EVEN and house % 2 == 1:
                house = house + 1 if house < address_range.house_to else house - 1
            prefix = spec["centre"].split(" ", 1)[0] if street.settlement == centre else "с."
            flat = f", кв. {rng.randint(1, 120)}" if spec["kind"] == "urban" else ""
            households.append(Household(
                precinct=precinct, address=f"{prefix} {street.settlement}, {STREET_KIND_SHORT[street.kind]} "
                                           f"{street.name}, д. {house}{flat}",
                categories=rng.sample(Category.values, k=rng.choice([0, 1, 1, 2]))))
    Household.objects.bulk_create(households, batch_size=5000)
    persons: list[Person] = []
    members: dict[int, list[Person]] = {}
    for household in households:
        group: list[Person] = []
        last_male = fake.last_name_male()
        last_female = last_male + "а" if not last_male.endswith(("ий", "ой")) else last_male[:-2] + "ая"
        size = rng.choice([1, 2, 3, 3, 4, 5])
        for position in range(size):
            female = rng.random() < (0.6 if position == 0 else 0.5)
            adult = position < 2
            birth = today - dt.timedelta(days=rng.randint(20 * 365, 85 * 365) if adult else rng.randint(365, 17 * 365))
            person = Person(
                household=household, last_name=last_female if female else last_male,
                first_name=fake.first_name_female() if female else fake.first_name_male(),
                middle_name=fake.middle_name_female() if female else fake.middle_name_male(),
                birth_date=birth, sex="f" if female else "m",
                phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
                if adult else "",
                relation=("заявитель" if position == 0 else ("супруг(а)" if position == 1 else "ребёнок")),
                categories=list(household.categories),
            )
            group.append(person)
            persons.append(person)
        members[id(household)] = group
    Person.objects.bulk_create(persons, batch_size=5000)
    counters.add("households", len(households))
    counters.add("persons", len(persons))

    chosen = [h for h in households if rng.random() < scale.case_share]
    _generate_cases(chosen, members, institution, local_partners, organisations, rng, counters, today)


def _institution_for(district: District, organisations: dict[str, Organisation], fake: Faker,
                     rng: random.Random) -> Organisation:
    for spec in INSTITUTIONS:
        if spec["district"] == district.code:
            return organisations[spec["code"]]
    if district.code.startswith("zarechny"):
        return organisations["kcson-zarechny"]
    if district.code == "sosnovsky":
        return organisations["kcson-berezovsky"]
    code = f"kcson-{district.code}"
    spec = {
        "code": code, "name": f"ГБУ «Комплексный центр социального обслуживания населения» ({district.name})",
        "short_name": f"КЦСОН ({district.centre})", "kind": OrganisationKind.SOCIAL_SERVICE, "district": district.code,
        "address": f"{district.centre}, ул. Советская, д. {rng.randint(1, 30)}",
        "phone": f"+7 (342) {rng.randint(400, 799)}-10-10", "email": f"{code}@social.example",
        "help_kinds": ["social", "urgent", "psychological"]}
    organisation = _ensure_organisation(spec, district, fake, rng)
    organisations[code] = organisation
    return organisation


def _blocks(street: Street, last: int, width: int, precinct: Precinct, other: Precinct | None = None,
            split: int | None = None) -> list[AddressRange]:
    """Odd and even sides of houses 1..last in blocks of `width` numbers; from `split` on they go to `other`."""

    def precinct_of(start: int) -> Precinct:
        return other if other is not None and split is not None and start >= split else precinct

    if width >= last and other is None:
        return [AddressRange(street=street, precinct=precinct, house_from=1, house_to=last)]
    blocks = []
    for start in range(1, last + 1, width):
        end = min(start + width - 1, last)
        for parity, low in ((AddressRange.Parity.ODD, start | 1), (AddressRange.Parity.EVEN, start + (start % 2))):
            high = end if end % 2 == low % 2 else end - 1
            if low <= high:
                blocks.append(AddressRange(street=street, precinct=precinct_of(start), house_from=low,
                                           house_to=high, parity=parity))
    return blocks


LOCAL_INSTITUTIONS = [
    ("school", "МБОУ «Средняя общеобразовательная школа № {n}»", ["pedagogical"], 1.0),
    ("school", "МБДОУ «Детский сад № {n}»", ["pedagogical"], 1.2),
    ("healthcare", "Фельдшерско-акушерский пункт / поликлиника № {n}", ["medical"], 0.45),
    ("ngo", "АНО «Социальная помощь» № {n}", ["social", "material"], 0.06),
    ("youth", "Молодёжный центр № {n}", ["psychological", "pedagogical"], 0.05),
]


def _local_institutions(spec: dict[str, Any], district: District, scale: Scale, fake: Faker, rng: random.Random,
                        counters: Counters, centre_streets: list[tuple[Street, int]]) -> None:
    """Region scale: the district's schools, kindergartens, health posts and NGOs (partner registry bulk)."""
    if not scale.residents_per_school:
        return
    created: list[Organisation] = []
    for kind, pattern, helps, weight in LOCAL_INSTITUTIONS:
        for number in range(1, max(1, round(spec["population"] / scale.residents_per_school * weight)) + 1):
            street, last = rng.choice(centre_streets)
            created.append(Organisation(
                code=f"{kind.replace('_', '-')}-{district.code}-{len(created) + 1}",
                name=f"{pattern.format(n=number)} ({district.centre})",
                kind=kind, district=district, help_kinds=helps,
                address=f"{district.centre}, {STREET_KIND_SHORT[street.kind]} {street.name}, "
                        f"д. {rng.randint(1, min(last, 90))}",
                phone=f"+7 (342) {rng.randint(400, 799)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                email=f"org{district.pk}-{len(created)}@partners.example"))
    Organisation.objects.bulk_create(created, batch_size=2000)
    Agreement.objects.bulk_create([
        Agreement(organisation=organisation, number=f"{rng.randint(10, 900)}-СС",
                  signed_on=dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)), expires_on=dt.date(2027, 12, 31),
                  subject="Соглашение о межведомственном взаимодействии при социальном сопровождении")
        for organisation in created], batch_size=2000)
    Contact.objects.bulk_create([
        Contact(organisation=organisation, full_name=fake.name(), position="Ответственный за взаимодействие",
                phone=organisation.phone, email=organisation.email) for organisation in created], batch_size=2000)
    counters.add("organisations", len(created))


LOCAL_KINDS = [("school", "МБОУ «Средняя школа № {n}»", ["pedagogical"]),
               ("police", "Отделение полиции № {n}", ["legal"]),
               ("healthcare", "ГБУЗ «Центральная больница» (филиал {n})", ["medical"]),
               ("employment", "Территориальный отдел центра занятости № {n}", ["employment"]),
               ("guardianship", "Территориальный отдел опеки и попечительства № {n}", ["legal", "social"]),
               ("minors_commission", "КДН и ЗП территориальная № {n}", ["legal"])]


def _local_partners(district: District, organisations: dict[str, Organisation], fake: Faker,
                    rng: random.Random) -> dict[str, Organisation]:
    """One partner of each kind serving the district (the fixed core ones where they exist)."""
    local: dict[str, Organisation] = {}
    for spec in PARTNERS:
        if spec["district"] == district.code or (district.code.startswith("zarechny") and
                                                 spec["district"].startswith("zarechny")):
            local.setdefault(spec["kind"], organisations[spec["code"]])
    for kind, pattern, helps in LOCAL_KINDS:
        if kind in local:
            continue
        code = f"{kind.replace('_', '-')}-{district.code}"
        spec = {
            "code": code, "name": pattern.format(n=district.pk) + f" ({district.centre})", "short_name": "",
            "kind": kind, "district": district.code, "address": f"{district.centre}, ул. Мира, д. {rng.randint(1, 60)}",
            "phone": f"+7 (342) {rng.randint(400, 799)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            "email": f"{code}@partners.example", "help_kinds": helps}
        local[kind] = organisations[code] = _ensure_organisation(spec, district, fake, rng)
    return local


def _generate_cases(
    households: list[Household], members: dict[int, list[Person]], institution: Organisation,
    partners: dict[str, Organisation], organisations: dict[str, Organisation], rng: random.Random,
    counters: Counters, today: dt.date, measure_org: Organisation | None = None,
) -> None:
    ngo = organisations["ngo-dobrye-ruki"]
    consents: list[Consent] = []
    signals: list[Signal] = []
    cases: list[Case] = []
    for household in households:
        applicant = members[id(household)][0]
        registered = today - dt.timedelta(days=rng.randint(3, 420))
        consents.append(Consent(person=applicant, purpose=Consent.Purpose.PROCESSING, given_on=registered,
                                scope="Обработка персональных данных в целях социального сопровождения",
                                document=f"Заявление от {registered:%d.%m.%Y}"))
        if rng.random() < 0.4:  # about 2 in 5 families agree to an anonymised need being published
            consents.append(Consent(person=applicant, purpose=Consent.Purpose.PUBLICATION, given_on=registered,
                                    scope="Публикация обезличенной потребности в реестре благополучателей"))
        source = rng.choice(Signal.Source.values)
        summary, needs = rng.choice(names.SIGNAL_STORIES[source])
        signal = Signal(source=source, received_at=timezone.make_aware(dt.datetime.combine(
            registered - dt.timedelta(days=rng.randint(1, 10)), dt.time(10, 0))),
            summary=summary, address=household.address, precinct=household.precinct,
            status=Signal.Status.CONFIRMED, inspected_on=registered - dt.timedelta(days=1),
            inspection_findings="Акт обследования составлен: выявлены обстоятельства нуждаемости.",
            need_circumstances=list(needs), institution=institution)
        signals.append(signal)
        cases.append(Case(
            code="", signal=signal, household=household, applicant=applicant, precinct=household.precinct,
            institution=institution, registered_on=registered, categories=list(household.categories)
            or [rng.choice(Category.values)], need_circumstances=signal.need_circumstances,
            reasons="Трудная жизненная ситуация, выявленная при обследовании.",
            level=rng.choice(Case.Level.values)))
    Consent.objects.bulk_create(consents)
    Signal.objects.bulk_create(signals)
    for case, case_signal in zip(cases, signals, strict=True):
        case.signal_id = case_signal.pk
    # Codes need the primary key: insert with provisional codes, then update in bulk.
    for index, case in enumerate(cases):
        case.code = f"tmp-{institution.pk}-{index}-{rng.randrange(10**9)}"
    Case.objects.bulk_create(cases)
    for case in cases:
        case.code = f"{case.registered_on.year}-{institution.code[:12].upper()}-{case.pk:05d}"
    Case.objects.bulk_update(cases, ["code"], batch_size=1000)

    programmes: list[Programme] = []
    decisions: list[CollegialDecision] = []
    for case in cases:
        programmes.append(Programme(case=case, number=case.code))
        age = (today - case.registered_on).days
        if age > 10:
            approved = case.registered_on + dt.timedelta(days=rng.randint(3, 10))
            decisions.append(CollegialDecision(
                case=case, subject=CollegialDecision.Subject.APPROVAL, decided_on=approved,
                protocol_number=f"{rng.randint(1, 99)}/{approved.year}",
                participants="Куратор, социальный участковый, представители субъектов взаимодействия"))
            case.started_on = approved
            case.ends_on = add_months(approved, 6)
            case.review_due_on = add_months(approved, 3)
            case.status = Case.Status.PROGRAMME_APPROVED
    Programme.objects.bulk_create(programmes)
    CollegialDecision.objects.bulk_create(decisions)
    Programme.recipients.through.objects.bulk_create([
        Programme.recipients.through(programme_id=p.pk, person_id=p.case.applicant_id) for p in programmes])
    approval_of = {d.case_id: d for d in decisions}
    for programme in programmes:
        decision = approval_of.get(programme.case_id)
        if decision:
            programme.status, programme.approved_on, programme.approval = (
                Programme.Status.APPROVED, decision.decided_on, decision)
    Programme.objects.bulk_update(programmes, ["status", "approved_on", "approval"], batch_size=1000)

    measures: list[Measure] = []
    reviews: list[Review] = []
    extra_decisions: list[CollegialDecision] = []
    by_kind = {**partners, "social_service": institution, "ngo": partners.get("ngo", ngo)}
    for case, programme in zip(cases, programmes, strict=True):
        _plan_case(case, programme, by_kind, measure_org, rng, today, measures, reviews, extra_decisions)
    Measure.objects.bulk_create(measures, batch_size=2000)
    Review.objects.bulk_create(reviews)
    CollegialDecision.objects.bulk_create(extra_decisions)
    Case.objects.bulk_update(cases, ["status", "started_on", "ends_on", "review_due_on", "closed_on", "outcome",
                                     "results", "recommendations"], batch_size=1000)
    counters.add("cases", len(cases))
    counters.add("measures", len(measures))
    counters.add("signals", len(signals))


def _plan_case(
    case: Case, programme: Programme, by_kind: dict[str, Organisation], measure_org: Organisation | None,
    rng: random.Random, today: dt.date, measures: list[Measure], reviews: list[Review],
    decisions: list[CollegialDecision],
) -> None:
    started = case.started_on
    count = rng.randint(2, 6) if measure_org is None else rng.randint(4, 5)
    fitting = set().union(*(names.KINDS_FOR_NEED_GROUP[NEED_GROUP_OF[need]] for need in case.need_circumstances))
    templates = [t for t in names.MEASURE_TEMPLATES if t[2] in by_kind and t[1] in fitting] if measure_org is None \
        else [t for t in names.MEASURE_TEMPLATES if t[2] == "ngo" and t[1] in fitting]
    if not templates:  # no organisation at hand answers these needs: the institution's own social help does
        templates = [t for t in names.MEASURE_TEMPLATES if t[2] == "social_service" and t[1] in fitting]
    base = started or case.registered_on
    case_measures: list[Measure] = []
    for _ in range(count):
        task, kind, org_kind = rng.choice(templates)
        organisation = measure_org or by_kind[org_kind]
        deadline = base + dt.timedelta(days=rng.randint(14, 170))
        measure = Measure(programme=programme, case=case, task=task, kind=kind, deadline=deadline,
                          content=f"{task}. Ответственный исполнитель отчитывается куратору о результате.",
                          place=organisation.address, organisation=organisation,
                          shared_fields=rng.choice([["first_name", "district"], ["first_name", "district"],
                                                    ["first_name", "last_name", "district", "phone"]]))
        if started is not None:
            roll = rng.random()
            if deadline < today - dt.timedelta(days=5) and roll < 0.75:
                measure.status = Measure.Status.FULFILLED
                measure.done_on = min(deadline, today)
                measure.result = rng.choice(names.RESULTS)
            elif deadline < today and roll < 0.82:
                measure.status = Measure.Status.NOT_FULFILLED
                measure.done_on = deadline
                measure.not_fulfilled_reason = rng.choice(names.NOT_FULFILLED_REASONS)
            elif roll < 0.9:
                measure.status = Measure.Status.ACCEPTED
        case_measures.append(measure)
    measures.extend(case_measures)
    if started is None:
        return
    if any(m.status != Measure.Status.ASSIGNED for m in case_measures):
        case.status = Case.Status.IN_PROGRESS
    if case.review_due_on and case.review_due_on < today - dt.timedelta(days=10) and rng.random() < 0.8:
        reviews.append(Review(case=case, reviewed_on=case.review_due_on, reviewer="Куратор семьи",
                              findings="Промежуточная оценка: положительная динамика, программа продолжается."))
        case.review_due_on = None
    assert case.ends_on is not None
    if case.ends_on < today:
        if all(not m.is_open for m in case_measures) or rng.random() < 0.5:
            for measure in case_measures:
                if measure.is_open:
                    measure.status = Measure.Status.FULFILLED
                    measure.done_on = min(measure.deadline, today)
                    measure.result = rng.choice(names.RESULTS)
            case.status = Case.Status.CLOSED
            case.closed_on = case.ends_on
            case.outcome = rng.choice([Case.Outcome.RESOLVED, Case.Outcome.IMPROVED, Case.Outcome.IMPROVED])
            case.results = "Трудная жизненная ситуация преодолена: доход семьи выше прожиточного минимума."
            case.recommendations = "Продолжить наблюдение социальным участковым в рамках патронажа."
            case.review_due_on = None
        else:
            new_end = add_months(started, 12)
            decisions.append(CollegialDecision(
                case=case, subject=CollegialDecision.Subject.EXTENSION, decided_on=case.ends_on,
                protocol_number=f"{rng.randint(100, 199)}/{case.ends_on.year}",
                participants="Межведомственная рабочая группа", summary="Продлить сопровождение до 12 месяцев."))
            case.ends_on = new_end
            case.status = Case.Status.EXTENDED
            for measure in case_measures:
                if measure.is_open and measure.deadline < today:
                    measure.deadline = min(new_end, today + dt.timedelta(days=rng.randint(-20, 60)))


def _heavy_ngo_cases(scale: Scale, rng: random.Random, fake: Faker, organisations: dict[str, Organisation],
                     counters: Counters, today: dt.date) -> None:
    """Region scale: the region-wide NGO carries ~2,000 measures (the gateway benchmark's organisation)."""
    ngo = organisations["ngo-dobrye-ruki"]
    if scale.ngo_heavy_cases == 0 or Measure.objects.filter(organisation=ngo).count() >= 1500:
        return
    precincts = list(Precinct.objects.select_related("district").order_by("pk")[:60])
    institution = organisations["kcson-zarechny"]
    households = []
    for index in range(scale.ngo_heavy_cases):
        precinct = precincts[index % len(precincts)]
        households.append(Household(precinct=precinct, address=f"{precinct.district.centre}, ул. Мира, "
                                    f"д. {rng.randint(1, 60)}, кв. {rng.randint(1, 90)}"))
    Household.objects.bulk_create(households)
    persons = [Person(household=h, last_name=fake.last_name_female(), first_name=fake.first_name_female(),
                      middle_name=fake.middle_name_female(), sex="f", relation="заявитель") for h in households]
    Person.objects.bulk_create(persons)
    members = {id(h): [p] for h, p in zip(households, persons, strict=True)}
    _generate_cases(households, members, institution, {}, organisations, rng, counters, today, measure_org=ngo)


def generate(*, scale: str = "demo", seed: int = 1, progress: Progress | None = None,
             today: dt.date | None = None) -> dict[str, int]:
    """Generate (or complete) the demo region at the given scale; returns counts of created rows.

    Deterministic for a seed and a day: dates are drawn relative to ``today`` so that a demo
    loaded any day has current deadlines, reviews due and overdue measures.
    """
    settings_of = SCALES[scale]
    rng = random.Random(seed)
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    today = today or timezone.localdate()
    counters = Counters()
    report = progress or (lambda _label, _step: None)
    with transaction.atomic():
        organisations = _ensure_core(fake, rng)
        used_settlements: set[str] = set()
        specs = _district_specs(settings_of, rng)
        for step, spec in enumerate(specs, 1):
            _generate_district(spec, settings_of, rng, fake, organisations, counters, used_settlements, today)
            report(spec["name"], step * 100 // len(specs))
        _heavy_ngo_cases(settings_of, rng, fake, organisations, counters, today)
        if counters.values:
            enqueue_many("organisation", Organisation.objects.values_list("pk", flat=True))
            enqueue_many("street", Street.objects.values_list("pk", flat=True))
            enqueue_many("case", Case.objects.values_list("pk", flat=True))
            enqueue_many("person", Person.objects.values_list("pk", flat=True))
            audit.record(viewer=Viewer.system("seed"), action=AuditEvent.Action.CREATE, verb="demo.seed",
                         object_type="demo.region", object_id=scale, details={"seed": seed, **counters.values})
    return counters.values


def help_kinds() -> list[str]:
    return list(HelpKind.values)
