"""Demo families in every state of the case lifecycle (issue 14, item 11), for each demo institution.

The bulk generator (`generate.py`) fills the region with cases for volume; this loader adds a small set of
coherent stories — the signal's text fits its source, the act's findings fit the text, the programme's measures fit
the need circumstances — and takes each one through the services as the demo users would (operator, officer,
coordinator, partners), so every action can be tried from a state that allows it: new signals (one with a repeat,
one whose address did not resolve), a signal being checked, a confirmed signal awaiting the application, a case
awaiting its programme, an approved programme, a programme in progress, a review due, a term ending within a month,
an extended case and a closed one. Dates are relative to the day of loading. Idempotent (an audit marker)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from identity.realm.clients import stable_id
from portal.accounts.models import StaffProfile
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.cases import services
from portal.cases.access import in_institution_territory
from portal.cases.intake_selectors import resolve_address
from portal.cases.models import Case, Measure, Person, Signal
from portal.cases.services import intake
from portal.core.viewer import Role, Viewer
from portal.demo.region import DEMO_USERS
from portal.partners.models import Organisation, OrganisationKind
from portal.territory.models import Officer

MARKER = "demo.intake"


@dataclass(frozen=True)
class Member:
    last_name: str
    first_name: str
    middle_name: str
    age: int
    sex: str
    relation: str


@dataclass(frozen=True)
class PlannedMeasure:
    task: str
    content: str
    kind: str
    #: Organisation kind of the responsible organisation (`social_service`: the institution itself).
    org_kind: str
    shared: tuple[str, ...] = ("first_name", "district")


@dataclass(frozen=True)
class Story:
    source: str
    reporter: str
    summary: str
    urgency: str
    needs: tuple[str, ...]
    categories: tuple[str, ...]
    members: tuple[Member, ...]
    housing: str
    climate: str
    income: int
    level: str
    help_kinds: tuple[str, ...]
    conclusion: str
    services: tuple[str, ...]
    measures: tuple[PlannedMeasure, ...] = field(default=())


SUBSISTENCE_MINIMUM = Decimal("16400")


def _stories(surnames: tuple[str, ...]) -> dict[str, Story]:
    """The stories of one institution; `surnames` (feminine, masculine pairs flattened) keep families apart."""
    s = surnames
    return {
        "received": Story(
            "hotline", "Звонок на горячую линию, представилась соседкой",
            "Пожилая женщина 82 лет живёт одна, в квартире холодно, долг за отопление за полгода; сама "
            "убирать квартиру не может, продукты приносят соседи.",
            "urgent", ("utility_debts", "housing_cleaning"), ("elderly_80",),
            (Member(s[0], "Валентина", "Петровна", 82, "f", "заявитель"),),
            "Однокомнатная квартира, батареи холодные, требуется уборка", "Живёт одна, общительна, жалуется на "
            "одиночество", 14200, "basic", ("social", "material"), "", ("domestic",)),
        "checking": Story(
            "school", "Педагог-психолог СОШ, Громова Е. А.",
            "У ученицы 3 класса (9 лет) синяки на руках, говорит, что боится идти домой; мать на звонки не отвечает.",
            "immediate", ("abuse", "family_conflict"), ("minor_at_risk",),
            (Member(s[2], "Ирина", "Викторовна", 31, "f", "мать"), Member(s[3], "Дарья", "Сергеевна", 9, "f", "дочь")),
            "", "", 0, "crisis", (), "", ()),
        "confirmed": Story(
            "healthcare", "Женская консультация поликлиники, врач Соловьёва Н. П.",
            "Беременная 19 лет (срок 24 недели) без постоянного жилья, живёт у знакомых, нет средств на "
            "обследования и вещи для ребёнка.",
            "urgent", ("no_housing", "needs_medical_help", "no_regular_income"), ("woman_in_crisis",),
            (Member(s[4], "Алина", "Игоревна", 19, "f", "заявитель"),),
            "Постоянного жилья нет, проживает у знакомых в комнате общежития", "Тревожна, поддержки родственников "
            "нет", 0, "intensive", ("medical", "social", "material"),
            "Нуждается в социальном сопровождении: временное жильё, наблюдение по беременности, материальная помощь.",
            ("domestic", "medical")),
        "registered": Story(
            "own_application", "Заявитель обратилась лично",
            "Личное обращение: мать троих детей после развода осталась без работы и без регистрации по месту "
            "жительства, просит помочь с пособиями и работой.",
            "routine", ("no_regular_income", "no_registration"), ("large_family", "woman_in_crisis"),
            (Member(s[6], "Светлана", "Андреевна", 34, "f", "мать"), Member(s[7], "Кирилл", "Олегович", 12, "m", "сын"),
             Member(s[6], "Полина", "Олеговна", 8, "f", "дочь"), Member(s[7], "Артём", "Олегович", 4, "m", "сын")),
            "Снимает комнату без регистрации", "Спокойный, дети привязаны к матери", 6100, "intensive",
            ("employment", "legal", "social"), "Семья нуждается в сопровождении: трудоустройство, регистрация, "
            "меры социальной поддержки.", ("legal", "labour")),
        "approved": Story(
            "school", "Классный руководитель 6 «Б», Петрова И. С.",
            "Ученик 6 «Б» (12 лет) с начала месяца пропустил 9 дней без уважительной причины, приходит без завтрака; "
            "мать объясняет, что не хватает денег на проезд.",
            "routine", ("below_subsistence", "family_conflict"), ("low_income",),
            (Member(s[8], "Ольга", "Ивановна", 36, "f", "мать"), Member(s[9], "Илья", "Андреевич", 12, "m", "сын")),
            "Двухкомнатная квартира, требуется ремонт кухни", "Напряжённый: ссоры из-за денег", 9500, "basic",
            ("pedagogical", "material", "social"), "Нуждается в сопровождении базового уровня.",
            ("pedagogical", "domestic"),
            (PlannedMeasure("Консультация педагога-психолога для ребёнка", "Четыре встречи с педагогом-психологом, "
                            "разбор причин пропусков", "pedagogical", "school"),
             PlannedMeasure("Контроль посещаемости занятий, информирование куратора", "Еженедельно сообщать "
                            "куратору о пропусках", "pedagogical", "school"),
             PlannedMeasure("Продуктовый набор и одежда для детей", "Набор на месяц и зимняя куртка для сына",
                            "material", "ngo", ("first_name", "last_name", "phone", "address")),
             PlannedMeasure("Оформление мер социальной поддержки", "Ежемесячное пособие малоимущей семье, "
                            "бесплатное питание в школе", "social", "social_service"))),
        "in_progress": Story(
            "police", "ПДН ОМВД, инспектор Кузнецов Д. А.",
            "По вызову соседей выезжал наряд: семейный конфликт, отец в состоянии опьянения, двое детей дома. "
            "Составлен протокол.",
            "urgent", ("family_conflict", "abuse"), ("minor_at_risk",),
            (Member(s[10], "Наталья", "Сергеевна", 38, "f", "мать"),
             Member(s[11], "Максим", "Павлович", 14, "m", "сын"), Member(s[10], "Вера", "Павловна", 6, "f", "дочь")),
            "Трёхкомнатная квартира, порядок", "Конфликтный: отец злоупотребляет алкоголем", 15800, "intensive",
            ("legal", "psychological"), "Нуждается в интенсивном сопровождении: профилактика насилия.",
            ("psychological", "legal"),
            (PlannedMeasure("Профилактическая беседа с родителями", "Беседа инспектора ПДН с отцом, предупреждение",
                            "legal", "police", ("first_name", "last_name", "address", "district")),
             PlannedMeasure("Психологическое консультирование семьи", "Курс из шести консультаций для матери и детей",
                            "psychological", "social_service"),
             PlannedMeasure("Консультация педагога-психолога для ребёнка", "Наблюдение за сыном в школе",
                            "pedagogical", "school"))),
        "review_due": Story(
            "neighbours", "Соседка из кв. 9 (имя записано оператором)",
            "В квартире многодетной семьи неделю нет света — отключили за долги; дети младшего возраста, "
            "мать просит соседей о продуктах.",
            "urgent", ("utility_debts", "debts", "below_subsistence"), ("large_family", "low_income"),
            (Member(s[12], "Екатерина", "Юрьевна", 33, "f", "мать"), Member(s[13], "Егор", "Денисович", 7, "m", "сын"),
             Member(s[12], "Алиса", "Денисовна", 5, "f", "дочь"), Member(s[13], "Фёдор", "Денисович", 2, "m", "сын")),
            "Двухкомнатная квартира, электричество отключено", "Доброжелательный, мать перегружена", 7200,
            "intensive", ("urgent", "material", "employment"), "Нуждается в интенсивном сопровождении.",
            ("urgent", "domestic"),
            (PlannedMeasure("Срочная социальная услуга: обеспечение бесплатным горячим питанием", "Горячее питание "
                            "детям на время отключения", "urgent", "social_service"),
             PlannedMeasure("Продуктовый набор и одежда для детей", "Наборы на два месяца", "material", "ngo",
                            ("first_name", "last_name", "phone", "address")),
             PlannedMeasure("Подбор подходящих вакансий и профессиональное обучение", "Работа с гибким графиком "
                            "для матери", "employment", "employment", ("first_name", "last_name", "phone")))),
        "term_ending": Story(
            "healthcare", "Участковый педиатр поликлиники",
            "Ребёнок-инвалид (ДЦП, 7 лет): семья не оформила технические средства реабилитации и пропустила "
            "переосвидетельствование МСЭ; мать одна ухаживает за ребёнком.",
            "routine", ("rehab_aids", "disability_assessment", "no_regular_income"), ("disabled_child",),
            (Member(s[14], "Марина", "Олеговна", 35, "f", "мать"), Member(s[15], "Тимур", "Русланович", 7, "m", "сын")),
            "Квартира на 4 этаже без лифта", "Спокойный, мать устала", 11800, "basic", ("medical", "social"),
            "Нуждается в сопровождении: МСЭ, ТСР, занятость матери.", ("medical", "domestic"),
            (PlannedMeasure("Направление на медико-социальную экспертизу", "Подготовка документов и запись на МСЭ",
                            "medical", "healthcare", ("first_name", "last_name", "birth_date", "district")),
             PlannedMeasure("Оформление мер социальной поддержки", "Коляска и вертикализатор из пункта проката",
                            "social", "social_service"))),
        "extended": Story(
            "other_organisation", "КДН и ЗП, постановление № 41",
            "Постановление комиссии о профилактической работе с несовершеннолетним 15 лет: трижды уходил из дома, "
            "конфликты с отчимом и одноклассниками.",
            "routine", ("family_conflict", "conflict_with_others"), ("minor_at_risk",),
            (Member(s[16], "Юлия", "Николаевна", 41, "f", "мать"), Member(s[17], "Даниил", "Игоревич", 15, "m", "сын")),
            "Квартира, у подростка своя комната", "Конфликтный, подросток замкнут", 18500, "intensive",
            ("legal", "pedagogical", "psychological"), "Нуждается в интенсивном сопровождении.", ("psychological",),
            (PlannedMeasure("Рассмотрение ситуации на заседании комиссии", "Заслушать мать и подростка",
                            "legal", "minors_commission", ("first_name", "last_name", "birth_date", "address")),
             PlannedMeasure("Организация летнего отдыха и занятости подростка", "Трудовой отряд на июль",
                            "pedagogical", "school"),
             PlannedMeasure("Психологическое консультирование семьи", "Семейная терапия: мать, отчим, подросток",
                            "psychological", "social_service"))),
        "closed": Story(
            "hotline", "Звонок на горячую линию, дочь заявителя",
            "Ветеран труда 84 лет после инсульта: нужна функциональная кровать и поручни, дочь работает посменно и "
            "не справляется с уходом.",
            "routine", ("rehab_aids", "needs_medical_help"), ("elderly_80",),
            (Member(s[18], "Николай", "Степанович", 84, "m", "заявитель"),),
            "Двухкомнатная квартира, нужны поручни в ванной", "Тёплые отношения с дочерью", 23000, "basic",
            ("medical", "social"), "Нуждается в сопровождении базового уровня.", ("medical", "domestic"),
            (PlannedMeasure("Патронаж пожилого гражданина медицинской сестрой", "Визиты дважды в неделю",
                            "medical", "healthcare", ("first_name", "last_name", "address", "phone")),
             PlannedMeasure("Оформление мер социальной поддержки", "Функциональная кровать из пункта проката",
                            "social", "social_service"),
             PlannedMeasure("Помощь волонтёров в ремонте жилого помещения", "Поручни в ванной и туалете",
                            "material", "ngo", ("first_name", "address", "phone")))),
    }


#: The family of the lapsed case (feminine, masculine).
LAPSED_SURNAMES = {"kcson-zarechny": ("Орлова", "Орлов"), "kcson-berezovsky": ("Киселёва", "Киселёв")}

SURNAMES = {
    "kcson-zarechny": ("Белова", "Зайцева", "Зайцева", "Тихонова", "Крылова", "Крылов", "Гусева", "Гусев",
                       "Смирнова", "Смирнов", "Романова", "Романов", "Комарова", "Комаров", "Лебедева", "Лебедев",
                       "Егорова", "Егоров", "Данилов"),
    "kcson-berezovsky": ("Макарова", "Фролова", "Фролова", "Антонова", "Полякова", "Поляков", "Мельникова",
                         "Мельников", "Ершова", "Ершов", "Зуева", "Зуев", "Носкова", "Носков", "Сафонова", "Сафонов",
                         "Титова", "Титов", "Медведев"),
}
STREETS = {"kcson-zarechny": "г. Заречный, ул. Ленина", "kcson-berezovsky": "с. Берёзовка, ул. Советская"}
USERS = {"kcson-zarechny": {"operator": "operator", "officer": "officer.ivanova", "coordinator": "coordinator.petrova"},
         "kcson-berezovsky": {"operator": "officer.sokolov", "officer": "officer.sokolov",
                              "coordinator": "coordinator.orlov"}}
PREFERRED = {"kcson-zarechny": {"school": "school-7", "police": "police-zarechny", "healthcare": "clinic-2",
                                "ngo": "ngo-dobrye-ruki", "employment": "employment-zarechny",
                                "minors_commission": "kdn-zarechny", "guardianship": "guardianship-zarechny"},
             "kcson-berezovsky": {"school": "school-berezovka", "ngo": "ngo-dobrye-ruki"}}
PARTNER_LOGINS = {"school-7": "partner.school", "police-zarechny": "partner.police", "clinic-2": "partner.clinic",
                  "ngo-dobrye-ruki": "partner.ngo"}


class World:
    """The institution's actors (as the demo users) and its organisations by kind."""

    def __init__(self, institution: Organisation) -> None:
        self.institution = institution
        names = USERS[institution.code]
        self.operator = self._viewer(names["operator"])
        self.officer = self._viewer(names["officer"])
        self.coordinator = self._viewer(names["coordinator"])
        self.officer_row = Officer.objects.filter(username=names["officer"]).first()
        self.houses = self._houses()
        #: Cases of the stories by their state, for what later steps build on (the pending transfer).
        self.cases: dict[str, Case] = {}

    def _viewer(self, username: str) -> Viewer:
        spec = next(user for user in DEMO_USERS if user["username"] == username)
        subject = stable_id("user", username)
        user = get_user_model().objects.filter(username=username).first()
        if user is not None:
            # The same subject as the realm's token gives, so a local sign-in sees what this loader registered.
            StaffProfile.objects.filter(user=user, subject="").update(subject=subject)
        officer = Officer.objects.filter(username=username).first()
        return Viewer(subject=subject, username=username, display_name=f"{spec['first_name']} {spec['last_name']}",
                      roles=frozenset(Role(role) for role in spec["roles"]), institution_id=self.institution.pk,
                      institution_code=self.institution.code, user_id=user.pk if user else None,
                      precinct_ids=frozenset(officer.precincts.values_list("pk", flat=True)) if officer else
                      frozenset())

    def _houses(self) -> list[str]:
        """Addresses of the institution's territory whose house resolves to a precinct (one family each)."""
        found: list[str] = []
        for house in range(1, 160):
            address = f"{STREETS[self.institution.code]}, д. {house}"
            precinct_id, _key = resolve_address(address)
            if precinct_id is not None and in_institution_territory(self.institution.pk, precinct_id):
                found.append(address)
            if len(found) >= 12:
                break
        return found

    def organisation(self, kind: str) -> Organisation:
        """The responsible organisation of a kind: the partners with demo logins for the town's institution, the
        district's own elsewhere, the region-wide fund for material help."""
        if kind == OrganisationKind.SOCIAL_SERVICE:
            return self.institution
        preferred = PREFERRED.get(self.institution.code, {}).get(kind)
        if preferred and (row := Organisation.objects.filter(code=preferred, active=True).first()) is not None:
            return row
        local = Organisation.objects.filter(kind=kind, active=True, district=self.institution.district)
        if kind in ("ngo",):  # the region-wide fund works everywhere
            local = Organisation.objects.filter(kind=kind, active=True)
        found = local.order_by("pk").first() or Organisation.objects.filter(kind=kind, active=True).order_by(
            "pk").first()
        return found or self.institution

    def executor(self, organisation: Organisation) -> Viewer:
        if organisation.pk == self.institution.pk:
            return self.coordinator
        username = PARTNER_LOGINS.get(organisation.code, f"partner.{organisation.code}")
        return Viewer(subject=stable_id("user", username), username=username, display_name=organisation.name[:60],
                      roles=frozenset({Role.PARTNER}), organisation_id=organisation.pk,
                      organisation_code=organisation.code)


