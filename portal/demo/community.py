"""Demo content of the registries: moderated benefactors, anonymised needs published from demo cases
that have the family's publication consent, one offer turned into a measure, and the registry pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from cms.models import HomePage
from portal.cases.models import Case, Measure
from portal.cases.services import fulfil_measure
from portal.community import services
from portal.community.models import Benefactor, Need, Offer
from portal.community.pages import BenefactorsRegistryPage, NeedsRegistryPage, PartnersRegistryPage
from portal.community.selectors import CATEGORY_GROUPS, public_needs, with_publication_consent
from portal.core.errors import DomainError
from portal.core.viewer import Role, Viewer
from portal.partners.models import Organisation
from portal.territory.models import District

BENEFACTORS: list[dict[str, Any]] = [
    {"kind": "individual", "name": "Сергей Волков", "email": "volkov@demo.example", "phone": "",
     "help_kinds": ["material", "social"], "district": "zarechny-leninsky",
     "description": "Могу привезти продукты, помочь с переездом и мелким ремонтом."},
    {"kind": "legal_entity", "name": "ООО «Заречный хлебозавод»", "email": "info@hleb.example",
     "phone": "+7 (342) 200-44-55", "help_kinds": ["material"], "district": "zarechny-oktyabrsky",
     "contact_person": "Кравцова Елена", "description": "Ежедневно передаём хлеб и выпечку для семей."},
    {"kind": "legal_entity", "name": "Благотворительный фонд «Добрые руки»", "email": "info@dobrye-ruki.example",
     "phone": "+7 (342) 200-08-08", "help_kinds": ["material", "psychological", "social"],
     "district": "zarechny-oktyabrsky", "contact_person": "Васильева Анна", "organisation": "ngo-dobrye-ruki",
     "description": "Одежда, школьные наборы, группы поддержки для родителей."},
    {"kind": "individual", "name": "Елена Смирнова", "email": "", "phone": "+7 912 700-12-34",
     "help_kinds": ["pedagogical"], "district": "berezovsky",
     "description": "Учитель на пенсии: занятия с детьми по математике и русскому языку."},
    {"kind": "individual", "name": "Дмитрий Ковалёв", "email": "kovalev@demo.example", "phone": "",
     "help_kinds": ["legal"], "district": "sosnovsky", "description": "Юрист: бесплатные консультации."},
    {"kind": "individual", "name": "Анонимный жертвователь", "email": "anon@demo.example", "phone": "",
     "help_kinds": ["material"], "district": "berezovsky", "description": "", "publish": False},
    {"kind": "individual", "name": "Павел Игнатьев", "email": "ignatiev@demo.example", "phone": "",
     "help_kinds": ["social"], "district": "zarechny-leninsky", "description": "Готов помогать пожилым людям.",
     "pending": True},
]

#: What is needed, in the coordinator's plain words, by the family's category and the kind of help
#: (no names, addresses, ages or dates: they pass the same check as a coordinator's text).
DESCRIPTIONS: dict[str, dict[str, list[str]]] = {
    "large_family": {
        "material": ["Нужны зимние куртки и сапоги для троих школьников", "Нужна двухъярусная кровать с матрасами",
                     "Нужна стиральная машина-автомат: старая сломалась, а детей в семье пятеро",
                     "Нужны школьные рюкзаки и канцелярия к новой четверти"],
        "pedagogical": ["Нужен репетитор по математике для ученика начальной школы, можно онлайн",
                        "Нужна помощь с подготовкой к экзамену по русскому языку"],
    },
    "low_income": {
        "material": ["Нужны продуктовые наборы на месяц: крупы, масло, консервы",
                     "Нужен холодильник в рабочем состоянии", "Нужна тёплая одежда для ребёнка-дошкольника"],
        "pedagogical": ["Нужен наставник, который поможет подростку с уроками и выбором кружка"],
    },
    "disabled_child": {
        "material": ["Нужна прогулочная коляска и развивающие игрушки", "Нужен ортопедический матрас для ребёнка"],
        "pedagogical": ["Нужен логопед для занятий на дому"],
    },
    "minor_at_risk": {
        "material": ["Нужны зимняя одежда и обувь для подростка",
                     "Нужен письменный стол и настольная лампа для занятий"],
        "pedagogical": ["Нужен наставник для подростка: спортивная секция или кружок, помощь с учёбой"],
    },
    "elderly_80": {
        "social": ["Нужна помощь с покупкой продуктов и лекарств раз в неделю",
                   "Нужна помощь с уборкой квартиры перед зимой"],
        "material": ["Нужны обогреватель и тёплое одеяло", "Нужны продукты длительного хранения"],
    },
    "veteran": {
        "social": ["Нужен волонтёр, который сопроводит на прогулку и к врачу",
                   "Нужна помощь с заготовкой дров на зиму"],
        "material": ["Нужны ходунки и противоскользящие накладки на обувь", "Нужны тонометр и тёплый плед",
                     "Нужны продуктовые наборы с диетическими продуктами"],
    },
    "disabled_i": {
        "social": ["Нужна помощь с поездкой в поликлинику: машина и сопровождающий",
                   "Нужна помощь по дому: уборка и стирка"],
        "material": ["Нужен противопролежневый матрас", "Нужны поручни в ванную и нескользящий коврик"],
    },
    "woman_in_crisis": {
        "legal": ["Нужна консультация юриста по алиментам и разделу имущества"],
        "material": ["Нужны детские вещи и постельное бельё на первое время после переезда",
                     "Нужна детская кроватка"],
    },
    "homeless": {
        "legal": ["Нужна помощь с восстановлением паспорта и регистрацией",
                  "Нужна консультация юриста: как оформить пенсию без постоянного жилья",
                  "Нужна помощь с получением медицинского полиса"],
        "material": ["Нужны тёплая одежда, обувь и спальный мешок", "Нужны зимние ботинки и термобельё"],
    },
    "released": {
        "legal": ["Нужна помощь с восстановлением документов и постановкой на учёт"],
        "material": ["Нужны рабочая одежда и обувь для выхода на работу",
                     "Нужны посуда и постельное бельё для съёмной комнаты"],
    },
}
GENERIC = {
    "material": "Нужны продукты и предметы первой необходимости", "social": "Нужна помощь по хозяйству",
    "pedagogical": "Нужны занятия с ребёнком по школьным предметам", "legal": "Нужна консультация юриста",
    "psychological": "Нужна поддержка психолога", "employment": "Нужна помощь в поиске работы",
}
#: Kinds of help asked for by families of each coarse group, in turn for each group of three.
KINDS_BY_GROUP = {"families": ["material", "pedagogical"], "elderly_disabled": ["social", "material"],
                  "adults": ["material", "legal"]}
URGENCIES = ["urgent", "soon", "planned"]
#: How long ago each group of three was published (days), in turn.
AGES = [2, 12, 45]
ACTIVE = (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS, Case.Status.EXTENDED)
MAX_NEEDS = 60


def describe(case: Case, kind: str, turn: int) -> str:
    """A plain-words description fitting the case's category and the kind of help."""
    category = (case.categories or [""])[0]
    texts = DESCRIPTIONS.get(category, {}).get(kind) or [GENERIC[kind]]
    return texts[turn % len(texts)]


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(f"  community: {message}", flush=True)


