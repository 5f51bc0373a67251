"""GraphQL types of farming. Every nested field batches through a per-request loader, so a
page costs the same number of SQL statements whatever its size; what a caller may see was
decided by :mod:`among_tani.farming.visibility` before a node is built."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import graphene

from among_tani.farming.errors import FarmingErrorCode
from among_tani.farming.models import (
    AlertStatus,
    CropQuestion,
    Harvest,
    MessageKind,
    Parcel,
    Planting,
    ProblemType,
    QuestionMessage,
    QuestionOfficer,
    QuestionStatus,
    Severity,
    Tenure,
)
from backend.accounts.models import User
from backend.geo.graphql.types import AreaByIdLoader, AreaType
from backend.graphql.connections import connection_for
from backend.graphql.core import BaseLoader, error_type
from backend.graphql.scalars import Quantity
from backend.i18n import bilingual_field, localized
from backend.markdown import plain_text, render_markdown
from backend.media.graphql.dataloaders import PhotoByIdLoader
from backend.media.graphql.types import PhotoType

FarmingError = error_type("FarmingError", FarmingErrorCode)
TenureEnum = graphene.Enum.from_enum(Tenure)
ProblemTypeEnum = graphene.Enum.from_enum(ProblemType)
QuestionStatusEnum = graphene.Enum.from_enum(QuestionStatus, description="OPEN: waiting for "
                                             "the first answer; ANSWERED; CLOSED.")
MessageKindEnum = graphene.Enum.from_enum(MessageKind)
AlertStatusEnum = graphene.Enum.from_enum(AlertStatus)
SeverityEnum = graphene.Enum.from_enum(Severity)


# -- loaders --------------------------------------------------------------------------------


class FarmUserByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {u.id: u for u in await User.filter(id__in=keys)}


class PlantingsByParcelLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[Planting]] = defaultdict(list)
        for planting in await Planting.filter(parcel_id__in=keys).order_by("-planted_on", "-id"):
            found[planting.parcel_id].append(planting)
        return found


class HarvestsByPlantingLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[Harvest]] = defaultdict(list)
        for harvest in await Harvest.filter(planting_id__in=keys).order_by("harvested_on", "id"):
            found[harvest.planting_id].append(harvest)
        return found


class OfficersByQuestionLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[int]] = defaultdict(list)
        for question_id, officer_id in await QuestionOfficer.filter(
                question_id__in=keys).order_by("officer_id").values_list(
                "question_id", "officer_id"):
            found[question_id].append(officer_id)
        return found


class MessagesByQuestionLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        found: dict[int, list[QuestionMessage]] = defaultdict(list)
        for message in await QuestionMessage.filter(question_id__in=keys).order_by("id"):
            found[message.question_id].append(message)
        return found


async def _photos(info, ids: list[int]) -> list[Any]:
    photos = await info.context.loader(PhotoByIdLoader).load_many(list(ids))
    return [p for p in photos if p is not None]


async def _user(info, user_id: int | None) -> Any:
    if user_id is None:
        return None
    return await info.context.loader(FarmUserByIdLoader).load(user_id)


async def _village(info, area_id: int) -> Any:
    return await info.context.loader(AreaByIdLoader).load(area_id)


# -- people ---------------------------------------------------------------------------------


class PersonRef(graphene.ObjectType):
    class Meta:
        name = "FarmPerson"
        description = "A farmer, officer or staff member as shown inside farm records and "\
            "crop questions (only to those who may see them): id and name, never contact data."

    id = graphene.ID(required=True)
    name = graphene.String()

    @staticmethod
    def resolve_id(user: User, info) -> str:
        return str(user.id)

    @staticmethod
    def resolve_name(user: User, info) -> str | None:
        return user.name


# -- farm records ---------------------------------------------------------------------------


class HarvestType(graphene.ObjectType):
    class Meta:
        name = "Harvest"

    id = graphene.ID(required=True)
    harvested_on = graphene.Date(required=True)
    quantity = Quantity(required=True)
    unit = graphene.String(required=True)
    grade = graphene.String(required=True)
    entered_by = graphene.Field(PersonRef)

    @staticmethod
    async def resolve_entered_by(harvest: Harvest, info):
        return await _user(info, harvest.entered_by_id)


class PlantingType(graphene.ObjectType):
    class Meta:
        name = "Planting"

    id = graphene.ID(required=True)
    parcel_id = graphene.ID(required=True)
    commodity_code = graphene.String(required=True)
    variety = graphene.String(required=True)
    area_ha = Quantity(required=True)
    planted_on = graphene.Date(required=True)
    expected_harvest_on = graphene.Date(required=True)
    expected_yield = Quantity()
    yield_unit = graphene.String()
    entered_by = graphene.Field(PersonRef, description="Who wrote it: the farmer, or the "
                                "village's extension officer for them.")
    harvests = graphene.List(graphene.NonNull(HarvestType), required=True)

    @staticmethod
    async def resolve_entered_by(planting: Planting, info):
        return await _user(info, planting.entered_by_id)

    @staticmethod
    async def resolve_harvests(planting: Planting, info):
        return await info.context.loader(HarvestsByPlantingLoader).load(planting.id)

    @staticmethod
    def resolve_area_ha(planting: Planting, info):
        return planting.area_ha.quantize(_THOUSANDTH)

    @staticmethod
    def resolve_expected_yield(planting: Planting, info):
        return planting.expected_yield


class ParcelType(graphene.ObjectType):
    class Meta:
        name = "Parcel"
        description = "A farmer's land parcel. Personal data: only the farmer, the extension "\
            "officers of its village and Dinas Pertanian staff ever get one."

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    geometry = graphene.JSONString(description="RFC 7946 Polygon (lon, lat), or null for a "
                                   "parcel given as a point with an area.")
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    area_ha = Quantity(required=True)
    tenure = TenureEnum(required=True)
    village = graphene.Field(AreaType)
    farmer = graphene.Field(PersonRef)
    entered_by = graphene.Field(PersonRef)
    updated_by = graphene.Field(PersonRef)
    plantings = graphene.List(graphene.NonNull(PlantingType), required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_geometry(parcel: Parcel, info):
        return json.loads(parcel.geometry) if parcel.geometry else None

    @staticmethod
    def resolve_area_ha(parcel: Parcel, info):
        return parcel.area_ha.quantize(_THOUSANDTH)

    @staticmethod
    async def resolve_village(parcel: Parcel, info):
        return await _village(info, parcel.village_id)

    @staticmethod
    async def resolve_farmer(parcel: Parcel, info):
        return await _user(info, parcel.farmer_id)

    @staticmethod
    async def resolve_entered_by(parcel: Parcel, info):
        return await _user(info, parcel.entered_by_id)

    @staticmethod
    async def resolve_updated_by(parcel: Parcel, info):
        return await _user(info, parcel.updated_by_id)

    @staticmethod
    async def resolve_plantings(parcel: Parcel, info):
        return await info.context.loader(PlantingsByParcelLoader).load(parcel.id)


ParcelConnection = connection_for(ParcelType)


# -- crop questions -------------------------------------------------------------------------


class QuestionMessageType(graphene.ObjectType):
    class Meta:
        name = "CropQuestionMessage"

    id = graphene.ID(required=True)
    kind = MessageKindEnum(required=True)
    text = graphene.String(required=True)
    photos = graphene.List(graphene.NonNull(PhotoType), required=True)
    recommended_actions = graphene.List(graphene.NonNull(graphene.String), required=True)
    author = graphene.Field(PersonRef)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    async def resolve_photos(message: QuestionMessage, info):
        return await _photos(info, message.photo_ids)

    @staticmethod
    async def resolve_author(message: QuestionMessage, info):
        return await _user(info, message.author_id)


class CropQuestionType(graphene.ObjectType):
    class Meta:
        name = "CropQuestion"
        description = "A farmer's crop problem and its thread; seen by the farmer, the "\
            "officers of the village, the specialist holding it and Dinas Pertanian only."

    id = graphene.ID(required=True)
    status = QuestionStatusEnum(required=True)
    commodity_code = graphene.String(required=True)
    problem_type = ProblemTypeEnum(required=True)
    description = graphene.String(required=True)
    photos = graphene.List(graphene.NonNull(PhotoType), required=True)
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    parcel_id = graphene.ID()
    village = graphene.Field(AreaType)
    asker = graphene.Field(PersonRef)
    officers = graphene.List(graphene.NonNull(PersonRef), required=True,
                             description="The extension officers it was routed to.")
    specialist = graphene.Field(PersonRef, description="The distan specialist holding it.")
    due_at = graphene.DateTime(required=True, description="When the first answer is due.")
    overdue = graphene.Boolean(required=True)
    first_answer_at = graphene.DateTime()
    solved = graphene.Boolean()
    rating = graphene.Int()
    messages = graphene.List(graphene.NonNull(QuestionMessageType), required=True)
    created_at = graphene.DateTime(required=True)
    closed_at = graphene.DateTime()

    @staticmethod
    async def resolve_photos(question: CropQuestion, info):
        return await _photos(info, question.photo_ids)

    @staticmethod
    async def resolve_village(question: CropQuestion, info):
        return await _village(info, question.village_id)

    @staticmethod
    async def resolve_asker(question: CropQuestion, info):
        return await _user(info, question.asker_id)

    @staticmethod
    async def resolve_officers(question: CropQuestion, info):
        ids = await info.context.loader(OfficersByQuestionLoader).load(question.id)
        users = await info.context.loader(FarmUserByIdLoader).load_many(ids)
        return [u for u in users if u is not None]

    @staticmethod
    async def resolve_specialist(question: CropQuestion, info):
        return await _user(info, question.specialist_id)

    @staticmethod
    def resolve_overdue(question: CropQuestion, info):
        return question.overdue_flagged_at is not None

    @staticmethod
    def resolve_parcel_id(question: CropQuestion, info):
        return str(question.parcel_id) if question.parcel_id else None

    @staticmethod
    async def resolve_messages(question: CropQuestion, info):
        return await info.context.loader(MessagesByQuestionLoader).load(question.id)


CropQuestionConnection = connection_for(CropQuestionType)


class PestAlertPoint(graphene.ObjectType):
    lat = graphene.Float(required=True, description="Rounded to about 110 m.")
    lon = graphene.Float(required=True)
    village_id = graphene.ID()

    @staticmethod
    def resolve_lat(point, info):
        return point["lat"]

    @staticmethod
    def resolve_lon(point, info):
        return point["lon"]

    @staticmethod
    def resolve_village_id(point, info):
        return point.get("villageId")


class PestAlertType(graphene.ObjectType):
    class Meta:
        name = "PestAlert"

    id = graphene.ID(required=True)
    status = AlertStatusEnum(required=True)
    commodity_code = graphene.String(required=True)
    problem_type = ProblemTypeEnum(required=True)
    question_count = graphene.Int(required=True)
    points = graphene.List(graphene.NonNull(PestAlertPoint), required=True)
    created_at = graphene.DateTime(required=True)
    reviewed_at = graphene.DateTime()

    @staticmethod
    def resolve_question_count(alert, info):
        return len(alert.question_ids)


_THOUSANDTH = __import__("decimal").Decimal("0.001")


# -- advisories and knowledge ---------------------------------------------------------------


class AdvisoryType(graphene.ObjectType):
    class Meta:
        name = "Advisory"
        description = "A Dinas Pertanian advisory, or a knowledge article made from an "\
            "answered question (the farmer's identity removed). Public."

    id = graphene.ID(required=True)
    title = bilingual_field(required=True)
    body_html = graphene.String(required=True, description="The body in the language asked "
                                "for, Markdown rendered and sanitised.")
    summary = graphene.String(required=True, description="One line of plain text.")
    commodity_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
    villages = graphene.List(graphene.NonNull(AreaType), required=True)
    area = graphene.JSONString(description="The drawn target area (RFC 7946 Polygon).")
    severity = SeverityEnum(required=True)
    problem_type = ProblemTypeEnum()
    is_article = graphene.Boolean(required=True)
    valid_from = graphene.DateTime(required=True)
    valid_until = graphene.DateTime()
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_body_html(advisory, info):
        return render_markdown(localized(advisory, "body", info.context.language))

    @staticmethod
    def resolve_summary(advisory, info):
        return plain_text(localized(advisory, "body", info.context.language), 160)

    @staticmethod
    async def resolve_villages(advisory, info):
        found = await info.context.loader(AreaByIdLoader).load_many(advisory.village_ids or [])
        return [a for a in found if a is not None]

    @staticmethod
    def resolve_area(advisory, info):
        return json.loads(advisory.area) if advisory.area else None


# -- distan statistics ----------------------------------------------------------------------


class PlantedAreaStat(graphene.ObjectType):
    commodity_code = graphene.String(required=True)
    village = graphene.Field(AreaType)
    area_ha = Quantity(required=True)
    farmers = graphene.Int(required=True)
    plantings = graphene.Int(required=True)

    @staticmethod
    async def resolve_village(row, info):
        return await _village(info, row.village_id)

    @staticmethod
    def resolve_area_ha(row, info):
        return row.area_ha.quantize(_THOUSANDTH)


class QuestionCountStat(graphene.ObjectType):
    problem_type = ProblemTypeEnum(required=True)
    village = graphene.Field(AreaType)
    questions = graphene.Int(required=True)
    open = graphene.Int(required=True)
    overdue = graphene.Int(required=True)

    @staticmethod
    async def resolve_village(row, info):
        return await _village(info, row.village_id)

    @staticmethod
    def resolve_problem_type(row, info):
        return ProblemType(row.problem_type)


class AnswerTimeStat(graphene.ObjectType):
    officer = graphene.Field(PersonRef)
    answered = graphene.Int(required=True)
    mean_hours = graphene.Float(required=True)
    max_hours = graphene.Float(required=True)

    @staticmethod
    async def resolve_officer(row, info):
        return await _user(info, row.officer_id)


class FarmingStatisticsType(graphene.ObjectType):
    class Meta:
        name = "FarmingStatistics"

    planted = graphene.List(graphene.NonNull(PlantedAreaStat), required=True)
    questions = graphene.List(graphene.NonNull(QuestionCountStat), required=True)
    answer_times = graphene.List(graphene.NonNull(AnswerTimeStat), required=True)


# -- farmer groups --------------------------------------------------------------------------


class FarmerGroupKindEnum(graphene.Enum):
    POKTAN = "poktan"
    GAPOKTAN = "gapoktan"


class MembersByGroupLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        from among_tani.registry.models import FarmerProfile

        found: dict[int, list[int]] = defaultdict(list)
        for group_id, user_id in await FarmerProfile.filter(
                farmer_group_id__in=keys).order_by("user_id").values_list(
                "farmer_group_id", "user_id"):
            found[group_id].append(user_id)
        return found


class FarmerGroupType(graphene.ObjectType):
    class Meta:
        name = "FarmerGroupRecord"
        description = "A kelompok tani (POKTAN) or gabungan (GAPOKTAN) of one village. Members "\
            "and chair are shown to the village's extension officers and Dinas Pertanian."

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    kind = FarmerGroupKindEnum(required=True)
    village = graphene.Field(AreaType)
    parent_id = graphene.ID()
    member_count = graphene.Int(required=True)
    chair = graphene.Field(PersonRef)
    members = graphene.List(graphene.NonNull(PersonRef))

    @staticmethod
    def resolve_kind(group, info):
        return getattr(group.kind, "value", group.kind)

    @staticmethod
    async def resolve_village(group, info):
        return await _village(info, group.village_id)

    @staticmethod
    async def resolve_member_count(group, info):
        return len(await info.context.loader(MembersByGroupLoader).load(group.id))

    @staticmethod
    async def _staff(group, info) -> bool:
        from among_tani.farming.visibility import farm_policy

        policy = await farm_policy(info.context)
        return policy.distan or group.village_id in policy.officer_villages

    @staticmethod
    async def resolve_chair(group, info):
        if group.chair_id is None or not await FarmerGroupType._staff(group, info):
            return None
        return await _user(info, group.chair_id)

    @staticmethod
    async def resolve_members(group, info):
        if not await FarmerGroupType._staff(group, info):
            return None
        ids = await info.context.loader(MembersByGroupLoader).load(group.id)
        users = await info.context.loader(FarmUserByIdLoader).load_many(ids)
        return [u for u in users if u is not None]


class QuestionSummaryType(graphene.ObjectType):
    class Meta:
        name = "CropQuestionSummary"
        description = "What the command-center wall shows of a crop question: no farmer, no "\
            "description, no point — the village, the crop, the problem and the deadline."

    id = graphene.ID(required=True)
    commodity_code = graphene.String(required=True)
    problem_type = ProblemTypeEnum(required=True)
    status = QuestionStatusEnum(required=True)
    village = graphene.Field(AreaType)
    due_at = graphene.DateTime(required=True)
    overdue_since = graphene.DateTime()
    officer_count = graphene.Int(required=True)

    @staticmethod
    async def resolve_village(question, info):
        return await _village(info, question.village_id)

    @staticmethod
    def resolve_overdue_since(question, info):
        return question.overdue_flagged_at

    @staticmethod
    async def resolve_officer_count(question, info):
        return len(await info.context.loader(OfficersByQuestionLoader).load(question.id))
