"""Kelompok tani (poktan) and their gabungan (gapoktan): village, chair and members. The rows
are the registry's (``FarmerGroup``; a farmer's group is ``FarmerProfile.farmer_group``);
keeping them — recording a group, its chair, who belongs — is the farm registry's job, done
here by the village's PPL or Dinas Pertanian."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.visibility import FarmPolicy
from among_tani.registry import services as registry_services
from among_tani.registry.models import FarmerGroup, FarmerGroupKind, FarmerProfile
from backend.errors import ServiceError
from backend.events import unit_of_work
from backend.text import TextRule

GROUP_NAME = TextRule(max=120, too_long=Code.INVALID_NAME, required=Code.INVALID_NAME,
                      invalid=Code.INVALID_NAME, single_line=True)


@dataclass(frozen=True)
class GroupInput:
    name: str
    kind: FarmerGroupKind
    village_code: str
    parent_id: int | None = None
    chair_id: int | None = None
    member_ids: list[int] | None = None  # None: leave the members as they are


async def save_group(policy: FarmPolicy, data: GroupInput, group_id: int | None = None
                     ) -> FarmerGroup:
    name = GROUP_NAME.clean(data.name, field="name", required=True)
    village = await registry_services.village_by_code(data.village_code)
    if not (policy.distan or village.id in policy.officer_villages):
        raise ServiceError(Code.OUTSIDE_OFFICER_VILLAGES, "villageCode")
    group = None
    if group_id is not None:
        group = await FarmerGroup.get_or_none(id=group_id)
        if group is None or not (policy.distan or group.village_id in policy.officer_villages):
            raise ServiceError(Code.NOT_FOUND, "id")
    parent = None
    if data.parent_id is not None:
        parent = await FarmerGroup.get_or_none(id=data.parent_id, village_id=village.id,
                                               kind=FarmerGroupKind.GAPOKTAN)
        if parent is None or parent.id == group_id:
            raise ServiceError(Code.NOT_FOUND, "parentId")
    members = None
    if data.member_ids is not None:
        members = await FarmerProfile.filter(user_id__in=data.member_ids,
                                             village_id=village.id)
        if len(members) != len(set(data.member_ids)):
            raise ServiceError(Code.FARMER_NOT_FOUND, "memberIds")
    if data.chair_id is not None:
        in_group = members is not None and any(m.user_id == data.chair_id for m in members)
        if not in_group and not await FarmerProfile.exists(
                user_id=data.chair_id, village_id=village.id):
            raise ServiceError(Code.FARMER_NOT_FOUND, "chairId")
    try:
        async with unit_of_work():
            if group is None:
                group = await FarmerGroup.create(
                    name=name, kind=data.kind, village_id=village.id,
                    parent_id=parent.id if parent else None, chair_id=data.chair_id)
            else:
                await FarmerGroup.filter(id=group.id).update(
                    name=name, kind=data.kind, village_id=village.id,
                    parent_id=parent.id if parent else None, chair_id=data.chair_id)
                await group.refresh_from_db()
            if members is not None:
                await FarmerProfile.filter(farmer_group_id=group.id).exclude(
                    id__in=[m.id for m in members]).update(farmer_group_id=None)
                await FarmerProfile.filter(id__in=[m.id for m in members]).update(
                    farmer_group_id=group.id, farmer_group_name=name)
    except IntegrityError:
        raise ServiceError(Code.INVALID_NAME, "name") from None  # the village has that name
    return group
