"""Demo content of consultations: topics, specialists, published questions and answers (with
contacts masked), a few open questions for the moderation queue, and the consultations page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cms.models import HomePage
from portal.accounts.selectors import viewer_for_user
from portal.consultations import services
from portal.consultations.models import Question, Specialist, Topic
from portal.consultations.pages import ConsultationsPage
from portal.core.viewer import Viewer
from portal.partners.models import Organisation
from portal.territory.models import District

TOPICS = [
    ("benefits", "Пособия и выплаты", "Детские пособия, выплаты малоимущим, компенсации"),
    ("social-support", "Социальное сопровождение", "Как встать на сопровождение, индивидуальная программа"),
    ("housing", "Жильё и ЖКУ", "Субсидии на оплату ЖКУ, ремонт, временное жильё"),
    ("health", "Здоровье и инвалидность", "МСЭ, реабилитация, технические средства"),
    ("children", "Дети и семья", "Многодетные семьи, опека, конфликты в семье"),
    ("work", "Работа и занятость", "Трудоустройство, переобучение, «Социальный лифт»"),
]

#: Demo accounts (portal.demo.accounts) that moderate every topic: they see the questions as asked.
MODERATORS = ["editor.site"]

SPECIALISTS: list[dict[str, Any]] = [
    {"full_name": "Петрова Татьяна Викторовна", "user": "coordinator.petrova",
     "position": "специалист по социальной работе КЦСОН",
     "email": "petrova.consult@zarechny.example", "org": "kcson-zarechny", "topics": ["benefits", "social-support",
                                                                                       "children"],
     "districts": ["zarechny-leninsky", "zarechny-oktyabrsky"]},
    {"full_name": "Орлов Игорь Николаевич", "user": "coordinator.orlov", "position": "заведующий отделением КЦСОН",
     "email": "orlov.consult@berezovka.example", "org": "kcson-berezovsky", "topics": [],
     "districts": ["berezovsky", "sosnovsky"]},
    {"full_name": "Белова Наталья Андреевна", "position": "юрисконсульт КЦСОН", "email": "belova@zarechny.example",
     "org": "kcson-zarechny", "topics": ["housing", "health", "work"], "districts": []},
]

#: (topic, district, author, question as asked, answer). Contacts in questions are masked on publication.
PUBLISHED = [
    ("benefits", "zarechny-leninsky", "Марина",
     "Здравствуйте! Я одна воспитываю двоих детей, доход маленький. Какие пособия мне положены и куда обращаться? "
     "Мой телефон 8-912-345-67-89, звоните после шести.",
     "Вам может быть назначено единое пособие на детей: заявление подаётся через Госуслуги или МФЦ. "
     "Если доход семьи ниже прожиточного минимума, обратитесь также в КЦСОН г. Заречный (ул. Ленина, 12) — "
     "специалист поможет собрать документы и оценит, нужна ли социальная помощь."),
    ("housing", "zarechny-oktyabrsky", "Пенсионер",
     "Живу один по адресу ул. Чкалова, д. 7, кв. 12, пенсия небольшая, за квартиру платить всё тяжелее. "
     "Можно ли получить субсидию? Телефон +7 (342) 255-18-40.",
     "Да, если расходы на ЖКУ превышают 22 % совокупного дохода, можно оформить субсидию. Нужны паспорт, "
     "справка о доходах и квитанции. Заявление принимает МФЦ; при затруднениях социальный участковый может "
     "прийти к вам на дом."),
    ("social-support", "berezovsky", "Ольга К.",
     "Что такое социальное сопровождение и как на него встать? У нас многодетная семья, муж потерял работу. "
     "Пишите на olga.k@mail.example.",
     "Социальное сопровождение — это помощь семье в трудной ситуации силами разных служб по индивидуальной "
     "программе (до 6 месяцев). Обратитесь к своему социальному участковому или в КЦСОН Берёзовского округа с "
     "заявлением — его можно написать на месте."),
    ("health", "zarechny-leninsky", "Аноним",
     "Ребёнку нужна коляска, ждём инвалидность. Как ускорить МСЭ? Звоните 200-45-17.",
     "Направление на МСЭ выдаёт поликлиника. Если сроки затягиваются, обратитесь в КЦСОН — специалист по "
     "сопровождению может организовать консультацию и помочь с записью. Технические средства реабилитации "
     "после установления инвалидности выдаёт Социальный фонд."),
    ("children", "sosnovsky", "Мама троих",
     "Живём в п. Сосновый Бор, ул. Лесная 14. Нужна помощь с одеждой для детей к школе, денег не хватает.",
     "Многодетные семьи могут получить помощь одеждой и школьными принадлежностями через КЦСОН. Кроме того, "
     "благотворительный фонд «Добрые руки» ежегодно проводит акцию «Собери ребёнка в школу». Ваш социальный "
     "участковый поможет подать заявку."),
    ("work", "zarechny-leninsky", "Андрей",
     "Недавно освободился, не могу устроиться на работу, нет регистрации. Что делать? Мой номер 89025551234.",
     "Обратитесь в центр занятости (ул. Кирова, 21) и в КЦСОН: по технологии «Социальный лифт» вам помогут с "
     "документами, временным жильём и поиском работы. Регистрацию по месту пребывания можно оформить и без "
     "собственного жилья."),
    ("benefits", "berezovsky", "Наталья",
     "Положена ли ежемесячная выплата на третьего ребёнка, если мы живём в селе? Почта natalya@example.org",
     "Да, выплата назначается независимо от места жительства. Подайте заявление через Госуслуги или в МФЦ; "
     "в Берёзовском округе документы также принимает КЦСОН (с. Берёзовка, ул. Советская, 3)."),
]

OPEN = [
    ("housing", "zarechny-oktyabrsky", "Ирина", "ira.m@example.org",
     "У нас в квартире протекает крыша, управляющая компания не отвечает. Можно ли получить помощь с ремонтом? "
     "Телефон 8 (342) 277-33-10.", 0),
    ("social-support", "zarechny-leninsky", "Сосед", "",
     "По соседству живёт пожилая женщина, ей за 80, одна, кажется, не справляется. Куда сообщить?", 35),
]


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(f"  consultations: {message}", flush=True)


def _topics(verbose: bool) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    moderators = list(get_user_model().objects.filter(username__in=MODERATORS))
    for order, (slug, name, description) in enumerate(TOPICS, start=1):
        topic, created = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description,
                                                                          "sort_order": order})
        topics[slug] = topic
        if created:
            topic.moderators.add(*moderators)
            _say(verbose, f"topic «{name}»")
    return topics


def _specialists(topics: dict[str, Topic], verbose: bool) -> None:
    for spec in SPECIALISTS:
        if Specialist.objects.filter(full_name=spec["full_name"]).exists():
            continue
        specialist = Specialist.objects.create(
            full_name=spec["full_name"], position=spec["position"], email=spec["email"],
            organisation=Organisation.objects.filter(code=spec["org"]).first(),
            user=get_user_model().objects.filter(username=spec.get("user") or "").first())
        specialist.topics.set([topics[s] for s in spec["topics"]])
        specialist.districts.set(District.objects.filter(code__in=spec["districts"]))
        _say(verbose, f"specialist {specialist.full_name}")


def _author(question: Question, moderator: Viewer) -> Viewer:
    """Who writes the demo answer (and so signs it): the assigned specialist's account when there is one; without
    the demo accounts, the loader in the specialist's name."""
    specialist = question.specialist
    if specialist is not None and specialist.user is not None:
        return viewer_for_user(specialist.user)
    if moderator.user_id is None and specialist is not None:
        return Viewer(subject=moderator.subject, username=moderator.username, display_name=str(specialist),
                      roles=moderator.roles)
    return moderator


