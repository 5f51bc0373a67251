"""Responder (Among Respon) queries and mutations: the SKPD's inbox and the work on a case."""

from __future__ import annotations

import graphene

from among_warga.api.cases import CaseError, CasePayloadFields, case_id, case_payload
from among_warga.api.types import ComplaintConnection, ComplaintStatusEnum
from among_warga.listing import viewer_nodes
from among_warga.models import ComplaintStatus
from backend.graphql.core import BaseMutation, guarded, paginate, parse_int_id
from responder import services
from responder.errors import ResponderErrorCode
from responder.permissions import RESPONDER


def _photo_ids(values, field: str) -> list[int]:
    return [parse_int_id(v, ResponderErrorCode.PHOTO_NOT_FOUND, field) for v in values or []]


class ResponderQueries(graphene.ObjectType):
    responder_inbox = graphene.Field(
        ComplaintConnection, required=True,
        status=graphene.Argument(ComplaintStatusEnum), first=graphene.Int(),
        after=graphene.String(),
        description="Responder: the cases your SKPD holds now, newest first.",
    )

    @staticmethod
    @guarded(RESPONDER)
    async def resolve_responder_inbox(root, info, status=None, first=None, after=None):
        principal = await info.context.principal()
        statuses = [ComplaintStatus(getattr(status, "value", status))] if status else None
        return await paginate(services.inbox(principal, statuses), ComplaintConnection,
                              first=first, after=after, nodes=viewer_nodes(principal))


class AcceptCase(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "Responder: your SKPD takes the case on (DISPATCHED → IN_PROGRESS)."
        need = RESPONDER
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, note=None):
        return await case_payload(info, await services.accept(principal, case_id(id), note))


class AddProgress(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String(required=True)
        photo_ids = graphene.List(graphene.NonNull(graphene.ID))
        public = graphene.Boolean(
            default_value=True,
            description="false: an internal note, never shown to the resident.",
        )

    class Meta:
        description = "Responder: report progress on a case you are working on."
        need = RESPONDER
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, note, photo_ids=None, public=True):
        return await case_payload(info, await services.add_progress(
            principal, case_id(id), note, _photo_ids(photo_ids, "photoIds"), public))


class ResolveCase(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String(required=True)
        proof_photo_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    class Meta:
        description = "Responder: the problem is fixed — with at least one proof photo."
        need = RESPONDER
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, note, proof_photo_ids):
        return await case_payload(info, await services.resolve(
            principal, case_id(id), note, _photo_ids(proof_photo_ids, "proofPhotoIds")))


class ReturnCase(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    class Meta:
        description = "Responder: not your SKPD's responsibility — back to the command center."
        need = RESPONDER
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, reason):
        return await case_payload(info, await services.return_case(principal, case_id(id), reason))


class ResponderMutations(graphene.ObjectType):
    accept_case = AcceptCase.Field()
    add_progress = AddProgress.Field()
    resolve_case = ResolveCase.Field()
    return_case = ReturnCase.Field()
