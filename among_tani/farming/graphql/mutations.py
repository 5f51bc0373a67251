from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene

from among_tani.farming import advisories, groups, outbreaks, questions, records
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.graphql.scalars import GeoJSONGeometry
from among_tani.farming.graphql.types import (
    AdvisoryType,
    CropQuestionType,
    FarmerGroupKindEnum,
    FarmerGroupType,
    FarmingError,
    HarvestType,
    ParcelType,
    PestAlertType,
    PlantingType,
    ProblemTypeEnum,
    SeverityEnum,
    TenureEnum,
)
from among_tani.farming.models import ProblemType, Severity, Tenure
from among_tani.farming.visibility import farm_policy
from among_tani.registry.models import FarmerGroupKind
from backend.accounts.models import Role
from backend.errors import ServiceError
from backend.graphql.core import BaseMutation, parse_int_id
from backend.graphql.enums import as_enum
from backend.graphql.scalars import Quantity
from backend.permissions import SIGNED_IN, any_role

FARM_KEEPERS = any_role(Role.FARMER, Role.EXTENSION_OFFICER, Role.RESPONDER, Role.ADMIN)
ANSWERERS = any_role(Role.EXTENSION_OFFICER, Role.RESPONDER, Role.ADMIN)
ASKERS = any_role(Role.FARMER)


def _id(value, field: str, code=Code.NOT_FOUND) -> int:
    return parse_int_id(value, code, field)


def _photo_ids(values) -> list[int]:
    return [_id(p, "photoIds", Code.PHOTO_NOT_FOUND) for p in values or []]


# -- farm records ---------------------------------------------------------------------------


class ParcelInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    geometry = GeoJSONGeometry(description="An RFC 7946 Polygon (lon, lat) inside Kota "
                                   "Batu; or leave it out and give lat, lon and areaHa.")
    lat = graphene.Float()
    lon = graphene.Float()
    area_ha = Quantity(description="Hectares; with a polygon it must agree within 20 %.")
    tenure = TenureEnum(required=True)
    farmer_id = graphene.ID(description="Extension officers and Dinas Pertanian: the farmer "
                            "the parcel belongs to (entering it for them).")


def _parcel_input(input) -> records.ParcelInput:
    return records.ParcelInput(
        name=input.name, tenure=as_enum(Tenure, input.tenure), geometry=input.get("geometry"),
        lat=input.get("lat"), lon=input.get("lon"), area_ha=input.get("area_ha"))


class AddParcel(BaseMutation):
    parcel = graphene.Field(ParcelType)

    class Arguments:
        input = ParcelInput(required=True)

    class Meta:
        description = "Register a land parcel (the farmer's own, or for a farmer by the PPL "\
            "of the village or Dinas Pertanian; recorded as entered by the caller)."
        need = FARM_KEEPERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, input):
        policy = await farm_policy(info.context)
        farmer_id = input.get("farmer_id")
        parcel = await records.add_parcel(
            policy, _parcel_input(input),
            farmer_id=_id(farmer_id, "farmerId", Code.FARMER_NOT_FOUND)
            if farmer_id is not None else None)
        return {"parcel": parcel}


class UpdateParcel(BaseMutation):
    parcel = graphene.Field(ParcelType)

    class Arguments:
        id = graphene.ID(required=True)
        input = ParcelInput(required=True)

    class Meta:
        description = "Correct a parcel (the farmer, the PPL of the village, Dinas Pertanian)."
        need = FARM_KEEPERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, id, input):
        policy = await farm_policy(info.context)
        parcel = await records.update_parcel(policy, _id(id, "id"), _parcel_input(input))
        return {"parcel": parcel}


class PlantingInput(graphene.InputObjectType):
    parcel_id = graphene.ID(required=True)
    commodity_code = graphene.String(required=True)
    variety = graphene.String()
    area_ha = Quantity(required=True)
    planted_on = graphene.Date(required=True)
    expected_harvest_on = graphene.Date(required=True)
    expected_yield = Quantity()
    yield_unit = graphene.String(description="A unit the commodity allows (default its base "
                                 "unit).")


