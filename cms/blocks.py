"""StreamField blocks of the public pages.

Every StructBlock has an icon, its own template and a preview (``preview_value`` and
``description`` for Wagtail's block picker). Texts of the preview values are Russian,
like the content editors write.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from grapple.helpers import register_streamfield_block
from grapple.models import GraphQLDocument, GraphQLInt, GraphQLRichText, GraphQLStreamfield, GraphQLString
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


@register_streamfield_block
class HeadingBlock(blocks.StructBlock):
    """Section heading (заголовок раздела)."""

    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(label=_("Level"), choices=[("h2", _("Heading 2")), ("h3", _("Heading 3"))],
                               default="h2")

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("text"), GraphQLString("level")
    ]

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading.html"
        description = _("A section heading.")
        preview_value = {"text": "Как получить помощь", "level": "h2"}


@register_streamfield_block
class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"), max_length=200)
    text = blocks.RichTextBlock(label=_("Details"), features=["bold", "italic", "link", "ul"], required=False)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("title"), GraphQLRichText("text")
    ]

    class Meta:
        icon = "arrow-right"
        label = _("Step")
        template = "cms/blocks/step.html"
        description = _("One step of a procedure.")
        preview_value = {"title": "Позвоните социальному участковому",
                         "text": "<p>Телефон и часы приёма — на странице «Найти участкового».</p>"}


@register_streamfield_block
class StepsBlock(blocks.StructBlock):
    """Numbered procedure (порядок действий)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=200, required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"), min_num=1)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("heading"), GraphQLStreamfield("steps")
    ]

    class Meta:
        icon = "list-ol"
        label = _("Steps")
        template = "cms/blocks/steps.html"
        description = _("A numbered list of steps, e.g. how to apply for support.")
        preview_value = {
            "heading": "Как встать на социальное сопровождение",
            "steps": [
                {"title": "Обратитесь к социальному участковому или в КЦСОН", "text": ""},
                {"title": "Напишите заявление и дайте согласие на обработку данных", "text": ""},
                {"title": "Вместе со специалистом составьте индивидуальную программу", "text": ""},
            ],
        }


@register_streamfield_block
class DocumentItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Document"), max_length=300)
    note = blocks.CharBlock(label=_("Note"), max_length=300, required=False)
    file = DocumentChooserBlock(label=_("File to download"), required=False)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("title"), GraphQLString("note"), GraphQLDocument("file")
    ]

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "cms/blocks/document_item.html"
        description = _("A document: what it is and, optionally, a file to download.")
        preview_value = {"title": "Паспорт гражданина РФ", "note": "оригинал и копия"}