def _at(day: dt.date, hour: int = 10, minute: int = 30) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _birth(today: dt.date, age: int, index: int) -> dt.date:
    return dt.date(today.year - age, 1 + (index * 5) % 12, 3 + (index * 7) % 25)


def _signal(world: World, story: Story, address: str, received: dt.date, by: Viewer) -> Signal:
    return intake.register_signal(
        viewer=by, source=story.source, summary=story.summary, received_at=_at(received), address=address,
        reporter=story.reporter, anonymous=not story.reporter, urgency=story.urgency,
        need_circumstances=list(story.needs), not_a_repeat=True)


def _act(world: World, story: Story, signal: Signal, day: dt.date) -> None:
    members = "; ".join(f"{m.last_name} {m.first_name} {m.middle_name}, {m.age} лет, {m.relation}"
                        for m in story.members)
    intake.record_inspection_act(
        viewer=world.officer, signal_id=signal.pk, inspected_on=day, family_categories=list(story.categories),
        members=members, housing=story.housing, psychological_climate=story.climate,
        income_per_person=Decimal(story.income), subsistence_minimum=SUBSISTENCE_MINIMUM,
        need_indicators=list(story.needs), recommended_level=story.level,
        support_form="at_home", help_kinds=list(story.help_kinds), conclusion=story.conclusion,
        circumstances=story.summary)


