"""The registry's business rules: applying as a farmer or buyer, reviewing applications,
which officers serve which villages, and the look-ups the market and the farming help desk
make (villages and commodities by code, "is this caller a verified farmer?").

Plain async functions; callers pass the acting :class:`Principal`. Every write runs in one
``unit_of_work()`` with its event recorded last and an audit entry for staff actions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from among_tani.audience import record, role_key, user_key
from among_tani.registry import roles
from among_tani.registry.commodities import allowed_units, allows
from among_tani.registry.errors import RegistryErrorCode as Code
from among_tani.registry.events import RegistryEvent
from among_tani.registry.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    BuyerProfile,
    BuyerType,
    Commodity,
    FarmerCommodity,
    FarmerGroup,
    FarmerProfile,
    OfficerVillage,
    Unit,
)
from backend.accounts.identity import nik_problem
from backend.accounts.models import AuditLog, Role, User, UserRole
from backend.accounts.services import Principal
from backend.clock import utcnow
from backend.errors import FieldError, ServiceError
from backend.events import unit_of_work
from backend.geo.models import Area, AreaLevel
from backend.text import TextRule

MAX_MAIN_COMMODITIES = 10
GROUP_NAME = TextRule(max=120, too_long=Code.GROUP_NAME_TOO_LONG, invalid=Code.INVALID_TEXT,
                      single_line=True)
BUSINESS_NAME = TextRule(max=120, too_long=Code.BUSINESS_NAME_TOO_LONG,
                         required=Code.BUSINESS_NAME_REQUIRED, invalid=Code.INVALID_TEXT,
                         single_line=True)
REASON = TextRule(max=500, too_long=Code.REASON_TOO_LONG, required=Code.REASON_REQUIRED,
                  invalid=Code.INVALID_TEXT)


# -- look-ups -------------------------------------------------------------------------------


async def village_by_code(code: Any, field: str = "villageCode") -> Area:
    """A desa/kelurahan of Kota Batu by its area code (``bumiaji-tulungrejo``)."""
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        raise ServiceError(Code.UNKNOWN_VILLAGE, field, village=str(code)[:64])
    village = await Area.get_or_none(code=code.strip(), level=AreaLevel.VILLAGE)
    if village is None:
        raise ServiceError(Code.UNKNOWN_VILLAGE, field, village=code.strip())
    return village


async def villages_by_codes(codes: Iterable[Any], field: str = "villageCodes") -> list[Area]:
    wanted = list(dict.fromkeys(codes))
    if any(not isinstance(c, str) or len(c) > 64 for c in wanted):
        raise ServiceError(Code.UNKNOWN_VILLAGE, field, village="?")
    found = {a.code: a for a in await Area.filter(code__in=wanted, level=AreaLevel.VILLAGE)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ServiceError(Code.UNKNOWN_VILLAGE, field, village=", ".join(missing))
    return [found[c] for c in wanted]


async def commodity_by_code(code: Any, field: str = "commodityCode") -> Commodity:
    return (await commodities_by_codes([code], field))[0]


async def commodities_by_codes(codes: Iterable[Any], field: str = "commodityCodes",
                               *, active_only: bool = True) -> list[Commodity]:
    """Commodities by code, in the order given (duplicates dropped); UNKNOWN_COMMODITY names
    every code that is not in the catalogue."""
    wanted = list(dict.fromkeys(codes))
    bad = [str(c)[:48] for c in wanted if not isinstance(c, str) or len(c) > 48]
    query = Commodity.filter(code__in=[c for c in wanted if isinstance(c, str)])
    if active_only:
        query = query.filter(active=True)
    found = {c.code: c for c in await query}
    missing = bad + [c for c in wanted if isinstance(c, str) and c not in found]
    if missing:
        raise ServiceError(Code.UNKNOWN_COMMODITY, field, codes=", ".join(missing))
    return [found[c] for c in wanted]


def require_unit(commodity: Commodity, unit: Unit, field: str = "unit") -> None:
    """UNIT_NOT_ALLOWED unless the commodity may be sold or recorded in ``unit``."""
    if not allows(commodity, unit):
        raise ServiceError(Code.UNIT_NOT_ALLOWED, field, unit=unit.value,
                           commodity=commodity.name_id,
                           allowed=", ".join(u.value for u in allowed_units(commodity)))


async def verified_farmer(user_id: int) -> FarmerProfile:
    """The caller's farmer profile if it is verified; FARMER_NOT_VERIFIED otherwise."""
    profile = await FarmerProfile.get_or_none(user_id=user_id, verified=True)
    if profile is None:
        raise ServiceError(Code.FARMER_NOT_VERIFIED)
    return profile