@register_streamfield_block
class DocumentsBlock(blocks.StructBlock):
    """Documents to bring or download (необходимые документы)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=200, required=False)
    items = blocks.ListBlock(DocumentItemBlock(), label=_("Documents"), min_num=1)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("heading"), GraphQLStreamfield("items")
    ]

    class Meta:
        icon = "doc-full-inverse"
        label = _("Documents")
        template = "cms/blocks/documents.html"
        description = _("A list of documents, with files to download where available.")
        preview_value = {
            "heading": "Какие документы понадобятся",
            "items": [
                {"title": "Паспорт гражданина РФ", "note": "оригинал и копия"},
                {"title": "Справка о составе семьи", "note": ""},
                {"title": "Сведения о доходах за 3 месяца", "note": "если есть"},
            ],
        }


@register_streamfield_block
class ContactBlock(blocks.StructBlock):
    """Contact of an organisation or a specialist (контакты)."""

    name = blocks.CharBlock(label=_("Name"), max_length=300)
    role = blocks.CharBlock(label=_("What they help with"), max_length=300, required=False)
    phone = blocks.CharBlock(label=_("Phone"), max_length=60, required=False)
    email = blocks.EmailBlock(label=_("E-mail"), required=False)
    address = blocks.CharBlock(label=_("Address"), max_length=300, required=False)
    hours = blocks.CharBlock(label=_("Opening hours"), max_length=300, required=False)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("name"), GraphQLString("role"), GraphQLString("phone"), GraphQLString("email"),
        GraphQLString("address"), GraphQLString("hours"),
    ]

    class Meta:
        icon = "mail"
        label = _("Contact")
        template = "cms/blocks/contact.html"
        description = _("Phone, e-mail, address and hours of an organisation.")
        preview_value = {
            "name": "КЦСОН г. Заречный", "role": "приём заявлений на социальное сопровождение",
            "phone": "+7 (342) 200-10-10", "email": "kcson@zarechny.example",
            "address": "г. Заречный, ул. Ленина, д. 12", "hours": "пн–пт 9:00–18:00",
        }


@register_streamfield_block
class ContactsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=200, required=False)
    contacts = blocks.ListBlock(ContactBlock(), label=_("Contacts"), min_num=1)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("heading"), GraphQLStreamfield("contacts")
    ]

    class Meta:
        icon = "group"
        label = _("Contacts")
        template = "cms/blocks/contacts.html"
        description = _("Several contacts side by side.")
        preview_value = {
            "heading": "Куда обратиться",
            "contacts": [
                {"name": "КЦСОН г. Заречный", "phone": "+7 (342) 200-10-10", "hours": "пн–пт 9:00–18:00"},
                {"name": "Телефон доверия", "phone": "8-800-2000-122", "hours": "круглосуточно"},
            ],
        }


@register_streamfield_block
class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    answer = blocks.RichTextBlock(label=_("Answer"), features=RICH_TEXT_FEATURES)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("question"), GraphQLRichText("answer")
    ]

    class Meta:
        icon = "help"
        label = _("Question and answer")
        template = "cms/blocks/question.html"
        description = _("One frequently asked question with its answer.")
        preview_value = {"question": "Это платно?",
                         "answer": "<p>Нет, социальное сопровождение бесплатно.</p>"}


@register_streamfield_block
class FAQBlock(blocks.StructBlock):
    """Frequently asked questions (частые вопросы)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=200, required=False)
    items = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("heading"), GraphQLStreamfield("items")
    ]

    class Meta:
        icon = "help"
        label = _("FAQ")
        template = "cms/blocks/faq.html"
        description = _("Frequently asked questions; each answer opens on click.")
        preview_value = {
            "heading": "Частые вопросы",
            "items": [
                {"question": "Это платно?", "answer": "<p>Нет, социальное сопровождение бесплатно.</p>"},
                {"question": "Сколько длится сопровождение?",
                 "answer": "<p>До 6 месяцев; по решению консилиума — до 12 месяцев.</p>"},
            ],
        }


