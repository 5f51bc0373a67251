from __future__ import annotations

import graphene

from among_kota.conditions.graphql.types import (
    ConditionNoticeType,
    NoticeKindEnum,
    NoticeSeverityEnum,
)
from among_kota.conditions.models import ConditionNotice
from among_kota.conditions.services import NOTICES, clean_notice
from among_kota.content.graphql.mutations import EditorialMutations
from among_kota.content.graphql.types import TextInput
from backend.accounts.services import Principal
from backend.geo.graphql.scalars import GeoJSONGeometry


class ConditionNoticeInput(graphene.InputObjectType):
    id = graphene.ID(description="Omitted: a new notice (a draft of your SKPD).")
    skpd_code = graphene.String()
    kind = NoticeKindEnum(required=True)
    severity = NoticeSeverityEnum(required=True)
    title = TextInput(required=True)
    body = TextInput(description="Markdown.")
    geometry = GeoJSONGeometry(
        required=True, description="RFC 7946 Point, LineString or Polygon (longitude, "
        "latitude) within the map of Kota Batu, as an object or as JSON text.")
    valid_from = graphene.DateTime(required=True, description="Without an offset: WIB.")
    valid_until = graphene.DateTime(description="Omitted: until withdrawn.")


async def _load(notice_id: int) -> ConditionNotice:
    return await ConditionNotice.get(id=notice_id).select_related("skpd")


async def _clean(input: ConditionNoticeInput, item_id: int | None, principal: Principal
                 ) -> dict:
    return await clean_notice(input)


NOTICE_EDITING = EditorialMutations(
    NOTICES, "ConditionNotice", ConditionNoticeInput, "notice", ConditionNoticeType, _load,
    _clean, descriptions={
        "save": "Create a city-condition notice (a draft) or save edits to one.",
        "publish": "Publish a city-condition notice now or at a set time.",
        "rollback": "Publish an earlier revision of a city-condition notice again.",
        "withdraw": "Take a city-condition notice off the map (e.g. the road is open again).",
    })


class ConditionMutations(graphene.ObjectType):
    (save_condition_notice, publish_condition_notice, rollback_condition_notice,
     withdraw_condition_notice) = NOTICE_EDITING.fields()
