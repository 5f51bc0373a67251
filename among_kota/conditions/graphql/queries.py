from __future__ import annotations

import graphene

from among_kota.conditions import services
from among_kota.conditions.graphql.types import CityConditionsType, ConditionNoticeType
from among_kota.conditions.models import ConditionNotice
from among_kota.content.models import ContentStatus
from among_kota.content.rights import may_edit
from among_warga.api.counts import COUNT_CHANGES, open_report_counts
from backend import ids
from backend.geo.geodesy import check_bbox
from backend.geo.graphql.types import BboxInput
from backend.graphql.core import guarded
from backend.permissions import PUBLIC
from backend.read_cache import public_read

# What changes the public answer: a notice published, edited, withdrawn, starting or
# expiring; a report opening, closing or changing category (Among Warga's counts).
CONDITION_CHANGES = (*services.NOTICE_EVENTS, *COUNT_CHANGES)


class ConditionQueries(graphene.ObjectType):
    city_conditions = graphene.Field(
        CityConditionsType, required=True, bbox=graphene.Argument(BboxInput),
        description="What is happening in the city now: the SKPDs' current notices whose "
        "geometry meets the box, and open public reports counted per village and category "
        "(reports whose public point lies in the box). No box: the whole city.")
    condition_notice = graphene.Field(
        ConditionNoticeType, id=graphene.ID(required=True),
        description="A notice: published ones for everyone, drafts for their editors.")

    @staticmethod
    @public_read(invalidated_by=CONDITION_CHANGES)
    @guarded(PUBLIC)
    async def resolve_city_conditions(root, info, bbox=None):
        box = check_bbox(bbox.south, bbox.west, bbox.north, bbox.east) if bbox else None
        counts = await open_report_counts(box)
        return CityConditionsType(
            notices=await services.current_notices(box), open_reports=counts,
            open_report_total=sum(c.count for c in counts))

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_condition_notice(root, info, id):
        notice_id = ids.parse_id(id)
        notice = await ConditionNotice.get_or_none(id=notice_id).select_related("skpd") \
            if notice_id else None
        if notice is None:
            return None
        if notice.status != ContentStatus.PUBLISHED and not may_edit(
                await info.context.principal(), notice.skpd_id):
            return None
        return notice