def _questions(topics: dict[str, Topic], verbose: bool) -> None:
    districts = {d.code: d for d in District.objects.all()}
    moderator_user = get_user_model().objects.filter(username=MODERATORS[0]).first()
    # The demo editor moderates the topics; without the demo accounts (portal.demo.accounts) the loader itself acts.
    moderator = viewer_for_user(moderator_user) if moderator_user else Viewer.system("demo-consultations")
    for topic, district, author, text, answer in PUBLISHED:
        if district not in districts or Question.objects.filter(text=text).exists():
            continue
        question = services.ask_question(author_name=author, email="", topic_id=topics[topic].pk,
                                         district_id=districts[district].pk, text=text, consent=True)
        if moderator_user is not None:
            Topic.moderators.through.objects.get_or_create(topic_id=question.topic_id, user_id=moderator_user.pk)
        services.answer_question(viewer=_author(question, moderator), question_id=question.pk, answer=answer)
        # The demo answers name institutions' offices: the moderator confirms each as a public address.
        pending = services.pending_findings(answer=answer)
        services.publish_question(viewer=moderator, question_id=question.pk, confirmed=[p.key for p in pending])
    for topic, district, author, email, text, age_days in OPEN:
        if district not in districts or Question.objects.filter(text=text).exists():
            continue
        question = services.ask_question(author_name=author, email=email, topic_id=topics[topic].pk,
                                         district_id=districts[district].pk, text=text, consent=True)
        if age_days:
            asked = timezone.now() - dt.timedelta(days=age_days)
            Question.objects.filter(pk=question.pk).update(
                created_at=asked, due_on=timezone.localdate(asked) + dt.timedelta(days=30))
    _say(verbose, f"{Question.objects.filter(status=Question.Status.PUBLISHED).count()} published questions")


def _page(verbose: bool) -> None:
    home = HomePage.objects.order_by("path").first()
    if home is None or ConsultationsPage.objects.exists():
        return
    page = ConsultationsPage(
        title="Вопрос специалисту", slug="vopros-spetsialistu", show_in_menus=True,
        intro="Задайте вопрос о социальной поддержке — специалист ответит в течение 30 дней. Можно под "
              "псевдонимом; телефоны и адреса перед публикацией скрываются.",
        body="<p>Вопросы распределяются специалистам по теме и району. Ответ приходит на почту (если вы её "
             "указали) и публикуется на этой странице без ваших контактов.</p>",
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    _say(verbose, "created ConsultationsPage")


@transaction.atomic
def load_demo(*, verbose: bool) -> None:
    """Idempotent: looks everything up before creating it."""
    topics = _topics(verbose)
    _specialists(topics, verbose)
    _questions(topics, verbose)
    _page(verbose)
