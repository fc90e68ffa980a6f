"""Wagtail page of consultations (страница «Задать вопрос специалисту»), child of the home page."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from grapple.models import GraphQLField, GraphQLRichText, GraphQLString
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class PublishedQuestionType(graphene.ObjectType):
    """A published question and its answer (public fields only)."""

    id = graphene.ID(required=True)
    topic = graphene.String(required=True)
    topic_slug = graphene.String(required=True)
    district = graphene.String(required=True)
    published_name = graphene.String(required=True, description="Initials or a pseudonym, never the asker's name.")
    question = graphene.String(required=True)
    answer = graphene.String(required=True)
    answered_by = graphene.String()
    published_at = graphene.DateTime()


class TopicType(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)


class ConsultationsPage(Page):
    """Question form and the published questions and answers by topic, searchable."""

    intro = models.TextField(_("introduction"), blank=True, max_length=1000)
    body = RichTextField(_("how it works"), blank=True, features=["bold", "italic", "link", "ul", "ol"])

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    max_count = 1
    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields: ClassVar[list[Any]] = [*Page.search_fields, index.SearchField("intro")]
    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("intro"),
        GraphQLRichText("body"),
        GraphQLField("topics", graphene.List(graphene.NonNull(TopicType)), source="graphql_topics"),
        GraphQLField("questions", graphene.List(graphene.NonNull(PublishedQuestionType)),
                     source="graphql_questions"),
    ]

    class Meta:
        verbose_name = _("consultations page")
        verbose_name_plural = _("consultations pages")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from portal.consultations.views import consultations_index  # pages load with the models: a cycle at the top

        response = consultations_index(request, page=self)
        if hasattr(response, "render"):
            response.render()
        return response

    def graphql_topics(self, info: Any = None, **kwargs: Any) -> list[dict[str, str]]:
        from portal.consultations.selectors import topics  # pages load with the models: a cycle at the top

        return [{"slug": t.slug, "name": t.name} for t in topics()]

    def graphql_questions(self, info: Any = None, **kwargs: Any) -> list[dict[str, Any]]:
        from portal.consultations.selectors import published_questions  # pages load with the models: a cycle at the top

        return [
            {"id": q.pk, "topic": q.topic.name, "topic_slug": q.topic.slug, "district": q.district.name,
             "published_name": q.published_name, "question": q.published_text, "answer": q.answer,
             "answered_by": q.answered_by, "published_at": q.published_at}
            for q in published_questions()[:200]
        ]
