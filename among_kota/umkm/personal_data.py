"""A UMKM owner's applications in ``myData``. Deleting the account takes their businesses off
the directory and removes what identifies them — the public name and WhatsApp number they
published, pending changes — keeping the row (without its owner) for the office's records."""

from __future__ import annotations

from typing import Any

from among_kota.umkm.models import UmkmBusiness, UmkmStatus
from backend.accounts.personal_data import ExportContext, PersonalDataSection, register


async def export(context: ExportContext) -> dict[str, Any]:
    businesses = await UmkmBusiness.filter(owner_id=context.user_id).order_by("id")
    return {"umkmApplications": [
        {"name": b.name_id, "status": b.status.value, "ownerPublicName": b.owner_public_name,
         "whatsapp": b.whatsapp, "nib": b.nib, "declineReason": b.decline_reason,
         "appliedAt": b.created_at.isoformat(), "pendingChanges": b.pending}
        for b in businesses]}


async def erase(user_id: int) -> None:
    # The account's erasure records account.erased after this, in the same unit of work:
    # the directory's cached answers are dropped by it (UMKM_CHANGES).
    await UmkmBusiness.filter(owner_id=user_id, status=UmkmStatus.VERIFIED).update(
        status=UmkmStatus.WITHDRAWN)
    await UmkmBusiness.filter(owner_id=user_id).update(
        owner_id=None, owner_public_name="", whatsapp=None, pending=None)


register(PersonalDataSection(key="umkm", export=export, erase=erase))
