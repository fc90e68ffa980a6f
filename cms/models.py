"""Page types of the public portal (публичная часть портала).

Tree: Wagtail root → HomePage (site root) → service information, urgent services, news,
booklet, officer finder and the pages of the consultations and community apps.
Parent/child rules are set both ways (``parent_page_types`` and ``subpage_types``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from grapple.helpers import register_query_field
from grapple.models import (
    GraphQLImage,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
)
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms import blocks as cms_blocks
from cms.finder import answer_for_query
from cms.i18n import LocalizedRoutingMixin, localize_pages, original_of

#: Pages of the other public apps (part B of the issue); they may not be installed yet.
OPTIONAL_HOME_SUBPAGE_TYPES: tuple[str, ...] = (
    "consultations.ConsultationsPage",
    "community.NeedsRegistryPage",
    "community.BenefactorsRegistryPage",
    "community.PartnersRegistryPage",
)

INTRO_FEATURES = ["bold", "italic", "link", "ul", "ol"]


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """Hotline and contacts shown in every page's footer (настройки портала)."""

    hotline_phone = models.CharField(_("hotline phone"), max_length=40, default="8-800-300-12-34")
    hotline_hours = models.CharField(_("hotline hours"), max_length=200, default="Круглосуточно, бесплатно")
    contact_email = models.EmailField(_("contact e-mail"), blank=True, default="info@social-support.example")
    contact_address = models.CharField(_("contact address"), max_length=300, blank=True,
                                       default="г. Заречный, ул. Ленина, д. 12")

    panels: ClassVar[list[Any]] = [
        MultiFieldPanel([FieldPanel("hotline_phone"), FieldPanel("hotline_hours")], heading=_("Hotline")),
        MultiFieldPanel([FieldPanel("contact_email"), FieldPanel("contact_address")], heading=_("Contacts")),
    ]
    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("hotline_phone"), GraphQLString("hotline_hours"),
        GraphQLString("contact_email"), GraphQLString("contact_address"),
    ]

    class Meta:
        verbose_name = _("portal settings")


class BasePublicPage(Page):
    """Common parts of the public pages: a short introduction shown under the title."""

    intro = models.TextField(_("introduction"), blank=True, max_length=1000,
                             help_text=_("One or two sentences under the title; also used in lists."))

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    search_fields: ClassVar[list[Any]] = [*Page.search_fields, index.SearchField("intro")]
    graphql_fields: ClassVar[list[Any]] = [GraphQLString("intro")]

    class Meta:
        abstract = True


class HomePage(LocalizedRoutingMixin, BasePublicPage):
    """Site root (главная): what social support is, the hotline and quick links."""

    about = RichTextField(_("what the service is"), blank=True, features=INTRO_FEATURES)
    quick_links = StreamField([("quick_link", cms_blocks.QuickLinkBlock())], verbose_name=_("quick links"),
                              blank=True)
    body = StreamField(cms_blocks.ServiceStreamBlock(), verbose_name=_("more content"), blank=True)

    parent_page_types: ClassVar[list[str]] = ["wagtailcore.Page"]
    subpage_types: ClassVar[list[str]] = [
        "cms.ServiceInfoPage", "cms.UrgentServicesPage", "cms.NewsIndexPage", "cms.BookletPage",
        "cms.OfficerFinderPage", *OPTIONAL_HOME_SUBPAGE_TYPES,
    ]
    content_panels: ClassVar[list[Any]] = [
        *BasePublicPage.content_panels, FieldPanel("about"), FieldPanel("quick_links"), FieldPanel("body"),
    ]
    search_fields: ClassVar[list[Any]] = [*BasePublicPage.search_fields, index.SearchField("about")]
    graphql_fields: ClassVar[list[Any]] = [
        *BasePublicPage.graphql_fields, GraphQLRichText("about"), GraphQLStreamfield("quick_links"),
        GraphQLStreamfield("body"),
    ]
    template = "cms/pages/home_page.html"

    class Meta:
        verbose_name = _("home page")

    @classmethod
    def clean_subpage_models(cls) -> list[type[Page]]:
        """Like Wagtail's, but the other apps' pages are skipped while those apps have no such model."""
        if cls._clean_subpage_models is None:
            from django.apps import apps

            resolved: list[type[Page]] = []
            for name in cls.subpage_types:
                app_label, model_name = name.split(".")
                try:
                    model = apps.get_model(app_label, model_name)
                except LookupError:
                    if name in OPTIONAL_HOME_SUBPAGE_TYPES:
                        continue
                    raise
                if not issubclass(model, Page):
                    raise LookupError(f"{model} is not a Page subclass")
                resolved.append(model)
            cls._clean_subpage_models = resolved
        return cls._clean_subpage_models

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # The Russian tree is the reference; each item in the active language where translated.
        context["latest_news"] = localize_pages(
            NewsPage.objects.live().public().descendant_of(original_of(self))
            .order_by("-date", "-first_published_at")[:3])
        return context