class AddPlanting(BaseMutation):
    planting = graphene.Field(PlantingType)

    class Arguments:
        input = PlantingInput(required=True)

    class Meta:
        description = "Record what is planted on a parcel, and when and how much harvest is "\
            "expected (feeds the public harvest outlook as village aggregates)."
        need = FARM_KEEPERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, input):
        policy = await farm_policy(info.context)
        planting = await records.add_planting(policy, records.PlantingInput(
            parcel_id=_id(input.parcel_id, "parcelId"), commodity_code=input.commodity_code,
            variety=input.get("variety") or "", area_ha=input.area_ha,
            planted_on=input.planted_on, expected_harvest_on=input.expected_harvest_on,
            expected_yield=input.get("expected_yield"), yield_unit=input.get("yield_unit")))
        return {"planting": planting}


class HarvestInput(graphene.InputObjectType):
    planting_id = graphene.ID(required=True)
    harvested_on = graphene.Date(required=True)
    quantity = Quantity(required=True)
    unit = graphene.String(required=True)
    grade = graphene.String()


class RecordHarvest(BaseMutation):
    harvest = graphene.Field(HarvestType)

    class Arguments:
        input = HarvestInput(required=True)

    class Meta:
        description = "Record a harvest of a planting."
        need = FARM_KEEPERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, input):
        policy = await farm_policy(info.context)
        harvest = await records.record_harvest(policy, records.HarvestInput(
            planting_id=_id(input.planting_id, "plantingId"), harvested_on=input.harvested_on,
            quantity=input.quantity if input.quantity is not None else Decimal(0),
            unit=input.unit, grade=input.get("grade") or ""))
        return {"harvest": harvest}


# -- the help desk --------------------------------------------------------------------------


class QuestionPayload:
    question = graphene.Field(CropQuestionType)


class AskCropQuestionInput(graphene.InputObjectType):
    client_request_id = graphene.String(required=True, description="Made once per question "
                                        "by the app and re-sent on every retry.")
    commodity_code = graphene.String(required=True)
    parcel_id = graphene.ID()
    problem_type = ProblemTypeEnum(required=True)
    description = graphene.String()
    photo_ids = graphene.List(graphene.NonNull(graphene.ID))
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)


class AskCropQuestion(QuestionPayload, BaseMutation):
    class Arguments:
        input = AskCropQuestionInput(required=True)

    class Meta:
        description = "Ask the extension officers of the village at the point about a crop "\
            "problem (idempotent by clientRequestId). The first answer is due by dueAt."
        need = ASKERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, input):
        policy = await farm_policy(info.context)
        parcel_id = input.get("parcel_id")
        question = await questions.ask(policy, questions.AskInput(
            client_request_id=input.client_request_id, commodity_code=input.commodity_code,
            problem_type=as_enum(ProblemType, input.problem_type),
            description=input.get("description") or "",
            photo_ids=_photo_ids(input.get("photo_ids")), lat=input.lat, lon=input.lon,
            parcel_id=_id(parcel_id, "parcelId") if parcel_id is not None else None))
        return {"question": question}


class MessageInput(graphene.InputObjectType):
    question_id = graphene.ID(required=True)
    text = graphene.String()
    photo_ids = graphene.List(graphene.NonNull(graphene.ID))
    recommended_actions = graphene.List(graphene.NonNull(graphene.String))


def _message(input) -> questions.MessageInput:
    return questions.MessageInput(
        question_id=_id(input.question_id, "questionId"), text=input.get("text") or "",
        photo_ids=_photo_ids(input.get("photo_ids")),
        recommended_actions=list(input.get("recommended_actions") or []))


class _ThreadMessage:
    """An answer or a reply: one message in a question's thread, through ``step``."""

    step: Any

    @classmethod
    async def perform(cls, root, info, principal, input):
        policy = await farm_policy(info.context)
        return {"question": await cls.step(policy, _message(input))}


