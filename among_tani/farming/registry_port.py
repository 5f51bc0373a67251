"""What farming reads from the shared Among Tani registry (among_tani.registry): commodities
with their units, which extension officers (PPL) cover which villages, who is distan staff.

One module, so the rest of the package never depends on how the registry stores it; every
function answers for many keys in one query (callers decide for a whole page at once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from among_tani.registry import roles
from among_tani.registry.models import Commodity, FarmerCommodity
from backend.accounts.models import Role, UserRole
from backend.accounts.services import Principal

DISTAN = roles.DISTAN
is_distan_staff = roles.is_distan_staff
is_distan_admin = roles.is_distan_admin
officers_of_villages = roles.officers_of_villages


@dataclass(frozen=True)
class CommodityInfo:
    code: str
    name_id: str
    name_en: str
    base_unit: str
    # unit -> factor to the base unit (None: the unit has no fixed size, e.g. an ikat)
    units: dict[str, Decimal | None]

    def to_base(self, quantity: Decimal, unit: str) -> Decimal | None:
        factor = self.units.get(unit)
        return None if factor is None else quantity * factor


def _info(row: Commodity) -> CommodityInfo:
    units: dict[str, Decimal | None] = {}
    for entry in row.units or []:
        factor = entry.get("factor") if isinstance(entry, dict) else None
        unit = entry.get("unit") if isinstance(entry, dict) else entry
        units[str(unit)] = Decimal(str(factor)) if factor is not None else None
    base = getattr(row.base_unit, "value", row.base_unit)
    units.setdefault(base, Decimal(1))
    return CommodityInfo(row.code, row.name_id, row.name_en, base, units)


async def commodities(codes: Iterable[str]) -> dict[str, CommodityInfo]:
    # A code longer than the column cannot exist (and the ORM refuses to compare it).
    wanted = sorted({c for c in codes if isinstance(c, str) and 0 < len(c) <= 48})
    if not wanted:
        return {}
    rows = await Commodity.filter(code__in=wanted, active=True)
    return {row.code: _info(row) for row in rows}


async def commodity(code: str) -> CommodityInfo | None:
    return (await commodities([code])).get(code)


async def villages_of_officer(principal: Principal | None) -> frozenset[int]:
    """The village (geo Area) ids the caller serves as extension officer; one query, and
    none for callers without the role."""
    if principal is None or not principal.has(Role.EXTENSION_OFFICER):
        return frozenset()
    return frozenset(await roles.officer_village_ids(principal.user.id))


async def distan_staff_ids(*, supervisors_only: bool = False) -> list[int]:
    grants = UserRole.filter(role=Role.RESPONDER, skpd__code=DISTAN)
    if supervisors_only:
        grants = grants.filter(supervisor=True)
    return sorted(set(await grants.values_list("user_id", flat=True)))


async def is_distan_user(user_id: int) -> bool:
    return await UserRole.exists(user_id=user_id, role=Role.RESPONDER, skpd__code=DISTAN)


async def farmers_growing(commodity_codes: Iterable[str], village_ids: Iterable[int]
                          ) -> set[int]:
    """User ids of farmers whose registry profile names one of the commodities as a main
    commodity, in one of the villages (one query)."""
    codes, villages = list(commodity_codes), list(village_ids)
    if not codes or not villages:
        return set()
    return set(await FarmerCommodity.filter(
        commodity__code__in=codes, farmer__village_id__in=villages,
    ).values_list("farmer__user_id", flat=True))
