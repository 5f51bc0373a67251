from __future__ import annotations

import graphene

from among_kota.content.graphql.mutations import EditorialMutations
from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.errors import KotaErrorCode as C
from among_kota.services import services
from among_kota.services.graphql.types import PublicServiceType
from among_kota.services.models import PublicService
from backend.accounts.services import Principal
from backend.graphql.core import BaseMutation, parse_int_id
from backend.graphql.scalars import Rupiah
from backend.permissions import SIGNED_IN


class PublicServiceInput(graphene.InputObjectType):
    id = graphene.ID(description="Omitted: a new service (a draft of your SKPD).")
    skpd_code = graphene.String()
    name = TextInput(required=True)
    description = TextInput(description="Markdown.")
    requirements = graphene.List(graphene.NonNull(TextInput))
    steps = graphene.List(graphene.NonNull(TextInput))
    processing_time = TextInput()
    processing_days = graphene.Int()
    cost = Rupiah(description="0 or omitted: free.")
    cost_note = TextInput()
    product = TextInput()
    complaint_channel = TextInput()
    complaint_category_code = graphene.String()
    legal_basis = graphene.List(graphene.NonNull(graphene.String))
    service_point_ids = graphene.List(graphene.NonNull(graphene.ID),
                                      description="Published places where it is served.")


async def _load(service_id: int) -> PublicService:
    return await PublicService.get(id=service_id)


async def _clean(input: PublicServiceInput, item_id: int | None, principal: Principal
                 ) -> dict:
    if input.service_point_ids:
        input.service_point_ids = [parse_int_id(p, C.NOT_FOUND, "servicePointIds")
                                   for p in input.service_point_ids]
    return await services.clean_service(input, item_id=item_id)


SERVICE_EDITING = EditorialMutations(
    services.SERVICES, "PublicService", PublicServiceInput, "service", PublicServiceType,
    _load, _clean, descriptions={
        "save": "Create a public service's standard (a draft) or save edits to one.",
        "publish": "Publish a public service now or at a set time.",
    })


class SatisfactionSurveyInput(graphene.InputObjectType):
    service_id = graphene.ID(required=True)
    scores = graphene.List(
        graphene.NonNull(graphene.Int), required=True,
        description="The nine elements in the regulation's order (requirements, procedure, "
        "time, cost, product, staff competence, staff behaviour, complaint handling, "
        "facilities), each 1 (not good) … 4 (very good).")


class SubmitSatisfactionSurvey(BaseMutation):
    class Arguments:
        input = SatisfactionSurveyInput(required=True)

    class Meta:
        description = ("Answer the satisfaction survey (IKM) after using a service: once per "
                       "service and month. Your answers are yours (myData); only totals are "
                       "published.")
        need = SIGNED_IN
        error_type = KotaError

    ok = graphene.Boolean(required=True)

    @classmethod
    async def perform(cls, root, info, principal, input):
        await services.submit_answer(
            principal, parse_int_id(input.service_id, C.NOT_FOUND, "serviceId"), input.scores)
        return {"ok": True}


class ServiceMutations(graphene.ObjectType):
    (save_public_service, publish_public_service, rollback_public_service,
     withdraw_public_service) = SERVICE_EDITING.fields()
    submit_satisfaction_survey = SubmitSatisfactionSurvey.Field()