async def verified_buyer(user_id: int) -> BuyerProfile:
    profile = await BuyerProfile.get_or_none(user_id=user_id, verified=True)
    if profile is None:
        raise ServiceError(Code.BUYER_NOT_VERIFIED)
    return profile


async def farmer_profiles_by_user(user_ids: Sequence[int]) -> dict[int, FarmerProfile]:
    """user id → farmer profile (with its village), one query."""
    rows = await FarmerProfile.filter(user_id__in=list(user_ids)).select_related("village")
    return {p.user_id: p for p in rows}


# -- applying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FarmerApplicationInput:
    village_code: Any
    farmer_group: Any = None
    commodity_codes: Sequence[Any] = ()
    nik: Any = None


async def apply_as_farmer(principal: Principal, data: FarmerApplicationInput) -> Application:
    """Ask to take part as a farmer. A pending or declined application is replaced by this
    one (the reviewers see the latest); a verified farmer gets ALREADY_VERIFIED."""
    user = principal.user
    problems: list[FieldError] = []
    village = None
    try:
        village = await village_by_code(data.village_code)
    except ServiceError as exc:
        problems += exc.errors
    try:
        group_name = GROUP_NAME.clean(data.farmer_group, field="farmerGroup")
    except ServiceError as exc:
        problems += exc.errors
        group_name = ""
    commodities: list[Commodity] = []
    codes = list(data.commodity_codes or [])
    if not codes:
        problems.append(FieldError(Code.COMMODITY_REQUIRED, "commodityCodes"))
    elif len(codes) > MAX_MAIN_COMMODITIES:
        problems.append(FieldError(Code.TOO_MANY_COMMODITIES, "commodityCodes",
                                   max=MAX_MAIN_COMMODITIES))
    else:
        try:
            commodities = await commodities_by_codes(codes)
        except ServiceError as exc:
            problems += exc.errors
    nik = data.nik.strip() if isinstance(data.nik, str) else data.nik
    if nik in ("", None):
        nik = None
    elif not isinstance(nik, str) or nik_problem(nik):
        problems.append(FieldError(Code.INVALID_NIK, "nik"))
        nik = None
    if problems:
        raise ServiceError(problems)
    assert village is not None

    existing = await FarmerProfile.get_or_none(user_id=user.id).select_related("application")
    if existing is not None and existing.application.status == ApplicationStatus.APPROVED:
        raise ServiceError(Code.ALREADY_VERIFIED)
    if nik is not None:
        clash = await FarmerProfile.filter(FarmerProfile.identified_by(nik=nik)).exclude(
            user_id=user.id).exists()
        if clash:
            raise ServiceError(Code.NIK_TAKEN, "nik")
    group = await FarmerGroup.get_or_none(village_id=village.id, name=group_name) \
        if group_name else None
    now = utcnow()
    try:
        async with unit_of_work():
            application, _ = await Application.get_or_create(
                user_id=user.id, kind=ApplicationKind.FARMER,
                defaults={"village_id": village.id, "submitted_at": now})
            application.status = ApplicationStatus.PENDING
            application.village_id = village.id
            application.submitted_at = now
            application.decline_reason = ""
            application.reviewed_by_id = None
            application.reviewed_at = None
            await application.save()
            profile = existing or FarmerProfile(user_id=user.id, application_id=application.id)
            profile.village_id = village.id
            profile.farmer_group_id = group.id if group else None
            profile.farmer_group_name = group_name
            profile.nik = nik
            profile.verified = False
            await profile.save()
            await FarmerCommodity.filter(farmer_id=profile.id).delete()
            await FarmerCommodity.bulk_create(
                [FarmerCommodity(farmer_id=profile.id, commodity_id=c.id) for c in commodities])
            await _record_application(application, RegistryEvent.APPLICATION_SUBMITTED, user.id)
    except IntegrityError as exc:
        # A concurrent apply with the same NIK (the hash is unique) or a double tap.
        if nik is not None:
            raise ServiceError(Code.NIK_TAKEN, "nik") from exc
        raise
    return application


