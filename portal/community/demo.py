"""Demo content of the registries: moderated benefactors, anonymised needs published from demo cases
that have the family's publication consent, one offer turned into a measure, and the registry pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from portal.core.viewer import Role, Viewer
from portal.cases.models import Case, Measure
from portal.community import services
from portal.community.models import Benefactor, Need, Offer
from portal.core.errors import DomainError
from portal.partners.models import Organisation
from portal.territory.models import District

BENEFACTORS = [
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

SUMMARIES = {
    "material": ["Нужна зимняя одежда и обувь для детей", "Нужны продуктовые наборы", "Нужен холодильник",
                 "Нужны школьные принадлежности", "Нужны средства гигиены"],
    "social": ["Нужна помощь с уборкой и покупкой продуктов", "Нужна помощь с переездом"],
    "psychological": ["Нужна поддержка психолога для родителя"],
    "pedagogical": ["Нужны занятия с ребёнком по школьным предметам"],
    "legal": ["Нужна консультация юриста по оформлению документов"],
}
KIND_ORDER = ["material", "social", "pedagogical", "legal", "psychological"]
MAX_NEEDS = 60


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


def _needs(verbose: bool) -> list[Need]:
    """Needs only from open demo cases whose family consented to publication; kinds chosen so that
    most combinations are common enough to be shown (the rest are coarsened or hidden, as designed)."""
    if Need.objects.exists():
        return list(Need.objects.all())
    coordinator = Viewer.system("demo-community")
    by_group: dict[tuple[int, str], list[Case]] = defaultdict(list)
    candidates = Case.objects.exclude(status=Case.Status.CLOSED).select_related("precinct").order_by("id")
    for case in candidates:
        if case.categories and services.publication_consent(case) is not None:
            by_group[(case.precinct.district_id, case.categories[0])].append(case)
    created: list[Need] = []
    for (_district, _category), cases in sorted(by_group.items(), key=lambda item: -len(item[1])):
        for index, case in enumerate(cases):
            if len(created) >= MAX_NEEDS:
                break
            kind = KIND_ORDER[(index // 3) % len(KIND_ORDER)] if len(cases) >= 6 else "material"
            texts = SUMMARIES[kind]
            try:
                created.append(services.publish_need(
                    viewer=coordinator, case_id=case.pk, help_kind=kind,
                    urgency=["urgent", "soon", "planned"][index % 3], summary=texts[index % len(texts)]))
            except DomainError:
                continue
    _say(verbose, f"{len(created)} needs published (from cases with publication consent)")
    return created


def _offer_to_measure(needs: list[Need], verbose: bool) -> None:
    """One offer turned into a measure and fulfilled (need «covered»), one in progress, one new."""
    if Offer.objects.exists() or not needs:
        return
    from portal.community.selectors import public_need

    shown = [n for n in needs if public_need(n.pk) is not None]
    active = [n for n in shown if n.case.status in (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS,
                                                     Case.Status.EXTENDED)]
    admin = Viewer.system("demo-community")
    volkov = Benefactor.objects.filter(name="Сергей Волков").first()
    today = timezone.localdate()
    for index, need in enumerate(active[:2]):
        offer = services.offer_help(need_id=need.pk, name=volkov.name if volkov else "Сергей Волков",
                                    email=volkov.email if volkov else "volkov@demo.example", phone="",
                                    message="Могу привезти в выходные.", consent=True)
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
            from portal.cases.services import fulfil_measure

            staff = Viewer(subject="demo-institution", username="demo", display_name="КЦСОН (демо)",
                           roles=frozenset({Role.COORDINATOR}), institution_id=need.case.institution_id)
            measure = Measure.objects.get(pk=accepted.measure.pk)
            try:
                fulfil_measure(viewer=staff, measure_id=measure.pk, version=measure.version,
                               result="Помощь передана семье.")
            except DomainError:
                pass
    new_for = next((n for n in shown if not n.offers.exists()), None)
    if new_for is not None:
        services.offer_help(need_id=new_for.pk, name="Мария Лебедева", email="lebedeva@demo.example", phone="",
                            message="Готова помочь, свяжитесь со мной.", consent=True)
    _say(verbose, f"{Offer.objects.count()} offers of help")


def _pages(verbose: bool) -> None:
    from cms.models import HomePage
    from portal.community.pages import BenefactorsRegistryPage, NeedsRegistryPage, PartnersRegistryPage

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