def _checked(world: World, story: Story, address: str, received: dt.date) -> Signal:
    signal = _signal(world, story, address, received, world.operator)
    if world.officer_row is not None:
        intake.assign_signal_check(viewer=world.coordinator, signal_id=signal.pk, officer_id=world.officer_row.pk)
    _act(world, story, signal, received + dt.timedelta(days=2))
    return services.confirm_signal(viewer=world.officer, signal_id=signal.pk)


def _family(world: World, story: Story, address: str, today: dt.date, flat: int) -> list[Person]:
    household = intake.register_household(viewer=world.coordinator, address=f"{address}, кв. {flat}",
                                          categories=list(story.categories), not_duplicate=True)
    return [intake.register_person(viewer=world.coordinator, household_id=household.pk, last_name=m.last_name,
                                   first_name=m.first_name, middle_name=m.middle_name,
                                   birth_date=_birth(today, m.age, index), sex=m.sex, relation=m.relation,
                                   not_duplicate=True)
            for index, m in enumerate(story.members)]


def _case(world: World, story: Story, address: str, flat: int, today: dt.date, registered: dt.date) -> Case:
    signal = _checked(world, story, f"{address}, кв. {flat}", registered - dt.timedelta(days=6))
    persons = _family(world, story, address, today, flat)
    application = intake.record_application(
        viewer=world.coordinator, person_id=persons[0].pk, received_on=registered, applicant_kind="self",
        services_requested=list(story.services), help_requested=list(story.help_kinds),
        processing_consent=True, publication_consent=story.level == "basic", signal_id=signal.pk)
    return intake.register_case_from_application(
        viewer=world.coordinator, application_id=application.pk, registered_on=registered, level=story.level,
        categories=list(story.categories), reasons=story.summary)


