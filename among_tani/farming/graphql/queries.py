from __future__ import annotations

import graphene
from tortoise.expressions import Q, Subquery

from among_tani.farming import advisories, outlook, statistics
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.events import OUTLOOK_EVENTS, FarmingEvent
from among_tani.farming.graphql.outlook_types import HarvestOutlookType, SupplyOutlookType
from among_tani.farming.graphql.types import (
    AdvisoryType,
    AlertStatusEnum,
    CropQuestionConnection,
    CropQuestionType,
    FarmerGroupType,
    FarmingStatisticsType,
    ParcelConnection,
    ParcelType,
    PestAlertType,
    ProblemTypeEnum,
    QuestionStatusEnum,
    QuestionSummaryType,
)
from among_tani.farming.models import (
    AlertStatus,
    CropQuestion,
    Parcel,
    PestAlert,
    ProblemType,
    QuestionOfficer,
    QuestionStatus,
)
from among_tani.farming.visibility import farm_policy
from among_tani.registry import services as registry_services
from among_tani.registry.models import FarmerGroup
from backend import ids
from backend.accounts.models import Role
from backend.errors import Forbidden
from backend.graphql.core import guarded, paginate
from backend.graphql.enums import as_enum
from backend.permissions import PUBLIC, SIGNED_IN, any_role
from backend.read_cache import public_read

FARM_STAFF = any_role(Role.EXTENSION_OFFICER, Role.RESPONDER, Role.ADMIN)
ALERT_READERS = any_role(Role.RESPONDER, Role.OPERATOR, Role.ADMIN)
# What changes the public knowledge and advisory lists (their read-cache invalidation). An
# advisory whose validity starts or ends without an event shows at most the read cache's
# max age (BATT_READ_CACHE_MAX_AGE) late.
KNOWLEDGE_EVENTS = (FarmingEvent.ADVISORY_PUBLISHED, FarmingEvent.ARTICLE_PUBLISHED)


def _questions_visible_to(policy) -> Q | None:
    """The questions the caller may see, as one SQL condition (None: all of them)."""
    if policy.distan:
        return None
    me = policy.user_id
    condition = Q(asker_id=me) | Q(specialist_id=me) | Q(id__in=Subquery(
        QuestionOfficer.filter(officer_id=me).values("question_id")))
    if policy.officer_villages:
        condition |= Q(village_id__in=sorted(policy.officer_villages))
    return condition