@register_streamfield_block
class CalloutBlock(blocks.StructBlock):
    """Highlighted notice (важно)."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link"])
    tone = blocks.ChoiceBlock(label=_("Tone"), default="info",
                              choices=[("info", _("Information")), ("warning", _("Warning"))])

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("title"), GraphQLRichText("text"), GraphQLString("tone")
    ]

    class Meta:
        icon = "warning"
        label = _("Notice")
        template = "cms/blocks/callout.html"
        description = _("A highlighted notice, e.g. the emergency phone number.")
        preview_value = {"title": "Если ситуация угрожает жизни",
                         "text": "<p>Звоните 112 — круглосуточно и бесплатно.</p>", "tone": "warning"}


@register_streamfield_block
class UrgentServiceBlock(blocks.StructBlock):
    """One urgent social service (срочная социальная услуга), 442-ФЗ art. 21."""

    number = blocks.IntegerBlock(label=_("Number"), min_value=1, max_value=99)
    title = blocks.CharBlock(label=_("Service"), max_length=300)
    description = blocks.RichTextBlock(label=_("What is provided"), features=["bold", "italic", "link", "ul"])
    who_can_get = blocks.CharBlock(label=_("Who can get it"), max_length=500, required=False)
    how_to_get = blocks.CharBlock(label=_("How to get it"), max_length=500, required=False)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLInt("number"), GraphQLString("title"), GraphQLRichText("description"),
        GraphQLString("who_can_get"), GraphQLString("how_to_get"),
    ]

    class Meta:
        icon = "warning"
        label = _("Urgent social service")
        template = "cms/blocks/urgent_service.html"
        description = _("One of the urgent social services, with who can get it and how.")
        preview_value = {
            "number": 1, "title": "Обеспечение бесплатным горячим питанием или наборами продуктов",
            "description": "<p>Горячее питание или продуктовый набор в день обращения.</p>",
            "who_can_get": "граждане в трудной жизненной ситуации",
            "how_to_get": "обратиться в КЦСОН или позвонить на горячую линию",
        }


@register_streamfield_block
class QuickLinkBlock(blocks.StructBlock):
    """A quick link of the home page (быстрая ссылка)."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.CharBlock(label=_("Short text"), max_length=300, required=False)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.CharBlock(label=_("Or address"), max_length=300, required=False,
                           help_text=_("Used when no page is chosen, e.g. /consultations/."))

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("title"), GraphQLString("text"), GraphQLString("href")
    ]

    class Meta:
        icon = "link"
        label = _("Quick link")
        template = "cms/blocks/quick_link.html"
        description = _("A large link to an important page.")
        preview_value = {"title": "Найти своего участкового", "text": "Введите адрес — покажем контакты",
                         "url": "/officer/"}

    def href(self, *, values: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """GraphQL: the link target, whether a page was chosen or an address typed."""
        return self.link_url(values or {})

    def link_url(self, value: Any) -> str:
        page = value.get("page")
        if page is not None:
            return page.specific.url or ""
        return value.get("url") or ""

    def get_context(self, value: Any, parent_context: dict[str, Any] | None = None) -> dict[str, Any]:
        context = super().get_context(value, parent_context=parent_context)
        context["href"] = self.link_url(value)
        return context


class ServiceStreamBlock(blocks.StreamBlock):
    """Body of a service information page."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label=_("Text"), icon="pilcrow", features=RICH_TEXT_FEATURES,
                                     template="cms/blocks/paragraph.html",
                                     preview_value="<p>Социальное сопровождение — это помощь семье.</p>",
                                     description=_("Formatted text."))
    steps = StepsBlock()
    documents = DocumentsBlock()
    contacts = ContactsBlock()
    faq = FAQBlock()
    callout = CalloutBlock()


class UrgentServicesStreamBlock(blocks.StreamBlock):
    """Body of the urgent services page: the services and explanatory text."""

    urgent_service = UrgentServiceBlock()
    paragraph = blocks.RichTextBlock(label=_("Text"), icon="pilcrow", features=RICH_TEXT_FEATURES,
                                     template="cms/blocks/paragraph.html",
                                     preview_value="<p>Срочные услуги оказываются в день обращения.</p>",
                                     description=_("Formatted text."))
    callout = CalloutBlock()
    contacts = ContactsBlock()


@register_streamfield_block
class BookletSectionBlock(blocks.StructBlock):
    """A section of the electronic booklet (раздел буклета)."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    body = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("title"), GraphQLRichText("body")
    ]

    class Meta:
        icon = "doc-full"
        label = _("Booklet section")
        template = "cms/blocks/booklet_section.html"
        description = _("A titled section of the booklet.")
        preview_value = {"title": "Кто такой социальный участковый",
                         "body": "<p>Специалист, который знает семьи своего участка и помогает им.</p>"}


class BookletStreamBlock(blocks.StreamBlock):
    section = BookletSectionBlock()
    steps = StepsBlock()
    contacts = ContactsBlock()
    callout = CalloutBlock()


class NewsStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label=_("Text"), icon="pilcrow", features=RICH_TEXT_FEATURES,
                                     template="cms/blocks/paragraph.html",
                                     preview_value="<p>В Заречном открылся новый пункт приёма.</p>",
                                     description=_("Formatted text."))
    callout = CalloutBlock()
    contacts = ContactsBlock()