def _programme(world: World, story: Story, case: Case, decided: dt.date, *, body: str = "consilium") -> Case:
    children = list(Person.objects.filter(household_id=case.household_id).exclude(pk=case.applicant_id)
                    .order_by("birth_date"))
    for index, planned in enumerate(story.measures):
        organisation = world.organisation(planned.org_kind)
        recipient = children[0].pk if children and planned.kind == "pedagogical" else None
        services.assign_measure(
            viewer=world.coordinator, case_id=case.pk, task=planned.task, content=planned.content,
            kind=planned.kind, deadline=decided + dt.timedelta(days=30 + 25 * index), organisation_id=organisation.pk,
            place=organisation.address, responsible_person="", recipient_id=recipient,
            shared_fields=list(planned.shared))
    return services.approve_programme(
        viewer=world.coordinator, case_id=case.pk, decided_on=decided, body=body,
        protocol_number=f"{'МВРГ' if body == 'interagency_group' else 'К'}-{case.pk}/{decided.year}",
        participants="Куратор семьи, социальный участковый, представители субъектов взаимодействия")


def _report(world: World, case: Case, *, fulfil: int, today: dt.date) -> None:
    """Partners report their measures: the first `fulfil` fulfilled, the next one accepted."""
    measures = list(Measure.objects.filter(case=case).select_related("organisation").order_by("deadline", "pk"))
    for index, measure in enumerate(measures):
        executor = world.executor(measure.organisation)
        if index < fulfil:
            done = min(measure.deadline, today)
            services.fulfil_measure(viewer=executor, measure_id=measure.pk, version=measure.version,
                                    result="Мероприятие проведено, семья проинформирована, результат передан куратору.",
                                    done_on=max(done, case.started_on or done))
        elif index == fulfil:
            services.accept_measure(viewer=executor, measure_id=measure.pk, version=measure.version)


