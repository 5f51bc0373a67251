"""The payload of a mutation on a case — the complaint as the caller may now see it, or
``CaseError``s — shared by the command center's and the responders' mutations."""

from __future__ import annotations

import graphene

from among_warga.api.types import ComplaintType
from among_warga.case_errors import CaseErrorCode
from among_warga.visibility import view_of
from backend.graphql.core import error_type, parse_int_id

CaseError = error_type("CaseError", CaseErrorCode)


def case_id(value) -> int:
    return parse_int_id(value, CaseErrorCode.NOT_FOUND, "id")


class CasePayloadFields:
    complaint = graphene.Field(ComplaintType)


async def case_payload(info, complaint) -> dict:
    return {"complaint": await view_of(complaint, await info.context.principal())}
