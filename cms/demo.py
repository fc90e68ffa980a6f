"""Demo content of the public site (демо-контент): the page tree with real Russian texts.

Idempotent: every page is looked up by its slug under its parent and created only when
missing; existing pages (possibly edited since) are left as they are.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import (
    BookletPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OfficerFinderPage,
    PortalSettings,
    ServiceInfoPage,
    UrgentServicesPage,
)

logger = logging.getLogger(__name__)

HOTLINE = "8-800-300-12-34"

#: The 11 urgent social services (срочные социальные услуги, seed 000; 442-ФЗ ст. 21).
URGENT_SERVICES: list[dict[str, Any]] = [
    {"title": "Содействие в получении временного жилого помещения",
     "description": "<p>Помогаем найти место для временного проживания: кризисное отделение, "
                    "социальная гостиница, центр социальной адаптации.</p>",
     "who_can_get": "граждане, оставшиеся без жилья или вынужденные покинуть его из-за угрозы жизни и здоровью",
     "how_to_get": "позвонить на горячую линию или обратиться в КЦСОН в любое время"},
    {"title": "Проведение опроса и первичной социальной диагностики",
     "description": "<p>Специалист беседует с вами, оценивает реальное положение и вместе с вами "
                    "определяет, какая помощь нужна в первую очередь.</p>",
     "who_can_get": "любой обратившийся гражданин",
     "how_to_get": "при первом обращении к социальному участковому или в КЦСОН"},
    {"title": "Содействие в госпитализации",
     "description": "<p>Помогаем попасть в медицинскую организацию тем, кто нуждается в лечении: "
                    "вызываем скорую помощь, сопровождаем, договариваемся о приёме.</p>",
     "who_can_get": "получатели социальных услуг, нуждающиеся в лечении",
     "how_to_get": "сообщить специалисту или позвонить на горячую линию"},
    {"title": "Содействие в восстановлении документов, удостоверяющих личность",
     "description": "<p>Помогаем восстановить паспорт и другие документы, в том числе "
                    "организуем бесплатное фотографирование на документы.</p>",
     "who_can_get": "граждане, утратившие документы",
     "how_to_get": "обратиться в КЦСОН с любыми сохранившимися документами"},
    {"title": "Содействие в поиске родственников",
     "description": "<p>Помогаем найти родственников и восстановить утраченные связи с ними "
                    "через органы ЗАГС, полицию и общественные организации.</p>",
     "who_can_get": "граждане, потерявшие связь с близкими",
     "how_to_get": "написать заявление в КЦСОН"},
    {"title": "Помощь в подготовке документов",
     "description": "<p>Помогаем составить и подать заявления, жалобы и запросы "
                    "в различные инстанции по вашей проблеме.</p>",
     "who_can_get": "получатели социальных услуг",
     "how_to_get": "обратиться к социальному участковому или в КЦСОН"},
    {"title": "Консультирование о праве на социальное обслуживание",
     "description": "<p>Объясняем, на какую помощь вы имеете право в государственной и "
                    "негосударственной системах социальных служб и как защитить свои интересы.</p>",
     "who_can_get": "любой гражданин",
     "how_to_get": "позвонить на горячую линию или задать вопрос на портале"},
    {"title": "Обеспечение бесплатным горячим питанием или наборами продуктов",
     "description": "<p>Горячее питание в пунктах питания или продуктовый набор в день обращения.</p>",
     "who_can_get": "граждане и семьи в трудной жизненной ситуации",
     "how_to_get": "обратиться в КЦСОН или к социальному участковому"},
    {"title": "Обеспечение одеждой, обувью и предметами первой необходимости",
     "description": "<p>Выдаём сезонную одежду и обувь, средства гигиены, постельное бельё, "
                    "детские вещи.</p>",
     "who_can_get": "граждане и семьи в трудной жизненной ситуации",
     "how_to_get": "обратиться в КЦСОН; вещи выдаются по акту"},
    {"title": "Содействие в получении юридической помощи",
     "description": "<p>Направляем к юристам государственной системы бесплатной юридической помощи "
                    "и в юридические клиники для защиты ваших прав и законных интересов.</p>",
     "who_can_get": "получатели социальных услуг",
     "how_to_get": "записаться через КЦСОН или горячую линию"},
    {"title": "Содействие в получении экстренной психологической помощи",
     "description": "<p>Экстренная помощь психолога, при желании — священнослужителя. "
                    "Можно обратиться анонимно по телефону доверия.</p>",
     "who_can_get": "любой гражданин, в том числе анонимно",
     "how_to_get": "позвонить на телефон доверия 8-800-2000-122 (круглосуточно, бесплатно)"},
]

SERVICE_BODY: list[dict[str, Any]] = [
    {"type": "paragraph", "value":
        "<p>Социальное сопровождение — это помощь семье или гражданину в трудной жизненной ситуации, "
        "которую оказывают вместе несколько ведомств: социальная защита, школы, здравоохранение, служба "
        "занятости, полиция, опека, некоммерческие организации. Специалист составляет с вами "
        "индивидуальную программу и следит, чтобы каждое мероприятие было выполнено.</p>"
        "<p>Сопровождение добровольное и бесплатное. Сведения о вас конфиденциальны.</p>"},
    {"type": "steps", "value": {
        "heading": "Как получить социальное сопровождение",
        "steps": [
            {"title": "Обратитесь к своему социальному участковому",
             "text": "<p>Найдите его по адресу на странице <a href=\"/officer/\">«Найти участкового»</a> "
                     "или позвоните на горячую линию.</p>"},
            {"title": "Напишите заявление",
             "text": "<p>В заявлении вы даёте согласие на обработку персональных данных. "
                     "Специалист поможет его заполнить.</p>"},
            {"title": "Обследование условий жизни",
             "text": "<p>Специалист приходит домой, составляет акт и вместе с вами определяет, "
                     "какая помощь нужна.</p>"},
            {"title": "Индивидуальная программа",
             "text": "<p>Программу с перечнем мероприятий, сроками и ответственными утверждает "
                     "межведомственный консилиум. Срок — до 6 месяцев.</p>"},
            {"title": "Выполнение и оценка",
             "text": "<p>Через 3 месяца проводится промежуточная оценка, в конце срока — решение "
                     "о снятии с сопровождения или продлении (не более 12 месяцев всего).</p>"},
        ]}},
    {"type": "documents", "value": {
        "heading": "Какие документы понадобятся",
        "items": [
            {"title": "Паспорт гражданина РФ", "note": "оригинал"},
            {"title": "Свидетельства о рождении детей", "note": "если есть дети"},
            {"title": "Сведения о доходах семьи за 3 последних месяца", "note": "при наличии"},
            {"title": "Справка об инвалидности", "note": "если установлена"},
        ]}},
    {"type": "contacts", "value": {
        "heading": "Куда обратиться",
        "contacts": [
            {"name": "КЦСОН г. Заречный", "role": "приём заявлений, срочная социальная помощь",
             "phone": "+7 (342) 200-10-10", "email": "kcson@zarechny.example",
             "address": "г. Заречный, ул. Ленина, д. 12", "hours": "пн–пт 9:00–18:00"},
            {"name": "КЦСОН Берёзовского округа", "role": "приём заявлений в сельских поселениях",
             "phone": "+7 (342) 300-20-20", "email": "kcson@berezovka.example",
             "address": "с. Берёзовка, ул. Советская, д. 3", "hours": "пн–пт 8:30–17:30"},
        ]}},
    {"type": "faq", "value": {
        "heading": "Частые вопросы",
        "items": [
            {"question": "Это платно?", "answer": "<p>Нет, социальное сопровождение бесплатно.</p>"},
            {"question": "Сколько длится сопровождение?",
             "answer": "<p>До 6 месяцев. По коллегиальному решению его можно продлить, "
                       "но не более чем до 12 месяцев всего.</p>"},
            {"question": "Узнают ли соседи или работодатель?",
             "answer": "<p>Нет. Сведения о вас видят только специалисты, которые выполняют "
                       "мероприятия вашей программы, и только в нужном им объёме.</p>"},
            {"question": "Можно ли отказаться?",
             "answer": "<p>Да, сопровождение добровольное: вы можете отказаться в любой момент.</p>"},
        ]}},
    {"type": "callout", "value": {
        "title": "Если есть угроза жизни или здоровью",
        "text": "<p>Звоните 112 — круглосуточно и бесплатно.</p>", "tone": "warning"}},
]

FAMILIES_BODY: list[dict[str, Any]] = [
    {"type": "paragraph", "value":
        "<p>Многодетные и малоимущие семьи, семьи с детьми-инвалидами, семьи, в которых дети находятся "
        "в социально опасном положении, могут получить помощь психолога, педагога, юриста, помощь "
        "в трудоустройстве родителей и в оформлении мер социальной поддержки.</p>"},
    {"type": "steps", "value": {
        "heading": "Что входит в помощь семье",
        "steps": [
            {"title": "Консультации психолога и педагога", "text": ""},
            {"title": "Содействие в трудоустройстве родителей через службу занятости", "text": ""},
            {"title": "Оформление пособий и мер социальной поддержки", "text": ""},
            {"title": "Организация летнего отдыха детей", "text": ""},
        ]}},
]

NEWS: list[dict[str, Any]] = [
    {"slug": "novyi-portal", "title": "Заработал портал социального сопровождения",
     "date": datetime.date(2025, 3, 3),
     "intro": "Теперь найти своего социального участкового и задать вопрос специалисту можно онлайн.",
     "body": [{"type": "paragraph", "value":
               "<p>На портале можно по адресу найти контакты своего социального участкового, "
               "прочитать о срочных социальных услугах и задать вопрос специалисту. Ответы публикуются "
               "без персональных данных.</p>"}]},
    {"slug": "goryachaya-liniya", "title": "Горячая линия «Скорая социальная помощь» работает круглосуточно",
     "date": datetime.date(2025, 2, 17),
     "intro": "Позвонить можно бесплатно с любого телефона, в том числе анонимно.",
     "body": [{"type": "paragraph", "value":
               f"<p>По номеру {HOTLINE} принимают сообщения о семьях и гражданах, которым нужна помощь, "
               "и консультируют по мерам поддержки.</p>"},
              {"type": "callout", "value": {"title": "Телефон доверия", "tone": "info",
                                            "text": "<p>8-800-2000-122 — экстренная психологическая "
                                                    "помощь, анонимно.</p>"}}]},
    {"slug": "sotsialnyi-lift", "title": "«Социальный лифт»: помощь освободившимся из мест лишения свободы",
     "date": datetime.date(2025, 1, 28),
     "intro": "КЦСОН и уголовно-исполнительная инспекция помогают с жильём, документами и работой.",
     "body": [{"type": "paragraph", "value":
               "<p>Технология «Социальный лифт» помогает вернуться к обычной жизни: восстановить "
               "документы, найти временное жильё и работу, получить консультацию юриста.</p>"}]},
    {"slug": "blagotvoriteli", "title": "Стать благотворителем теперь проще",
     "date": datetime.date(2025, 1, 15),
     "intro": "Реестр благотворителей и потребностей семей опубликован на портале.",
     "body": [{"type": "paragraph", "value":
               "<p>Жители и организации могут зарегистрироваться в реестре благотворителей и "
               "откликнуться на обезличенные потребности семей. Координатор свяжется с вами и "
               "расскажет, как помочь.</p>"}]},
]

BOOKLET_BODY: list[dict[str, Any]] = [
    {"type": "section", "value": {
        "title": "Что такое социальное сопровождение",
        "body": "<p>Это помощь семье в трудной жизненной ситуации, которую вместе оказывают социальная "
                "служба, школа, поликлиника, служба занятости, полиция, опека и общественные организации. "
                "Помощь бесплатная и добровольная.</p>"}},
    {"type": "section", "value": {
        "title": "Кто такой социальный участковый",
        "body": "<p>Специалист, закреплённый за вашим участком. Он знает семьи участка, помогает "
                "оформить документы, приходит домой, составляет с вами программу помощи. Найти своего "
                "участкового можно по адресу на портале или по телефону горячей линии.</p>"}},
    {"type": "steps", "value": {
        "heading": "Как получить помощь",
        "steps": [
            {"title": "Позвоните на горячую линию или участковому", "text": ""},
            {"title": "Напишите заявление", "text": ""},
            {"title": "Вместе составьте программу на срок до 6 месяцев", "text": ""},
        ]}},
    {"type": "section", "value": {
        "title": "Срочная социальная помощь",
        "body": "<ul><li>временное жильё</li><li>горячее питание и продуктовые наборы</li>"
                "<li>одежда и обувь</li><li>восстановление документов</li>"
                "<li>экстренная психологическая помощь, в том числе анонимно</li></ul>"}},
    {"type": "contacts", "value": {
        "heading": "Телефоны",
        "contacts": [
            {"name": "Горячая линия «Скорая социальная помощь»", "phone": HOTLINE, "hours": "круглосуточно"},
            {"name": "Телефон доверия", "phone": "8-800-2000-122", "hours": "круглосуточно, анонимно"},
            {"name": "Единый номер экстренных служб", "phone": "112", "hours": "круглосуточно"},
        ]}},
]


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(f"cms demo: {message}")


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _ensure_child(parent: Page, model: type[Page], slug: str, verbose: bool, **fields: Any) -> Page:
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    _publish(page)
    _say(verbose, f"created {model.__name__} /{slug}/")
    return page


def _ensure_home(verbose: bool) -> HomePage:
    home = HomePage.objects.order_by("path").first()
    if home is not None:
        return home
    locale = Locale.get_default() if Locale.objects.exists() else Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:  # a flushed database: Wagtail's migrations created the root, tests may have removed it
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
        _say(verbose, "created the root page")
    # Wagtail's welcome page: a bare Page without children; remove it so "home" is free.
    for welcome in root.get_children().filter(slug="home"):
        if welcome.specific_class is Page and welcome.numchild == 0:
            Site.objects.filter(root_page=welcome).update(root_page=root)
            welcome.delete()
            _say(verbose, "removed Wagtail's welcome page")
    root.refresh_from_db()
    home = HomePage(
        title="Социальное сопровождение", slug="home", seo_title="Социальное сопровождение семей и граждан",
        intro="Помощь семьям и гражданам в трудной жизненной ситуации: социальный участковый, "
              "срочная социальная помощь, консультации специалистов.",
        about="<p>Социальное сопровождение — это межведомственная помощь: социальная служба, школы, "
              "здравоохранение, служба занятости, полиция, опека и некоммерческие организации вместе "
              "помогают семье выйти из трудной жизненной ситуации. У каждого участка есть свой "
              "социальный участковый — его контакты можно найти по адресу.</p>"
              "<p>Помощь добровольная и бесплатная, сведения о семьях не публикуются.</p>",
    )
    root.add_child(instance=home)
    _publish(home)
    _say(verbose, "created HomePage")
    return home


def _ensure_site(home: HomePage, verbose: bool) -> Site:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    if site is None:
        site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                                   site_name=settings.WAGTAIL_SITE_NAME)
        _say(verbose, "created the default site")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or settings.WAGTAIL_SITE_NAME
        site.is_default_site = True
        site.save()
        _say(verbose, "pointed the default site at the home page")
    PortalSettings.objects.get_or_create(site=site, defaults={"hotline_phone": HOTLINE})
    return site


def _set_quick_links(home: HomePage, finder: Page, services: Page, verbose: bool) -> None:
    if len(home.quick_links):
        return
    home.quick_links = [
        {"type": "quick_link", "value": {"title": "Найти своего участкового",
                                         "text": "Введите адрес — покажем контакты и часы приёма",
                                         "page": finder.pk, "url": ""}},
        {"type": "quick_link", "value": {"title": "Задать вопрос специалисту",
                                         "text": "Бесплатная консультация, можно под псевдонимом",
                                         "page": None, "url": "/consultations/"}},
        {"type": "quick_link", "value": {"title": "Помочь как благотворитель",
                                         "text": "Реестр потребностей семей и запись в благотворители",
                                         "page": None, "url": "/registry/benefactors/"}},
        {"type": "quick_link", "value": {"title": "Как получить помощь",
                                         "text": "Порядок, документы, контакты",
                                         "page": services.pk, "url": ""}},
    ]
    _publish(home)
    _say(verbose, "set the home page quick links")


@transaction.atomic
def load_demo(*, verbose: bool) -> None:
    """Create the public site tree with Russian demo content (idempotent)."""
    home = _ensure_home(verbose)
    _ensure_site(home, verbose)
    services = _ensure_child(
        home, ServiceInfoPage, "services", verbose, title="Как получить социальное сопровождение",
        show_in_menus=True, intro="Кому помогают, как обратиться, какие документы нужны.", body=SERVICE_BODY,
    )
    _ensure_child(
        services, ServiceInfoPage, "families", verbose, title="Помощь семьям с детьми",
        intro="Поддержка многодетных, малоимущих семей и семей с детьми-инвалидами.", body=FAMILIES_BODY,
    )
    _ensure_child(
        home, UrgentServicesPage, "urgent", verbose, title="Срочные социальные услуги", show_in_menus=True,
        intro="Одиннадцать срочных социальных услуг оказываются в день обращения, без долгого оформления. "
              "Их получение подтверждается актом, который подписывает получатель.",
        body=[{"type": "urgent_service", "value": {"number": number, **service}}
              for number, service in enumerate(URGENT_SERVICES, start=1)]
        + [{"type": "callout", "value": {"title": "Горячая линия «Скорая социальная помощь»", "tone": "info",
                                          "text": f"<p>{HOTLINE} — круглосуточно и бесплатно.</p>"}}],
    )
    news_index = _ensure_child(home, NewsIndexPage, "news", verbose, title="Новости", show_in_menus=True,
                               intro="Новости социального сопровождения Заречного края.")
    for item in NEWS:
        _ensure_child(news_index, NewsPage, item["slug"], verbose, title=item["title"], date=item["date"],
                      intro=item["intro"], body=item["body"])
    _ensure_child(
        home, BookletPage, "booklet", verbose, title="Электронный буклет «Социальное сопровождение»",
        show_in_menus=True, subtitle="Памятка для семей и граждан Заречного края",
        intro="Буклет можно распечатать и передать тем, кому он нужен.", body=BOOKLET_BODY,
    )
    finder = _ensure_child(
        home, OfficerFinderPage, "officer", verbose, title="Найти социального участкового", show_in_menus=True,
        intro="Введите адрес — покажем вашего социального участкового, его телефон и часы приёма.",
        help_text="<p>Если адрес не находится, позвоните на горячую линию — оператор подскажет, "
                  "кто ваш участковый.</p>",
    )
    _set_quick_links(home, finder, services, verbose)