def _institution_stories(world: World, today: dt.date) -> int:
    stories = _stories(SURNAMES[world.institution.code])
    houses = world.houses
    if len(houses) < 10:
        return 0
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    # New signals: one with a repeated, anonymous report attached; one whose address did not resolve.
    first = _signal(world, stories["received"], f"{houses[0]}, кв. 7", ago(2), world.operator)
    intake.register_signal(viewer=world.operator, source="neighbours", anonymous=True, urgency="urgent",
                           summary="Соседи: пожилая соседка из кв. 7 второй день не открывает дверь, свет горит.",
                           address=f"{houses[0]}, кв. 7", received_at=_at(ago(1), 21, 10),
                           repeat_of_id=first.pk)
    intake.register_signal(
        viewer=world.operator, source="hotline", reporter="Звонок на горячую линию, мужчина, назвался Сергеем",
        summary="В частном доме у реки за рынком живёт семья с маленькими детьми, печь не топится; точный адрес "
                "звонивший не знает.", address=f"{STREETS[world.institution.code].split(',')[0]}, частный дом у "
                                               f"реки за рынком", received_at=_at(ago(1), 9, 5),
        urgency="urgent", need_circumstances=["housing_repair"])
    # Being checked: assigned to the officer, the visit not yet recorded.
    checking = _signal(world, stories["checking"], f"{houses[1]}, кв. 21", ago(1), world.operator)
    if world.officer_row is not None:
        intake.assign_signal_check(viewer=world.coordinator, signal_id=checking.pk, officer_id=world.officer_row.pk)
    # Confirmed, awaiting the family's application.
    _checked(world, stories["confirmed"], f"{houses[2]}, кв. 3", ago(6))
    # Registered, awaiting its programme.
    _case(world, stories["registered"], houses[3], 15, today, ago(3))
    # Approved, nothing reported yet.
    case = _case(world, stories["approved"], houses[4], 44, today, ago(12))
    _programme(world, stories["approved"], case, ago(5))
    # In progress: a partner has accepted, the institution has fulfilled one.
    case = _case(world, stories["in_progress"], houses[5], 8, today, ago(40))
    case = _programme(world, stories["in_progress"], case, ago(33), body="interagency_group")
    _report(world, case, fulfil=1, today=today)
    world.cases["in_progress"] = case
    # Interim review due (3 months since the start, none recorded).
    case = _case(world, stories["review_due"], houses[6], 9, today, ago(104))
    case = _programme(world, stories["review_due"], case, ago(98))
    _report(world, case, fulfil=1, today=today)
    # Term ending within a month: reviewed at 3 months, ends in about three weeks.
    case = _case(world, stories["term_ending"], houses[7], 31, today, ago(170))
    case = _programme(world, stories["term_ending"], case, ago(162))
    _report(world, case, fulfil=1, today=today)
    services.record_review(viewer=world.coordinator, case_id=case.pk, reviewed_on=ago(70),
                           findings="Переосвидетельствование назначено, ТСР в работе; программа продолжается.")
    # Extended by the interagency working group after the first six months.
    case = _case(world, stories["extended"], houses[8], 52, today, ago(215))
    case = _programme(world, stories["extended"], case, ago(205), body="interagency_group")
    services.record_review(viewer=world.coordinator, case_id=case.pk, reviewed_on=ago(112),
                           findings="Уходов из дома не было, конфликты с отчимом сохраняются.")
    case.refresh_from_db()
    assert case.ends_on is not None and case.started_on is not None
    # The extension rests on the monitoring inspection of the term's last 30 days and the family's wish (§6.1.2,
    # §6.4); decided before the term ended, so the partners' reports below are on a case still in force.
    services.record_monitoring_inspection(
        viewer=world.coordinator, case_id=case.pk, inspected_on=case.ends_on - dt.timedelta(days=10),
        findings="Конфликты в семье снизились, но семейная терапия не завершена; мать и подросток просят продолжить.")
    services.extend_case(viewer=world.coordinator, case_id=case.pk, version=case.version,
                         ends_on=case.ends_on + dt.timedelta(days=90), decided_on=case.ends_on - dt.timedelta(days=3),
                         protocol_number=f"МВРГ-{case.pk}-П/{today.year}",
                         participants="Межведомственная рабочая группа: УСЗН, КДН и ЗП, школа, КЦСОН",
                         summary="Продлить сопровождение на три месяца: семейная терапия не завершена.",
                         wish_on=case.ends_on - dt.timedelta(days=8),
                         wish="Мать письменно просит продлить сопровождение до окончания семейной терапии.")
    case.refresh_from_db()
    _report(world, case, fulfil=2, today=today)
    # Lapsed: the term ended a fortnight ago without a decision; partners' reports are refused until it is
    # extended or closed.
    lapsed = replace(stories["approved"], members=tuple(
        replace(member, last_name=LAPSED_SURNAMES[world.institution.code][member.sex == "m"])
        for member in stories["approved"].members))
    case = _case(world, lapsed, houses[4], 61, today, ago(205))
    _programme(world, lapsed, case, ago(197))
    # Closed with results, before the end of its term, on the monitoring inspection.
    case = _case(world, stories["closed"], houses[9], 2, today, ago(183))
    case = _programme(world, stories["closed"], case, ago(175))
    _report(world, case, fulfil=len(stories["closed"].measures), today=today)
    services.record_monitoring_inspection(
        viewer=world.coordinator, case_id=case.pk, inspected_on=ago(25),
        findings="Кровать и поручни на месте, патронаж идёт, дочь справляется; в сопровождении не нуждается.")
    case.refresh_from_db()
    services.close_case(viewer=world.coordinator, case_id=case.pk, version=case.version, closed_on=ago(20),
                        outcome=Case.Outcome.RESOLVED,
                        results="Кровать и поручни установлены, патронаж медсестры налажен, дочь справляется с уходом.",
                        recommendations="Наблюдение социальным участковым раз в квартал.")
    return 14