class FarmingQueries(graphene.ObjectType):
    my_parcels = graphene.Field(
        ParcelConnection, required=True, first=graphene.Int(), after=graphene.String(),
        description="The caller's own land parcels, newest first.")
    parcels = graphene.Field(
        ParcelConnection, required=True, village_code=graphene.String(),
        farmer_id=graphene.ID(), first=graphene.Int(), after=graphene.String(),
        description="Parcels of the villages an extension officer covers (Dinas Pertanian: "
        "all), newest first.")
    parcel = graphene.Field(ParcelType, id=graphene.ID(required=True),
                            description="One parcel, or null if the caller may not see it.")
    crop_questions = graphene.Field(
        CropQuestionConnection, required=True,
        status=graphene.Argument(QuestionStatusEnum), overdue=graphene.Boolean(),
        first=graphene.Int(), after=graphene.String(),
        description="Crop questions the caller may see, newest first: a farmer's own; an "
        "officer's villages and those routed to them; a specialist's; all for Dinas "
        "Pertanian.")
    crop_question = graphene.Field(CropQuestionType, id=graphene.ID(required=True))
    overdue_crop_questions = graphene.List(
        graphene.NonNull(QuestionSummaryType), required=True,
        description="Open crop questions past their first-answer deadline, oldest deadline "
        "first — for the command-center wall beside complaints (operators, Dinas "
        "Pertanian).")
    pest_alerts = graphene.List(
        graphene.NonNull(PestAlertType), required=True,
        status=graphene.Argument(AlertStatusEnum),
        description="Outbreak signals, newest first (Dinas Pertanian and the command center).")
    knowledge = graphene.List(
        graphene.NonNull(AdvisoryType), required=True, text=graphene.String(),
        commodity_code=graphene.String(), problem_type=graphene.Argument(ProblemTypeEnum),
        description="Knowledge articles and advisories, best match first: typo-tolerant, "
        "Indonesian and English (\"kutu daun\" and \"aphid\" alike). Public.")
    advisories = graphene.List(
        graphene.NonNull(AdvisoryType), required=True, commodity_code=graphene.String(),
        description="Advisories valid now, newest first. Public.")
    farming_statistics = graphene.Field(
        FarmingStatisticsType, required=True, since=graphene.DateTime(),
        description="Dinas Pertanian: planted area and farmers per commodity and village, "
        "questions per problem type and village, first-answer times per officer.")
    farmer_groups = graphene.List(
        graphene.NonNull(FarmerGroupType), required=True,
        village_code=graphene.String(required=True),
        description="The kelompok tani and gapoktan of a village (members and chair for its "
        "extension officers and Dinas Pertanian).")
    harvest_outlook = graphene.Field(
        HarvestOutlookType, required=True, commodity_code=graphene.String(),
        weeks=graphene.Int(default_value=12), village_code=graphene.String(),
        description="Expected harvest per commodity, week and village from registered "
        "plantings — public aggregates, never a parcel or a farmer. For the whole city "
        "select `series` (one list per commodity and village) rather than `entries`.")
    supply_outlook = graphene.Field(
        SupplyOutlookType, required=True, commodity_code=graphene.String(required=True),
        weeks=graphene.Int(default_value=4),
        description="For buyers on the marketplace (the market screen of a commodity): the "
        "harvest expected from registered plantings per village over the next `weeks` (1–12), "
        "with a sentence in the language asked for. Public village aggregates.")

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_parcels(root, info, first=None, after=None):
        principal = await info.context.principal()
        return await paginate(Parcel.filter(farmer_id=principal.user.id), ParcelConnection,
                              first=first, after=after)

    @staticmethod
    @guarded(FARM_STAFF)
    async def resolve_parcels(root, info, village_code=None, farmer_id=None, first=None,
                              after=None):
        policy = await farm_policy(info.context)
        query = Parcel.all()
        if not policy.distan:
            query = query.filter(village_id__in=sorted(policy.officer_villages))
        if village_code:
            village = await registry_services.village_by_code(village_code)
            query = query.filter(village_id=village.id)
        if farmer_id is not None:
            query = query.filter(farmer_id=ids.parse_id(farmer_id) or 0)
        return await paginate(query, ParcelConnection, first=first, after=after)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_parcel(root, info, id):
        policy = await farm_policy(info.context)
        parcel = await Parcel.get_or_none(id=ids.parse_id(id) or 0)
        if parcel is None or not policy.sees_farm(parcel.farmer_id, parcel.village_id):
            return None
        return parcel

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_crop_questions(root, info, status=None, overdue=None, first=None,
                                     after=None):
        policy = await farm_policy(info.context)
        query = CropQuestion.all()
        condition = _questions_visible_to(policy)
        if condition is not None:
            query = query.filter(condition)
        if status is not None:
            query = query.filter(status=as_enum(QuestionStatus, status))
        if overdue is not None:
            query = query.filter(overdue_flagged_at__isnull=not overdue)
        return await paginate(query, CropQuestionConnection, first=first, after=after)

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_crop_question(root, info, id):
        policy = await farm_policy(info.context)
        query = CropQuestion.filter(id=ids.parse_id(id) or 0)
        condition = _questions_visible_to(policy)
        if condition is not None:
            query = query.filter(condition)
        return await query.first()

    @staticmethod
    @guarded(ALERT_READERS)
    async def resolve_overdue_crop_questions(root, info):
        policy = await farm_policy(info.context)
        if not (policy.distan or policy.principal.has(Role.OPERATOR)):
            raise Forbidden.coded(Code.NOT_ALLOWED, info.context.language)
        return await CropQuestion.filter(status=QuestionStatus.OPEN,
                                         overdue_flagged_at__isnull=False) \
            .order_by("due_at", "id").limit(200)

    @staticmethod
    @guarded(ALERT_READERS)
    async def resolve_pest_alerts(root, info, status=None):
        policy = await farm_policy(info.context)
        principal = policy.principal
        if not (policy.distan or principal.has(Role.OPERATOR)):
            raise Forbidden.coded(Code.NOT_ALLOWED, info.context.language)
        query = PestAlert.all().order_by("-id").limit(100)
        if status is not None:
            query = query.filter(status=as_enum(AlertStatus, status))
        return await query

    @staticmethod
    @guarded(ALERT_READERS)
    async def resolve_farming_statistics(root, info, since=None):
        policy = await farm_policy(info.context)
        if not policy.distan:
            raise Forbidden.coded(Code.NOT_ALLOWED, info.context.language)
        return await statistics.statistics(since)

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_farmer_groups(root, info, village_code):
        village = await registry_services.village_by_code(village_code)
        return await FarmerGroup.filter(village_id=village.id).order_by("kind", "name")

    @staticmethod
    @public_read(invalidated_by=KNOWLEDGE_EVENTS)
    @guarded(PUBLIC)
    async def resolve_knowledge(root, info, text=None, commodity_code=None,
                                problem_type=None):
        return await advisories.knowledge(
            text, commodity_code=commodity_code,
            problem_type=as_enum(ProblemType, problem_type) if problem_type else None)

    @staticmethod
    @public_read(invalidated_by=KNOWLEDGE_EVENTS)
    @guarded(PUBLIC)
    async def resolve_advisories(root, info, commodity_code=None):
        return await advisories.current(commodity_code)

    @staticmethod
    @public_read(invalidated_by=OUTLOOK_EVENTS)
    @guarded(PUBLIC)
    async def resolve_harvest_outlook(root, info, commodity_code=None, weeks=12,
                                      village_code=None):
        return await outlook.harvest_outlook(commodity_code=commodity_code, weeks=weeks,
                                             village_code=village_code)

    @staticmethod
    @public_read(invalidated_by=OUTLOOK_EVENTS)
    @guarded(PUBLIC)
    async def resolve_supply_outlook(root, info, commodity_code, weeks=4):
        return await outlook.supply_outlook(commodity_code, weeks=weeks)
