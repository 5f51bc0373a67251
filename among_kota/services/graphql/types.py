from __future__ import annotations

import graphene

from among_kota.content.graphql.types import EditorialType, editorial_of
from among_kota.content.models import ContentStatus
from among_kota.places import listing as places
from among_kota.places.graphql.types import PlaceType
from among_kota.services.services import ELEMENTS
from backend.graphql.connections import connection_for
from backend.graphql.scalars import Rupiah
from backend.i18n import Text, localized
from backend.markdown import render_markdown

SurveyElementEnum = graphene.Enum("SurveyElement", [(e, e) for e in ELEMENTS])


def _text(value, info) -> str:
    return Text(**value).for_language(info.context.language) if value else ""


class PublicServiceType(graphene.ObjectType):
    class Meta:
        name = "PublicService"
        description = "A public service's standard (standar pelayanan)."

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    description_html = graphene.String(required=True)
    skpd_code = graphene.String(required=True, description="The SKPD responsible.")
    requirements = graphene.List(graphene.NonNull(graphene.String), required=True,
                                 description="Persyaratan.")
    steps = graphene.List(graphene.NonNull(graphene.String), required=True,
                          description="Prosedur, in order.")
    processing_time = graphene.String(required=True, description="Jangka waktu.")
    processing_days = graphene.Int()
    cost = graphene.Field(Rupiah, required=True, description="Biaya/tarif; 0 is free.")
    free = graphene.Boolean(required=True)
    cost_note = graphene.String(required=True)
    product = graphene.String(required=True)
    complaint_channel = graphene.String(required=True)
    complaint_category_code = graphene.String(description="The Among Warga complaint "
                                              "category to report a problem with it.")
    legal_basis = graphene.List(graphene.NonNull(graphene.String), required=True)
    service_points = graphene.List(graphene.NonNull(PlaceType), required=True,
                                   description="Where it is served, with opening hours.")
    demo = graphene.Boolean(required=True, description="Demo data, not an official standard.")
    editorial = graphene.Field(EditorialType)

    @staticmethod
    def resolve_id(service, info):
        return str(service.id)

    @staticmethod
    def resolve_name(service, info):
        return localized(service, "name", info.context.language)

    @staticmethod
    def resolve_description(service, info):
        return _text(service.content.get("description"), info)

    @staticmethod
    def resolve_description_html(service, info):
        return render_markdown(_text(service.content.get("description"), info))

    @staticmethod
    async def resolve_skpd_code(service, info):
        skpd = await service.skpd
        return skpd.code

    @staticmethod
    def resolve_requirements(service, info):
        return [_text(r, info) for r in service.content.get("requirements", [])]

    @staticmethod
    def resolve_steps(service, info):
        return [_text(r, info) for r in service.content.get("steps", [])]

    @staticmethod
    def resolve_processing_time(service, info):
        return _text(service.content.get("processingTime"), info)

    @staticmethod
    def resolve_free(service, info):
        return service.cost == 0

    @staticmethod
    def resolve_cost_note(service, info):
        return _text(service.content.get("costNote"), info)

    @staticmethod
    def resolve_product(service, info):
        return _text(service.content.get("product"), info)

    @staticmethod
    def resolve_complaint_channel(service, info):
        return _text(service.content.get("complaintChannel"), info)

    @staticmethod
    def resolve_legal_basis(service, info):
        return service.content.get("legalBasis", [])

    @staticmethod
    async def resolve_service_points(service, info):
        found = await places.views(service.content.get("servicePointIds", []))
        return [view for view in found if view is not None
                and view.place.status == ContentStatus.PUBLISHED.value]

    @staticmethod
    async def resolve_editorial(service, info):
        return await editorial_of("service", service, info)


PublicServiceConnection = connection_for(PublicServiceType)


class ElementMeanType(graphene.ObjectType):
    class Meta:
        name = "SurveyElementMean"

    element = graphene.Field(SurveyElementEnum, required=True)
    mean = graphene.Float(required=True, description="1 … 4.")


class ServiceSatisfactionType(graphene.ObjectType):
    class Meta:
        name = "ServiceSatisfaction"
        description = ("The satisfaction index (IKM, Permenpan RB 14/2017) of a service over a "
                       "period: the mean of the nine elements' means × 25. Published only from "
                       f"{30} answers in the period: with fewer, index, grade and elements are "
                       "null (the SKPD's editors see them).")

    answers = graphene.Int(required=True)
    index = graphene.Float()
    grade = graphene.String(description="A (88.31–100), B (76.61–88.30), C (65.00–76.60), "
                            "D (25.00–64.99).")
    elements = graphene.List(graphene.NonNull(ElementMeanType))