class ServiceInfoPage(LocalizedRoutingMixin, BasePublicPage):
    """Service information (информация об услуге): text, steps, documents, contacts, FAQ."""

    body = StreamField(cms_blocks.ServiceStreamBlock(), verbose_name=_("content"), blank=True)

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage", "cms.ServiceInfoPage"]
    subpage_types: ClassVar[list[str]] = ["cms.ServiceInfoPage"]
    content_panels: ClassVar[list[Any]] = [*BasePublicPage.content_panels, FieldPanel("body")]
    search_fields: ClassVar[list[Any]] = [*BasePublicPage.search_fields, index.SearchField("body")]
    graphql_fields: ClassVar[list[Any]] = [*BasePublicPage.graphql_fields, GraphQLStreamfield("body")]
    template = "cms/pages/service_info_page.html"

    class Meta:
        verbose_name = _("service information page")


class UrgentServicesPage(BasePublicPage):
    """The urgent social services (срочные социальные услуги) as structured blocks."""

    body = StreamField(cms_blocks.UrgentServicesStreamBlock(), verbose_name=_("content"), blank=True)

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1
    content_panels: ClassVar[list[Any]] = [*BasePublicPage.content_panels, FieldPanel("body")]
    search_fields: ClassVar[list[Any]] = [*BasePublicPage.search_fields, index.SearchField("body")]
    graphql_fields: ClassVar[list[Any]] = [*BasePublicPage.graphql_fields, GraphQLStreamfield("body")]
    template = "cms/pages/urgent_services_page.html"

    class Meta:
        verbose_name = _("urgent services page")

    def services(self) -> list[Any]:
        return [child.value for child in self.body if child.block_type == "urgent_service"]


class NewsIndexPage(LocalizedRoutingMixin, BasePublicPage):
    """News list (новости), newest first, paginated."""

    per_page = 10

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage"]
    subpage_types: ClassVar[list[str]] = ["cms.NewsPage"]
    template = "cms/pages/news_index_page.html"

    class Meta:
        verbose_name = _("news index page")

    def news(self) -> models.QuerySet[NewsPage]:
        """News of the original (Russian) index: a translated index lists every item, translated or not."""
        return (NewsPage.objects.live().public().child_of(original_of(self))
                .order_by("-date", "-first_published_at"))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.news(), self.per_page)
        try:
            news_page = paginator.page(request.GET.get("page") or 1)
        except (PageNotAnInteger, EmptyPage):
            news_page = paginator.page(1)
        news_page.object_list = localize_pages(news_page.object_list)
        context["news_page"] = news_page
        return context


@register_query_field("news_page", "news_pages")
class NewsPage(BasePublicPage):
    """One news item (новость)."""

    date = models.DateField(_("date"), default=timezone.localdate)
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    body = StreamField(cms_blocks.NewsStreamBlock(), verbose_name=_("content"), blank=True)

    parent_page_types: ClassVar[list[str]] = ["cms.NewsIndexPage"]
    subpage_types: ClassVar[list[str]] = []
    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels, FieldPanel("date"), FieldPanel("intro"), FieldPanel("image"), FieldPanel("body"),
    ]
    search_fields: ClassVar[list[Any]] = [*BasePublicPage.search_fields, index.SearchField("body"),
                                          index.FilterField("date")]
    graphql_fields: ClassVar[list[Any]] = [
        *BasePublicPage.graphql_fields, GraphQLString("date"), GraphQLImage("image"), GraphQLStreamfield("body"),
    ]
    template = "cms/pages/news_page.html"

    class Meta:
        verbose_name = _("news page")
        verbose_name_plural = _("news pages")


class BookletPage(BasePublicPage):
    """The electronic booklet (электронный буклет), laid out for printing."""

    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    body = StreamField(cms_blocks.BookletStreamBlock(), verbose_name=_("content"), blank=True)

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    content_panels: ClassVar[list[Any]] = [*BasePublicPage.content_panels, FieldPanel("subtitle"),
                                           FieldPanel("body")]
    search_fields: ClassVar[list[Any]] = [*BasePublicPage.search_fields, index.SearchField("body")]
    graphql_fields: ClassVar[list[Any]] = [
        *BasePublicPage.graphql_fields, GraphQLString("subtitle"), GraphQLStreamfield("body"),
    ]
    template = "cms/pages/booklet_page.html"

    class Meta:
        verbose_name = _("booklet page")


class OfficerFinderPage(BasePublicPage):
    """Find your district social officer (найти социального участкового) by address.

    A plain GET form (``?address=``) answered server-side, so it works without
    JavaScript; the script only adds street suggestions while typing.
    """

    help_text = RichTextField(_("help under the form"), blank=True, features=INTRO_FEATURES)

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1
    content_panels: ClassVar[list[Any]] = [*BasePublicPage.content_panels, FieldPanel("help_text")]
    graphql_fields: ClassVar[list[Any]] = [*BasePublicPage.graphql_fields, GraphQLRichText("help_text")]
    template = "cms/pages/officer_finder_page.html"

    class Meta:
        verbose_name = _("officer finder page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["finder"] = answer_for_query(request.GET)
        return context
