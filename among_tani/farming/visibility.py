"""Who may see and change what in farming — decided here and nowhere else, for a whole page at
once (the caller's villages are read once per request, never per row).

Farm records (parcels, plantings, harvests) are personal data:
- the **farmer** sees and keeps their own;
- an **extension officer (PPL) of the village** sees them and may enter or correct them for
  farmers without a smartphone (each row records who entered it);
- **distan** staff (Dinas Pertanian, and admins) see all of them and may correct them;
- **everyone else** sees aggregates by village only (harvestOutlook, statistics): never a
  parcel, its geometry or point, or a farmer's name.

Crop questions are seen by the farmer who asked, the officers it was routed to and the
officers covering its village now, the distan specialist holding it, and distan staff.
Nobody else learns that a question exists (knowledge articles are separate, anonymised
copies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from among_tani.farming import registry_port as registry
from among_tani.farming.models import CropQuestion
from backend.accounts.services import Principal


class FarmAudience(Enum):
    OWNER = "owner"
    VILLAGE_OFFICER = "village_officer"
    DISTAN = "distan"
    PUBLIC = "public"


# Audiences that see the records themselves (everyone else: village aggregates).
RECORD_AUDIENCES = frozenset({FarmAudience.OWNER, FarmAudience.VILLAGE_OFFICER,
                              FarmAudience.DISTAN})


class QuestionAudience(Enum):
    ASKER = "asker"
    OFFICER = "officer"  # routed to them, or they cover its village now
    SPECIALIST = "specialist"  # the distan specialist holding it
    DISTAN = "distan"


@dataclass(frozen=True)
class FarmPolicy:
    principal: Principal | None
    officer_villages: frozenset[int] = field(default_factory=frozenset)
    distan: bool = False

    @classmethod
    async def of(cls, principal: Principal | None) -> FarmPolicy:
        return cls(principal, await registry.villages_of_officer(principal),
                   registry.is_distan_staff(principal))

    @property
    def user_id(self) -> int | None:
        return self.principal.user.id if self.principal is not None else None

    # -- farm records -----------------------------------------------------------------------

    def farm_audience(self, farmer_id: int, village_id: int) -> FarmAudience:
        if self.user_id is not None and farmer_id == self.user_id:
            return FarmAudience.OWNER
        if self.distan:
            return FarmAudience.DISTAN
        if village_id in self.officer_villages:
            return FarmAudience.VILLAGE_OFFICER
        return FarmAudience.PUBLIC

    def sees_farm(self, farmer_id: int, village_id: int) -> bool:
        return self.farm_audience(farmer_id, village_id) in RECORD_AUDIENCES

    def may_keep_farm(self, farmer_id: int, village_id: int) -> bool:
        """Enter or correct the farm records of ``farmer_id`` in ``village_id``."""
        return self.sees_farm(farmer_id, village_id)

    def sees_farmer_identity(self, farmer_id: int, village_id: int) -> bool:
        """Name (and, through accounts, contact) of the farmer behind a record."""
        return self.sees_farm(farmer_id, village_id)

    def visible_parcels(self, parcels: list[Any]) -> list[Any]:
        return [p for p in parcels if self.sees_farm(p.farmer_id, p.village_id)]

    # -- crop questions ---------------------------------------------------------------------

    def question_audience(self, question: CropQuestion, routed_to: frozenset[int] | set[int]
                          ) -> QuestionAudience | None:
        user_id = self.user_id
        if user_id is None:
            return None
        if question.asker_id == user_id:
            return QuestionAudience.ASKER
        if question.specialist_id == user_id:
            return QuestionAudience.SPECIALIST
        if self.distan:
            return QuestionAudience.DISTAN
        if user_id in routed_to or question.village_id in self.officer_villages:
            return QuestionAudience.OFFICER
        return None

    def answers_question(self, audience: QuestionAudience | None) -> bool:
        """Officers, the specialist and distan staff answer; the asker replies."""
        return audience in (QuestionAudience.OFFICER, QuestionAudience.SPECIALIST,
                            QuestionAudience.DISTAN)


async def farm_policy(context: Any) -> FarmPolicy:
    """The caller's policy, built once per request (a GraphQL context) and reused by every
    field of it."""
    cached = getattr(context, "_farm_policy", None)
    principal = await context.principal()
    if cached is not None and cached.principal is principal:
        return cached
    policy = await FarmPolicy.of(principal)
    context._farm_policy = policy
    return policy