class AnswerCropQuestion(_ThreadMessage, QuestionPayload, BaseMutation):
    step = staticmethod(questions.answer)

    class Arguments:
        input = MessageInput(required=True)

    class Meta:
        description = "An officer's answer (text, photos, recommended actions)."
        need = ANSWERERS
        error_type = FarmingError


class ReplyToCropQuestion(_ThreadMessage, QuestionPayload, BaseMutation):
    step = staticmethod(questions.reply)

    class Arguments:
        input = MessageInput(required=True)

    class Meta:
        description = "The farmer's reply in the thread."
        need = SIGNED_IN
        error_type = FarmingError


class HandOffCropQuestion(QuestionPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        specialist_id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "Hand the question to a Dinas Pertanian specialist."
        need = ANSWERERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, id, specialist_id, note=None):
        policy = await farm_policy(info.context)
        question = await questions.hand_off(
            policy, _id(id, "questionId"),
            _id(specialist_id, "specialistId", Code.NOT_A_SPECIALIST), note or "")
        return {"question": question}


class HandBackCropQuestion(QuestionPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "The specialist hands the question back to the village officers."
        need = ANSWERERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, id, note=None):
        policy = await farm_policy(info.context)
        return {"question": await questions.hand_back(policy, _id(id, "questionId"),
                                                      note or "")}


class CloseCropQuestion(QuestionPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        solved = graphene.Boolean()
        rating = graphene.Int(description="1–5, the farmer only.")

    class Meta:
        description = "Close a question (officer, specialist, distan, or the farmer with "\
            "whether it is solved and a rating; the farmer may rate once after an officer "\
            "closed it)."
        need = SIGNED_IN
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, id, solved=None, rating=None):
        policy = await farm_policy(info.context)
        return {"question": await questions.close(policy, _id(id, "questionId"),
                                                  solved=solved, rating=rating)}


class SetAnswerDeadline(BaseMutation):
    hours = graphene.Int()

    class Arguments:
        problem_type = ProblemTypeEnum(required=True)
        hours = graphene.Int(required=True)

    class Meta:
        description = "Dinas Pertanian admins: hours until the first answer is due, per "\
            "problem type (default 72)."
        need = any_role(Role.RESPONDER, Role.ADMIN)
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, problem_type, hours):
        from among_tani.farming import registry_port as registry

        if not await registry.is_distan_admin(principal):
            raise ServiceError(Code.NOT_ALLOWED)
        return {"hours": await questions.set_answer_hours(as_enum(ProblemType, problem_type),
                                                          hours)}


class ReviewPestAlert(BaseMutation):
    alert = graphene.Field(PestAlertType)

    class Arguments:
        id = graphene.ID(required=True)
        confirm = graphene.Boolean(required=True)

    class Meta:
        description = "Dinas Pertanian confirms or dismisses an outbreak signal."
        need = any_role(Role.RESPONDER, Role.ADMIN)
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, id, confirm):
        policy = await farm_policy(info.context)
        if not policy.distan:
            raise ServiceError(Code.NOT_ALLOWED)
        return {"alert": await outbreaks.review(_id(id, "id"), principal.user.id, confirm)}


class PublishAdvisoryInput(graphene.InputObjectType):
    title_id = graphene.String(required=True)
    title_en = graphene.String()
    body_id = graphene.String(required=True, description="Markdown.")
    body_en = graphene.String(description="Markdown.")
    commodity_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
    village_codes = graphene.List(graphene.NonNull(graphene.String))
    area = GeoJSONGeometry(description="A drawn target area (RFC 7946 Polygon).")
    severity = SeverityEnum()
    valid_from = graphene.DateTime()
    valid_until = graphene.DateTime()


