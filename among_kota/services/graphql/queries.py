from __future__ import annotations

from datetime import timedelta

import graphene

from among_kota.content.models import ContentStatus
from among_kota.content.rights import may_edit
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent
from among_kota.services import services
from among_kota.services.graphql.types import (
    ElementMeanType,
    PublicServiceConnection,
    PublicServiceType,
    ServiceSatisfactionType,
)
from among_kota.services.models import PublicService, SurveyAnswer
from among_kota.times import aware, plausible
from backend import ids
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.graphql.connections import paginate
from backend.graphql.core import guarded
from backend.pagination import KeyKind, SortKey, tortoise_page
from backend.permissions import PUBLIC
from backend.read_cache import collecting, public_read, valid_until
from backend.search import parse_search, search_ids

BY_NAME = SortKey("sort_name", KeyKind.STR)
# Service points are places, shown with their opening hours and "open now".
SERVICE_CHANGES = (KotaEvent.SERVICE_PUBLISHED, KotaEvent.SERVICE_UPDATED,
                   KotaEvent.SERVICE_WITHDRAWN, KotaEvent.PLACE_PUBLISHED,
                   KotaEvent.PLACE_UPDATED, KotaEvent.PLACE_WITHDRAWN,
                   KotaEvent.PLACE_CATEGORIES_CHANGED, KotaEvent.HOLIDAYS_CHANGED)
SATISFACTION_CHANGES = (KotaEvent.SURVEY_ANSWERED, KotaEvent.SERVICE_PUBLISHED,
                        KotaEvent.SERVICE_WITHDRAWN)
MAX_PERIOD_DAYS = 3 * 366


class ServiceQueries(graphene.ObjectType):
    public_services = graphene.Field(
        PublicServiceConnection, required=True, text=graphene.String(),
        first=graphene.Int(), after=graphene.String(),
        description="Published public services by name; `text` searches names, "
        "descriptions, requirements and products (typo-tolerant, both languages).")
    public_service = graphene.Field(PublicServiceType, id=graphene.ID(),
                                    slug=graphene.String())
    service_satisfaction = graphene.Field(
        ServiceSatisfactionType, service_id=graphene.ID(required=True),
        from_=graphene.DateTime(name="from", description="Default: a year before `to`."),
        to=graphene.DateTime(description="Default: now."),
        description="The IKM of a published service over a period (null: no such service).")

    @staticmethod
    @public_read(invalidated_by=SERVICE_CHANGES)
    @guarded(PUBLIC)
    async def resolve_public_services(root, info, text=None, first=None, after=None):
        queryset = PublicService.filter(status=ContentStatus.PUBLISHED)
        query = parse_search(text)
        if query is not None:
            found = await search_ids("kota_public_service", query)
            queryset = queryset.filter(id__in=found or [0])

        async def fetch(position, limit):
            return await tortoise_page(queryset, BY_NAME, position).limit(limit)

        return await paginate(PublicServiceConnection, first=first, after=after, sort=BY_NAME,
                              fetch=fetch, count=queryset.count)

    @staticmethod
    @public_read(invalidated_by=SERVICE_CHANGES)
    @guarded(PUBLIC)
    async def resolve_public_service(root, info, id=None, slug=None):
        if id is not None:
            service_id = ids.parse_id(id)
            service = await PublicService.get_or_none(id=service_id) if service_id else None
        elif slug:
            service = await PublicService.get_or_none(slug=slug[:80])
        else:
            return None
        if service is None:
            return None
        if service.status != ContentStatus.PUBLISHED and not may_edit(
                await info.context.principal(), service.skpd_id):
            return None
        return service

    @staticmethod
    @public_read(invalidated_by=SATISFACTION_CHANGES)
    @guarded(PUBLIC)
    async def resolve_service_satisfaction(root, info, service_id, from_=None, to=None):
        end = aware(to) or utcnow()
        start = aware(from_) or (end - timedelta(days=365) if plausible(end) else end)
        if not (plausible(start) and plausible(end)) or end <= start \
                or end - start > timedelta(days=MAX_PERIOD_DAYS):
            raise ServiceError(C.INVALID_RANGE, "to", days=MAX_PERIOD_DAYS)
        parsed = ids.parse_id(service_id)
        service = await PublicService.get_or_none(
            id=parsed, status=ContentStatus.PUBLISHED) if parsed else None
        if service is None:
            return None
        found = await services.satisfaction(service.id, start, end)
        if from_ is None and to is None and collecting():
            # The year up to now slides: the oldest answer in it leaves the index.
            oldest = await SurveyAnswer.filter(
                service_id=service.id, created_at__gte=start, created_at__lt=end).order_by(
                "created_at").limit(1).values_list("created_at", flat=True)
            if oldest:
                valid_until(oldest[0] + (end - start) + timedelta(microseconds=1))
        shown = found.answers >= services.MIN_PUBLIC_ANSWERS
        if not shown:
            principal = await info.context.principal()
            shown = principal is not None and may_edit(principal, service.skpd_id)
        if not shown or found.index is None:
            return ServiceSatisfactionType(answers=found.answers)
        return ServiceSatisfactionType(
            answers=found.answers, index=found.index, grade=found.grade,
            elements=[ElementMeanType(element=e, mean=round(m, 4))
                      for e, m in zip(services.ELEMENTS, found.element_means, strict=True)])
