"""The registry's part of ``myData``: the person's farmer and buyer profiles and
applications (the NIK included — it is theirs). Deleting the account removes the NIK and
ends the verification; the profile row stays for the orders other people rely on."""

from __future__ import annotations

from typing import Any

from among_tani.registry.models import (
    Application,
    BuyerProfile,
    FarmerCommodity,
    FarmerProfile,
)
from backend.accounts.personal_data import ExportContext, PersonalDataSection, register


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export(context: ExportContext) -> dict[str, Any]:
    farmer = await FarmerProfile.get_or_none(user_id=context.user_id).select_related("village")
    buyer = await BuyerProfile.get_or_none(user_id=context.user_id)
    applications = await Application.filter(user_id=context.user_id).order_by("id")
    commodities = []
    if farmer is not None:
        commodities = sorted(await FarmerCommodity.filter(farmer_id=farmer.id)
                             .values_list("commodity__code", flat=True))
    return {
        "farmer": None if farmer is None else {
            "village": farmer.village.code, "farmerGroup": farmer.farmer_group_name,
            "commodities": commodities, "nik": farmer.nik, "verified": farmer.verified,
            "verifiedAt": _iso(farmer.verified_at),
        },
        "buyer": None if buyer is None else {
            "buyerType": buyer.buyer_type.value, "businessName": buyer.business_name,
            "verified": buyer.verified,
        },
        "applications": [
            {"kind": a.kind.value, "status": a.status.value,
             "submittedAt": _iso(a.submitted_at), "reviewedAt": _iso(a.reviewed_at),
             "declineReason": a.decline_reason}
            for a in applications
        ],
    }


async def erase(user_id: int) -> None:
    farmer = await FarmerProfile.get_or_none(user_id=user_id)
    if farmer is not None:
        farmer.nik = None
        farmer.verified = False
        await farmer.save()
    await BuyerProfile.filter(user_id=user_id).update(verified=False, business_name="")


SECTION = register(PersonalDataSection(key="taniRegistry", export=export, erase=erase))