class PublishAdvisory(BaseMutation):
    advisory = graphene.Field(AdvisoryType)
    recipient_count = graphene.Int(description="Farmers it was pushed to.")

    class Arguments:
        input = PublishAdvisoryInput(required=True)

    class Meta:
        description = "Dinas Pertanian: publish an advisory; it is pushed to the farmers who "\
            "grow a tagged commodity in the target villages or area, and nobody else."
        need = any_role(Role.RESPONDER, Role.ADMIN)
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, input):
        severity = input.get("severity")
        advisory = await advisories.publish(principal, advisories.AdvisoryInput(
            title_id=input.title_id, title_en=input.get("title_en") or "",
            body_id=input.body_id, body_en=input.get("body_en") or "",
            commodity_codes=list(input.commodity_codes),
            village_codes=list(input.get("village_codes") or []), area=input.get("area"),
            severity=as_enum(Severity, severity) if severity is not None else Severity.INFO,
            valid_from=input.get("valid_from"), valid_until=input.get("valid_until")))
        return {"advisory": advisory, "recipient_count": advisory.recipient_count}


class PublishKnowledgeArticle(BaseMutation):
    advisory = graphene.Field(AdvisoryType)

    class Arguments:
        question_id = graphene.ID(required=True)
        title_id = graphene.String(required=True)
        title_en = graphene.String()

    class Meta:
        description = "Dinas Pertanian: publish an answered question as a knowledge article, "\
            "without the farmer's name, place, parcel or photos."
        need = any_role(Role.RESPONDER, Role.ADMIN)
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, question_id, title_id, title_en=None):
        article = await advisories.publish_article(
            principal, _id(question_id, "questionId"), title_id=title_id,
            title_en=title_en or "")
        return {"advisory": article}


class FarmerGroupInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    kind = FarmerGroupKindEnum(required=True)
    village_code = graphene.String(required=True)
    parent_id = graphene.ID(description="The village's gapoktan this poktan belongs to.")
    chair_id = graphene.ID(description="A farmer of the village (user id).")
    member_ids = graphene.List(graphene.NonNull(graphene.ID), description="The farmers (user "
                               "ids) of the group; left out: members unchanged.")


class SaveFarmerGroup(BaseMutation):
    group = graphene.Field(FarmerGroupType)

    class Arguments:
        id = graphene.ID(description="Leave out to record a new group.")
        input = FarmerGroupInput(required=True)

    class Meta:
        description = "Record or correct a kelompok tani / gapoktan: village, chair, members "\
            "(the village's PPL or Dinas Pertanian)."
        need = ANSWERERS
        error_type = FarmingError

    @classmethod
    async def perform(cls, root, info, principal, input, id=None):
        policy = await farm_policy(info.context)
        ids = input.get("member_ids")
        group = await groups.save_group(policy, groups.GroupInput(
            name=input.name, kind=FarmerGroupKind(getattr(input.kind, "value", input.kind)),
            village_code=input.village_code,
            parent_id=_id(input.parent_id, "parentId") if input.get("parent_id") else None,
            chair_id=_id(input.chair_id, "chairId", Code.FARMER_NOT_FOUND)
            if input.get("chair_id") else None,
            member_ids=[_id(m, "memberIds", Code.FARMER_NOT_FOUND) for m in ids]
            if ids is not None else None), _id(id, "id") if id is not None else None)
        return {"group": group}


class FarmingMutations(graphene.ObjectType):
    save_farmer_group = SaveFarmerGroup.Field()
    publish_advisory = PublishAdvisory.Field()
    publish_knowledge_article = PublishKnowledgeArticle.Field()
    add_parcel = AddParcel.Field()
    update_parcel = UpdateParcel.Field()
    add_planting = AddPlanting.Field()
    record_harvest = RecordHarvest.Field()
    ask_crop_question = AskCropQuestion.Field()
    answer_crop_question = AnswerCropQuestion.Field()
    reply_to_crop_question = ReplyToCropQuestion.Field()
    hand_off_crop_question = HandOffCropQuestion.Field()
    hand_back_crop_question = HandBackCropQuestion.Field()
    close_crop_question = CloseCropQuestion.Field()
    set_answer_deadline = SetAnswerDeadline.Field()
    review_pest_alert = ReviewPestAlert.Field()
