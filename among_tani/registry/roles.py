"""Who may do what in Among Tani, decided from the caller's roles and the registry's data.

- farmer: a person whose farmer application was approved (``Role.FARMER``);
- buyer: likewise for buyers (``Role.BUYER``);
- extension officer (PPL): ``Role.EXTENSION_OFFICER``; *of village X* when an
  :class:`OfficerVillage` row links them to X (data distan admins edit);
- distan staff: a responder of the SKPD ``distan`` (Dinas Pertanian), as responders belong
  to an SKPD; a distan *admin* is distan staff marked supervisor, or a BATT admin.
"""

from __future__ import annotations

from collections.abc import Iterable

from among_tani.registry.models import OfficerVillage
from backend.accounts.models import Role, UserRole
from backend.accounts.services import Principal

DISTAN = "distan"


def is_distan_staff(principal: Principal | None) -> bool:
    if principal is None:
        return False
    if principal.has(Role.ADMIN):
        return True
    return (principal.has(Role.RESPONDER) and principal.skpd is not None
            and principal.skpd.code == DISTAN)


async def is_distan_admin(principal: Principal | None) -> bool:
    """A BATT admin, or a supervisor of distan (one query, only for distan staff)."""
    if principal is None:
        return False
    if principal.has(Role.ADMIN):
        return True
    if not is_distan_staff(principal):
        return False
    return await UserRole.exists(user_id=principal.user.id, role=Role.RESPONDER,
                                 skpd__code=DISTAN, supervisor=True)


async def is_officer_of(user_id: int, village_id: int) -> bool:
    """Whether the user is an extension officer serving the village (geo Area id)."""
    return await OfficerVillage.exists(officer_id=user_id, village_id=village_id,
                                       officer__roles__role=Role.EXTENSION_OFFICER)


async def officer_village_ids(user_id: int) -> list[int]:
    """The villages (geo Area ids) the officer serves; [] for anyone else."""
    return sorted(await OfficerVillage.filter(
        officer_id=user_id, officer__roles__role=Role.EXTENSION_OFFICER,
    ).values_list("village_id", flat=True))


async def officers_of_villages(village_ids: Iterable[int]) -> dict[int, list[int]]:
    """village id → the user ids of its extension officers, for many villages in one query
    (a village nobody serves is absent)."""
    found: dict[int, list[int]] = {}
    rows = await OfficerVillage.filter(
        village_id__in=list(village_ids), officer__roles__role=Role.EXTENSION_OFFICER,
    ).order_by("officer_id").values_list("village_id", "officer_id")
    for village_id, officer_id in rows:
        found.setdefault(village_id, []).append(officer_id)
    return found


async def officers_of_village(village_id: int) -> list[int]:
    return (await officers_of_villages([village_id])).get(village_id, [])
