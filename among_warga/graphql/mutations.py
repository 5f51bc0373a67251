from __future__ import annotations

import graphene

from among_warga import categories_admin, services
from among_warga.api.types import (
    ComplaintCategoryType,
    ComplaintError,
    ComplaintType,
    VisibilityEnum,
)
from among_warga.errors import ComplaintErrorCode
from among_warga.models import Visibility
from among_warga.visibility import view_of
from backend import ratelimit
from backend.graphql.core import BaseMutation, parse_int_id
from backend.permissions import ADMIN, SIGNED_IN


class SubmitComplaintInput(graphene.InputObjectType):
    client_request_id = graphene.String(
        required=True,
        description="A random id (e.g. a UUID) the app makes once per report and re-sends on "
        "every retry: the same id returns the same complaint.",
    )
    category_code = graphene.String(required=True)
    description = graphene.String(required=True)
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    photo_ids = graphene.List(
        graphene.NonNull(graphene.ID), required=True,
        description="1–5 photos uploaded before with uploadPhoto.",
    )
    # Non-null: `visibility: null` is refused by validation, an omitted one is PUBLIC.
    visibility = VisibilityEnum(required=True, default_value=Visibility.PUBLIC.value)


class ComplaintPayloadFields:
    complaint = graphene.Field(ComplaintType)


async def _view(info, complaint):
    return await view_of(complaint, await info.context.principal())


class SubmitComplaint(ComplaintPayloadFields, BaseMutation):
    class Arguments:
        input = SubmitComplaintInput(required=True)

    class Meta:
        description = "File a geotagged photo complaint (idempotent by clientRequestId)."
        need = SIGNED_IN
        error_type = ComplaintError
        rate_limit = "submit_complaint"

    @classmethod
    async def perform(cls, root, info, principal, input):
        request = services.SubmitComplaint(
            client_request_id=input.client_request_id,
            category_code=input.category_code,
            description=input.description,
            lat=input.lat,
            lon=input.lon,
            photo_ids=[parse_int_id(p, ComplaintErrorCode.PHOTO_NOT_FOUND, "photoIds")
                       for p in input.photo_ids],
            visibility=Visibility(getattr(input.visibility, "value", input.visibility)),
        )
        limit = ratelimit.budget(info.context.settings, "complaint")
        complaint = await services.submit_complaint(principal.user, request, limit)
        return {"complaint": await _view(info, complaint)}


class SupportComplaint(ComplaintPayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "'Me too': support an existing complaint instead of filing a duplicate."
        need = SIGNED_IN
        error_type = ComplaintError

    @classmethod
    async def perform(cls, root, info, principal, id):
        complaint = await services.support_complaint(
            principal.user, parse_int_id(id, ComplaintErrorCode.NOT_FOUND, "id")
        )
        return {"complaint": await _view(info, complaint)}


class ConfirmResolution(ComplaintPayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        resolved = graphene.Boolean(required=True, description="false reopens the complaint.")
        rating = graphene.Int(description="1–5")
        comment = graphene.String()

    class Meta:
        description = "The reporter confirms (or disputes) a resolution, within 7 days."
        need = SIGNED_IN
        error_type = ComplaintError

    @classmethod
    async def perform(cls, root, info, principal, id, resolved, rating=None, comment=None):
        complaint = await services.confirm_resolution(
            principal.user, parse_int_id(id, ComplaintErrorCode.NOT_FOUND, "id"),
            resolved=resolved, rating=rating, comment=comment,
        )
        return {"complaint": await _view(info, complaint)}


class ComplaintCategoryInput(graphene.InputObjectType):
    code = graphene.String(required=True)
    name_id = graphene.String()
    name_en = graphene.String()
    description_id = graphene.String()
    description_en = graphene.String()
    icon = graphene.String()
    active = graphene.Boolean()
    sensitive_location = graphene.Boolean()
    triage_minutes = graphene.Int()
    response_minutes = graphene.Int()
    resolution_minutes = graphene.Int()
    sort_order = graphene.Int()


class SaveComplaintCategory(BaseMutation):
    class Arguments:
        input = ComplaintCategoryInput(required=True)

    class Meta:
        description = (
            "Admin: create a category or change one (by code); deactivate instead of deleting."
        )
        need = ADMIN
        error_type = ComplaintError

    category = graphene.Field(ComplaintCategoryType)

    @classmethod
    async def perform(cls, root, info, principal, input):
        changes = {k: v for k, v in input.items() if k != "code" and v is not None}
        category = await categories_admin.save_category(principal.user, input.code, changes)
        return {"category": category}


class ComplaintMutations(graphene.ObjectType):
    submit_complaint = SubmitComplaint.Field()
    support_complaint = SupportComplaint.Field()
    confirm_resolution = ConfirmResolution.Field()
    save_complaint_category = SaveComplaintCategory.Field()
