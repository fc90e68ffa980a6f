"""Wagtail pages of the public registries (children of the home page), also in the headless API."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from grapple.models import GraphQLField, GraphQLString
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from portal.partners.selectors import public_organisations


class PublicNeedType(graphene.ObjectType):
    """An anonymised need: only these fields are public (an attribute generalised away is empty)."""

    id = graphene.ID(required=True)
    category = graphene.String(required=True)
    category_label = graphene.String(required=True)
    district_code = graphene.String(required=True)
    district_name = graphene.String(required=True)
    help_kind = graphene.String(required=True)
    help_kind_label = graphene.String(required=True)
    urgency = graphene.String(required=True)
    urgency_label = graphene.String(required=True)
    status = graphene.String(required=True)
    status_label = graphene.String(required=True)
    summary = graphene.String()
    open_for = graphene.String()
    open_for_label = graphene.String()
    coarsened = graphene.Boolean()


class PublicBenefactorType(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    kind = graphene.String(required=True)
    district = graphene.String(required=True)
    help_kinds = graphene.List(graphene.NonNull(graphene.String), required=True)
    description = graphene.String()


class PublicPartnerType(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    short_name = graphene.String()
    kind = graphene.String(required=True)
    district = graphene.String()
    help_kinds = graphene.List(graphene.NonNull(graphene.String), required=True)
    address = graphene.String()
    phone = graphene.String()
    email = graphene.String()
    website = graphene.String()
    agreements = graphene.List(graphene.NonNull(graphene.String), required=True)


class RegistryPage(Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=1000)

    parent_page_types: ClassVar[list[str]] = ["cms.HomePage"]
    subpage_types: ClassVar[list[str]] = []
    max_count = 1
    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("intro")]
    search_fields: ClassVar[list[Any]] = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        abstract = True

    def _render(self, view: Any, request: HttpRequest) -> HttpResponse:
        response = view(request, page=self)
        if hasattr(response, "render"):
            response.render()
        return response


class NeedsRegistryPage(RegistryPage):
    """Registry of beneficiaries' needs (реестр благополучателей), anonymised."""

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("intro"),
        GraphQLField("needs", graphene.List(graphene.NonNull(PublicNeedType)), source="graphql_needs"),
    ]

    class Meta:
        verbose_name = _("registry of needs page")
        verbose_name_plural = _("registry of needs pages")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from portal.community.views import needs  # pages load with the models: a cycle at the top

        return self._render(needs, request)

    def graphql_needs(self, info: Any = None, **kwargs: Any) -> list[dict[str, Any]]:
        from portal.community.selectors import public_needs  # pages load with the models: a cycle at the top

        return [need.as_dict() for need in public_needs()]


class BenefactorsRegistryPage(RegistryPage):
    """Registry of benefactors (реестр благотворителей): the list and the sign-up form."""

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("intro"),
        GraphQLField("benefactors", graphene.List(graphene.NonNull(PublicBenefactorType)),
                     source="graphql_benefactors"),
    ]

    class Meta:
        verbose_name = _("registry of benefactors page")
        verbose_name_plural = _("registry of benefactors pages")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from portal.community.views import benefactors  # pages load with the models: a cycle at the top

        return self._render(benefactors, request)

    def graphql_benefactors(self, info: Any = None, **kwargs: Any) -> list[dict[str, Any]]:
        from portal.community.selectors import public_benefactors  # pages load with the models: a cycle at the top

        return [{"id": b.pk, "name": b.name, "kind": b.kind, "district": b.district.name,
                 "help_kinds": b.help_kinds, "description": b.description} for b in public_benefactors()]


class PartnersRegistryPage(RegistryPage):
    """Registry of interaction partners, filterable by kind, district and kind of help."""

    graphql_fields: ClassVar[list[Any]] = [
        GraphQLString("intro"),
        GraphQLField("partners", graphene.List(graphene.NonNull(PublicPartnerType)), source="graphql_partners"),
    ]

    class Meta:
        verbose_name = _("registry of partners page")
        verbose_name_plural = _("registry of partners pages")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from portal.community.views import partners  # pages load with the models: a cycle at the top

        return self._render(partners, request)

    def graphql_partners(self, info: Any = None, **kwargs: Any) -> list[dict[str, Any]]:
        return [{"code": o.code, "name": o.name, "short_name": o.short_name, "kind": o.kind,
                 "district": o.district.name if o.district else None, "help_kinds": o.help_kinds,
                 "address": o.address, "phone": o.phone, "email": o.email, "website": o.website,
                 "agreements": [str(a) for a in o.agreements.all()]} for o in public_organisations()]