def _benefactors(verbose: bool) -> None:
    moderator = Viewer.system("demo-community")
    districts = {d.code: d for d in District.objects.all()}
    for spec in BENEFACTORS:
        if spec["district"] not in districts or Benefactor.objects.filter(name=spec["name"]).exists():
            continue
        benefactor = services.sign_up_benefactor(
            kind=spec["kind"], name=spec["name"], email=spec["email"], phone=spec["phone"],
            help_kinds=spec["help_kinds"], district_id=districts[spec["district"]].pk, consent_processing=True,
            consent_publication=spec.get("publish", True), contact_person=spec.get("contact_person", ""),
            description=spec["description"])
        if spec.get("pending"):
            continue
        org = Organisation.objects.filter(code=spec.get("organisation", "")).first()
        services.approve_benefactor(viewer=moderator, benefactor_id=benefactor.pk,
                                    organisation_id=org.pk if org else None)
    _say(verbose, f"{Benefactor.objects.filter(status=Benefactor.Status.APPROVED).count()} approved benefactors")


def _plan(cases: list[Case]) -> list[tuple[Case, str, str, int]]:
    """(case, kind of help, urgency, days since publication). The families of a district are published in
    threes of similar families asking alike, as a coordinator groups similar requests, so that the cards
    can be shown: a three of one coarse category asks for the kind of help typical of it, a mixed three for
    material help. Fewer than three left in a district are published too and stay hidden (the rule at work)."""
    def group_of(case: Case) -> str:
        return str(CATEGORY_GROUPS.get(case.categories[0], ("adults", ""))[0])

    by_district: dict[int, list[Case]] = defaultdict(list)
    for case in cases:
        by_district[case.precinct.district_id].append(case)
    plan: list[tuple[Case, str, str, int]] = []
    for district_id, members in sorted(by_district.items()):
        members.sort(key=lambda c: (group_of(c), c.categories[0], c.pk))
        for turn in range(0, len(members), 3):
            three = members[turn:turn + 3]
            groups = {group_of(c) for c in three}
            kinds = KINDS_BY_GROUP[groups.pop()] if len(groups) == 1 else ["material"]
            step = turn // 3 + district_id
            for case in three:
                plan.append((case, kinds[step % len(kinds)], URGENCIES[step % 3], AGES[step % 3]))
    return plan[:MAX_NEEDS]


