from __future__ import annotations

import graphene

from among_warga.api.cases import CaseError, CasePayloadFields, case_id, case_payload
from among_warga.case_errors import CaseErrorCode
from backend.errors import ServiceError
from backend.graphql.core import BaseMutation, parse_int_id
from backend.permissions import OPERATOR
from command_center import services


class VerifyComplaint(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String(description="Optional public note to the reporter.")

    class Meta:
        description = "Operator: the report is genuine and clear (SUBMITTED → VERIFIED)."
        need = OPERATOR
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, note=None):
        return await case_payload(info, await services.verify(principal.user, case_id(id), note))


class RejectComplaint(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True, description="Shown to the reporter.")

    class Meta:
        description = "Operator: refuse a report, with the reason the reporter will read."
        need = OPERATOR
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, reason):
        return await case_payload(info, await services.reject(principal.user, case_id(id), reason))


class MarkDuplicate(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        original_id = graphene.ID(required=True)

    class Meta:
        description = "Operator: the report repeats an earlier one; it points at the original."
        need = OPERATOR
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, original_id):
        original = parse_int_id(original_id, CaseErrorCode.ORIGINAL_NOT_FOUND, "originalId")
        return await case_payload(
            info, await services.mark_duplicate(principal.user, case_id(id), original))


class ChangeCategory(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        category_code = graphene.String(required=True)
        note = graphene.String()

    class Meta:
        description = "Operator: correct the category (changes the routing suggestion)."
        need = OPERATOR
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, category_code, note=None):
        return await case_payload(info, await services.change_category(
            principal.user, case_id(id), category_code, note))


class DispatchComplaint(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        skpd_codes = graphene.List(graphene.NonNull(graphene.String),
                                   description="SKPD codes, e.g. [\"dpupr\", \"dlh\"] "
                                   "(as in `skpds { code }` and routingSuggestion).")
        skpd_ids = graphene.List(graphene.NonNull(graphene.ID),
                                 deprecation_reason="Use skpdCodes.")
        note = graphene.String()

    class Meta:
        description = ("Operator: send the case to one or more SKPD, named by code (again to "
                       "re-route). Unknown codes are refused, each named in the message.")
        need = OPERATOR
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, skpd_codes=None, skpd_ids=None,
                      note=None):
        ids = [_skpd_id(s) for s in skpd_ids or []]
        return await case_payload(info, await services.dispatch(
            principal.user, case_id(id), skpd_codes or [], note, skpd_ids=ids))


def _skpd_id(value) -> int:
    try:
        return parse_int_id(value, CaseErrorCode.SKPD_NOT_FOUND, "skpdIds")
    except ServiceError:
        raise ServiceError(CaseErrorCode.SKPD_NOT_FOUND, "skpdIds",
                           skpds=f"id {str(value)[:40]!r}") from None


class RecallComplaint(CasePayloadFields, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    class Meta:
        description = "Operator: take the case back from every SKPD (back to VERIFIED)."
        need = OPERATOR
        error_type = CaseError

    @classmethod
    async def perform(cls, root, info, principal, id, reason):
        return await case_payload(info, await services.recall(principal.user, case_id(id), reason))


class CommandCenterMutations(graphene.ObjectType):
    verify_complaint = VerifyComplaint.Field()
    reject_complaint = RejectComplaint.Field()
    mark_duplicate = MarkDuplicate.Field()
    change_category = ChangeCategory.Field()
    dispatch_complaint = DispatchComplaint.Field()
    recall_complaint = RecallComplaint.Field()