async def apply_as_buyer(principal: Principal, *, buyer_type: BuyerType,
                         business_name: Any) -> Application:
    user = principal.user
    name = BUSINESS_NAME.clean(
        business_name, field="businessName",
        required=buyer_type != BuyerType.HOUSEHOLD)
    existing = await BuyerProfile.get_or_none(user_id=user.id).select_related("application")
    if existing is not None and existing.application.status == ApplicationStatus.APPROVED:
        raise ServiceError(Code.ALREADY_VERIFIED)
    now = utcnow()
    async with unit_of_work():
        application, _ = await Application.get_or_create(
            user_id=user.id, kind=ApplicationKind.BUYER, defaults={"submitted_at": now})
        application.status = ApplicationStatus.PENDING
        application.submitted_at = now
        application.decline_reason = ""
        application.reviewed_by_id = None
        application.reviewed_at = None
        await application.save()
        profile = existing or BuyerProfile(user_id=user.id, application_id=application.id)
        profile.buyer_type = buyer_type
        profile.business_name = name
        profile.verified = False
        await profile.save()
        await _record_application(application, RegistryEvent.APPLICATION_SUBMITTED, user.id)
    return application


# -- reviewing -------------------------------------------------------------------------------


async def reviewers_of(application: Application) -> list[str]:
    """Audience keys of who may review: a farmer's village officers and distan; distan only
    for buyers."""
    keys = [role_key(Role.ADMIN)]
    distan = await _distan_skpd_id()
    if distan is not None:
        keys.append(f"skpd:{distan}")
    if application.kind == ApplicationKind.FARMER and application.village_id is not None:
        keys += [user_key(u) for u in await roles.officers_of_village(application.village_id)]
    return keys


async def _distan_skpd_id() -> int | None:
    from backend.accounts.models import Skpd

    found = await Skpd.filter(code=roles.DISTAN).values_list("id", flat=True)
    return found[0] if found else None


async def may_review(principal: Principal, application: Application) -> bool:
    if await roles.is_distan_admin(principal):
        return True
    return (application.kind == ApplicationKind.FARMER and application.village_id is not None
            and principal.has(Role.EXTENSION_OFFICER)
            and await roles.is_officer_of(principal.user.id, application.village_id))


async def review_application(principal: Principal, application_id: int, *, approve: bool,
                             reason: Any = None) -> Application:
    """Approve or decline (with a reason) a pending application. Farmers: an extension
    officer of the applicant's village, or a distan admin; buyers: a distan admin. Two
    reviewers at once: the first wins, the second gets NOT_PENDING."""
    application = await Application.get_or_none(id=application_id)
    if application is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    if application.user_id == principal.user.id:
        raise ServiceError(Code.OWN_APPLICATION, "id")
    if not await may_review(principal, application):
        raise ServiceError(Code.NOT_REVIEWER, "id")
    text = REASON.clean(reason, field="reason", required=not approve)
    now = utcnow()
    status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    async with unit_of_work():
        updates: dict[str, Any] = {"status": status, "reviewed_by_id": principal.user.id,
                                   "reviewed_at": now, "decline_reason": "" if approve else text,
                                   "updated_at": now}
        if approve and application.approved_at is None:
            updates["approved_at"] = now
        won = await Application.filter(id=application.id,
                                       status=ApplicationStatus.PENDING).update(**updates)
        if not won:
            current = await Application.filter(id=application.id).values_list("status",
                                                                                flat=True)
            raise ServiceError(Code.NOT_PENDING, "id",
                               status=current[0].upper() if current else "?")
        await application.refresh_from_db()
        profile_model = FarmerProfile if application.kind == ApplicationKind.FARMER \
            else BuyerProfile
        await profile_model.filter(application_id=application.id).update(verified=approve)
        if approve and application.kind == ApplicationKind.FARMER:
            await FarmerProfile.filter(application_id=application.id,
                                       verified_at=None).update(verified_at=now)
        role = Role.FARMER if application.kind == ApplicationKind.FARMER else Role.BUYER
        if approve:
            if not await UserRole.exists(user_id=application.user_id, role=role):
                await UserRole.create(user_id=application.user_id, role=role,
                                      granted_by_id=principal.user.id)
        await AuditLog.create(
            actor_id=principal.user.id, action=f"tani_{'approve' if approve else 'decline'}",
            target_type="TaniApplication", target_id=str(application.id),
            detail={"kind": application.kind.value, "reason": text})
        await _record_application(
            application,
            RegistryEvent.APPLICATION_APPROVED if approve else RegistryEvent.APPLICATION_DECLINED,
            principal.user.id)
    return application