def _pending_transfer(worlds: dict[str, World]) -> int:
    """The family of Berezovsky's case in progress has moved to Zarechny: its coordinator proposed the transfer,
    which waits on the dashboard of Zarechny's coordinator (coordinator.petrova) to be accepted or declined. The
    partners' measures follow the case; the sending institution's own measures are cancelled."""
    sender, receiver = worlds.get("kcson-berezovsky"), worlds.get("kcson-zarechny")
    if sender is None or receiver is None or "in_progress" not in sender.cases or not receiver.houses:
        return 0
    precinct_id, _key = resolve_address(receiver.houses[-1])
    if precinct_id is None:
        return 0
    case = sender.cases["in_progress"]
    plan: dict[int | str, str] = {measure.pk: "cancel" if measure.organisation_id == sender.institution.pk else "follow"
            for measure in case.measures.filter(status__in=Measure.PENDING_STATUSES)}
    services.propose_transfer(
        viewer=sender.coordinator, case_id=case.pk, to_institution_id=receiver.institution.pk,
        to_precinct_id=precinct_id, measure_plan=plan,
        reason=f"Семья переехала в г. Заречный ({receiver.houses[-1]}): сопровождение продолжит "
               f"{receiver.institution.name}.")
    return 1


def load_demo(*, verbose: bool) -> None:
    """Idempotent: the stories are added once (an audit marker says so)."""
    if AuditEvent.objects.filter(verb=MARKER).exists():
        return
    today = timezone.localdate()
    added = 0
    with transaction.atomic():
        worlds = {institution.code: World(institution)
                  for institution in Organisation.objects.filter(code__in=list(USERS)).order_by("pk")}
        for world in worlds.values():
            added += _institution_stories(world, today)
        added += _pending_transfer(worlds)
        audit.record(viewer=Viewer.system("seed"), action=AuditEvent.Action.CREATE, verb=MARKER,
                     object_type="demo.region", object_id="intake", details={"stories": added})
    if verbose:
        print(f"Demo intake: {added} signals and families in every state of the lifecycle.", flush=True)