def _needs(verbose: bool) -> list[Need]:
    """Needs only from open demo cases whose family consented to publication, each saying what is needed."""
    if Need.objects.exists():
        return list(Need.objects.all())
    coordinator = Viewer.system("demo-community")
    candidates = Case.objects.exclude(status=Case.Status.CLOSED).select_related("precinct").order_by("id")
    cases = [c for c in with_publication_consent(candidates) if c.categories]
    created: list[Need] = []
    now = timezone.now()
    for turn, (case, kind, urgency, age) in enumerate(_plan(cases)):
        try:
            need = services.publish_need(viewer=coordinator, case_id=case.pk, help_kind=kind, urgency=urgency,
                                         summary=describe(case, kind, turn))
        except DomainError:
            continue
        Need.objects.filter(pk=need.pk).update(created_at=now - dt.timedelta(days=age))
        created.append(need)
    _say(verbose, f"{len(created)} needs published (from cases with publication consent)")
    return created


def _offer_to_measure(needs: list[Need], verbose: bool) -> None:
    """Help found for one group of three shown needs (measures fulfilled: «помощь найдена»), on its way for
    another (measures under way), and one new offer. A whole group changes at once: a single need changing
    status would stand out of its group and leave the registry (the k = 3 rule counts the status)."""
    if Offer.objects.exists() or not needs:
        return
    by_id = {n.pk: n for n in Need.objects.filter(pk__in=[n.pk for n in needs]).select_related("case")}
    groups: dict[tuple[str, ...], list[Need]] = defaultdict(list)
    for card in public_needs():
        if card.id in by_id:
            groups[card.group].append(by_id[card.id])
    ready = [members for members in groups.values() if all(n.case.status in ACTIVE for n in members)]
    admin = Viewer.system("demo-community")
    volkov = Benefactor.objects.filter(name="Сергей Волков").first()
    today = timezone.localdate()
    offers = [(index, need, services.offer_help(
        need_id=need.pk, name=volkov.name if volkov else "Сергей Волков",
        email=volkov.email if volkov else "volkov@demo.example", phone="", message="Могу привезти в выходные.",
        consent=True)) for index, members in enumerate(ready[:2]) for need in members]
    for index, need, offer in offers:
        deadline = min(today + dt.timedelta(days=14), need.case.ends_on or today + dt.timedelta(days=14))
        try:
            # The demo coordinator has checked with the benefactor, so the offer is linked to it.
            accepted = services.accept_offer(viewer=admin, offer_id=offer.pk, deadline=max(deadline, today),
                                             task=f"{need.get_help_kind_display().capitalize()} помощь от "
                                                  f"благотворителя",
                                             benefactor_id=volkov.pk if volkov else None,
                                             benefactor_confirmed=volkov is not None)
        except DomainError:
            continue
        if index == 0 and accepted.measure is not None:
            staff = Viewer(subject="demo-institution", username="demo", display_name="КЦСОН (демо)",
                           roles=frozenset({Role.COORDINATOR}), institution_id=need.case.institution_id)
            measure = Measure.objects.get(pk=accepted.measure.pk)
            try:
                fulfil_measure(viewer=staff, measure_id=measure.pk, version=measure.version,
                               result="Помощь передана семье.")
            except DomainError:
                pass
    rest = [need for members in groups.values() if members not in ready[:2] for need in members]
    if rest:
        services.offer_help(need_id=rest[0].pk, name="Мария Лебедева", email="lebedeva@demo.example", phone="",
                            message="Готова помочь, свяжитесь со мной.", consent=True)
    _say(verbose, f"{Offer.objects.count()} offers of help")


def _pages(verbose: bool) -> None:
    home = HomePage.objects.order_by("path").first()
    if home is None:
        return
    specs = [
        (NeedsRegistryPage, "nuzhdy-semei", "Нужды семей",
         "Чем можно помочь семьям, которых сопровождают социальные службы. Без имён, адресов и возраста."),
        (BenefactorsRegistryPage, "reestr-blagotvoritelei", "Реестр благотворителей",
         "Люди и организации, которые помогают семьям. Станьте одним из них."),
        (PartnersRegistryPage, "reestr-partnerov", "Реестр субъектов взаимодействия",
         "Школы, полиция, здравоохранение, служба занятости, опека, НКО и учреждения социального обслуживания."),
    ]
    for model, slug, title, intro in specs:
        if model.objects.exists():
            continue
        page = model(title=title, slug=slug, intro=intro, show_in_menus=True)
        home.add_child(instance=page)
        page.save_revision().publish()
        _say(verbose, f"created {model.__name__}")


@transaction.atomic
def load_demo(*, verbose: bool) -> None:
    """Idempotent: looks everything up before creating it."""
    _benefactors(verbose)
    needs = _needs(verbose)
    _offer_to_measure(needs, verbose)
    _pages(verbose)