async def _record_application(application: Application, event: RegistryEvent,
                              actor_id: int) -> None:
    audience = [user_key(application.user_id), *await reviewers_of(application)]
    await record(event, subject_type="tani_application", subject_id=application.id,
                 audience=audience, actor_id=actor_id,
                 payload={"kind": application.kind.value, "status": application.status.value})


# -- a farmer's public record -----------------------------------------------------------------


async def count_completed_order(profile_id: int, actor_id: int | None) -> None:
    """One more completed order on the farmer's public profile (the market's order flow
    calls it in its unit of work)."""
    await FarmerProfile.filter(id=profile_id).update(
        completed_orders=F("completed_orders") + 1)
    await _record_stats(profile_id, actor_id)


async def add_rating(profile_id: int, rating: int, actor_id: int | None) -> None:
    """A buyer's rating (1–5) added to the farmer's public average, in the caller's unit of
    work."""
    await FarmerProfile.filter(id=profile_id).update(
        rating_count=F("rating_count") + 1, rating_total=F("rating_total") + rating)
    await _record_stats(profile_id, actor_id)


async def _record_stats(profile_id: int, actor_id: int | None) -> None:
    # Public data: the profile and every listing showing the farmer's rating.
    await record(RegistryEvent.FARMER_STATS_CHANGED, subject_type="tani_farmer_profile",
                 subject_id=profile_id, audience=["public"], actor_id=actor_id)


# -- extension officers and their villages ---------------------------------------------------


async def assign_extension_officer(principal: Principal, user_id: int,
                                   village_codes: Sequence[Any]) -> list[Area]:
    """Set the villages an officer serves (replacing the previous set; [] ends the
    assignment). Distan admins only. Grants the extension_officer role when missing."""
    if not await roles.is_distan_admin(principal):
        raise ServiceError(Code.NOT_DISTAN_ADMIN)
    user = await User.get_or_none(id=user_id, erased_at=None, is_active=True)
    if user is None:
        raise ServiceError(Code.UNKNOWN_USER, "userId")
    villages = await villages_by_codes(village_codes)
    wanted = {v.id for v in villages}
    async with unit_of_work():
        current = set(await OfficerVillage.filter(officer_id=user.id)
                      .values_list("village_id", flat=True))
        removed = current - wanted
        if removed:
            await OfficerVillage.filter(officer_id=user.id, village_id__in=removed).delete()
        await OfficerVillage.bulk_create([
            OfficerVillage(officer_id=user.id, village_id=v, assigned_by_id=principal.user.id)
            for v in sorted(wanted - current)])
        if wanted and not await UserRole.exists(user_id=user.id, role=Role.EXTENSION_OFFICER):
            await UserRole.create(user_id=user.id, role=Role.EXTENSION_OFFICER,
                                  granted_by_id=principal.user.id)
        codes = sorted(v.code for v in villages)
        await AuditLog.create(actor_id=principal.user.id, action="tani_assign_officer",
                              target_type="User", target_id=str(user.id),
                              detail={"villageCodes": codes})
        await record(RegistryEvent.OFFICER_VILLAGES_CHANGED, subject_type="user",
                     subject_id=user.id, audience=[user_key(user.id), role_key(Role.ADMIN)],
                     actor_id=principal.user.id, payload={"villageCodes": codes})
    return villages


async def pending_applications(principal: Principal) -> Any:
    """The queryset of applications the caller may review and that wait for a decision:
    all for distan admins, their villages' farmers for officers, nothing for others."""
    query = Application.filter(status=ApplicationStatus.PENDING)
    if await roles.is_distan_admin(principal):
        return query
    if principal.has(Role.EXTENSION_OFFICER):
        villages = await roles.officer_village_ids(principal.user.id)
        return query.filter(kind=ApplicationKind.FARMER, village_id__in=villages)
    return query.filter(id__in=[])
