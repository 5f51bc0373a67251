from __future__ import annotations

import graphene

from among_kota.conditions.models import ConditionNotice, NoticeKind, NoticeSeverity
from among_kota.content.graphql.types import EditorialType, editorial_of
from backend.geo.graphql.scalars import GeoJSONGeometry
from backend.i18n import localized
from backend.markdown import render_markdown

NoticeKindEnum = graphene.Enum.from_enum(NoticeKind, name="ConditionNoticeKind")
NoticeSeverityEnum = graphene.Enum.from_enum(NoticeSeverity, name="ConditionSeverity")


class ConditionNoticeType(graphene.ObjectType):
    class Meta:
        name = "ConditionNotice"
        description = ("A notice about the city's conditions by the responsible SKPD: what, "
                       "where (a GeoJSON geometry) and for how long.")

    id = graphene.ID(required=True)
    kind = graphene.Field(NoticeKindEnum, required=True)
    severity = graphene.Field(NoticeSeverityEnum, required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True, description="Markdown as written.")
    body_html = graphene.String(required=True)
    geometry = graphene.Field(
        GeoJSONGeometry, required=True, description="RFC 7946 geometry: Point, LineString "
        "or Polygon (longitude, latitude).")
    valid_from = graphene.DateTime(required=True)
    valid_until = graphene.DateTime(description="Null: until the SKPD withdraws it.")
    skpd_code = graphene.String(required=True, description="The agency responsible.")
    editorial = graphene.Field(EditorialType)

    @staticmethod
    def resolve_id(notice: ConditionNotice, info):
        return str(notice.id)

    @staticmethod
    def resolve_title(notice: ConditionNotice, info):
        return localized(notice, "title", info.context.language)

    @staticmethod
    def resolve_body(notice: ConditionNotice, info):
        return localized(notice, "body", info.context.language) or ""

    @staticmethod
    def resolve_body_html(notice: ConditionNotice, info):
        return render_markdown(localized(notice, "body", info.context.language))

    @staticmethod
    def resolve_skpd_code(notice: ConditionNotice, info):
        return notice.skpd.code

    @staticmethod
    async def resolve_editorial(notice: ConditionNotice, info):
        return await editorial_of("condition_notice", notice, info)


class OpenReportCountType(graphene.ObjectType):
    class Meta:
        name = "OpenReportCount"
        description = ("How many public Among Warga reports are open in a village and "
                       "category: a number, never a report or a person.")

    village_code = graphene.String(description="Null: outside every known village.")
    village_name = graphene.String()
    category_code = graphene.String(required=True)
    category_name = graphene.String(required=True)
    count = graphene.Int(required=True)

    @staticmethod
    def resolve_category_name(row, info):
        return localized(row, "category_name", info.context.language)


class CityConditionsType(graphene.ObjectType):
    class Meta:
        name = "CityConditions"

    notices = graphene.List(graphene.NonNull(ConditionNoticeType), required=True,
                            description="Current notices, most severe first.")
    open_reports = graphene.List(graphene.NonNull(OpenReportCountType), required=True,
                                 description="Open public reports per village and category, "
                                 "largest first.")
    open_report_total = graphene.Int(required=True)
