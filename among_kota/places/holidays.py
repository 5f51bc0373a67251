"""The city's public holidays as data: national holidays and Kota Batu's own, kept by admins
and Diskominfo's editors. Places that close on holidays are shown closed on them ("open
now" reads ``kota_holiday`` in SQL, :func:`among_kota.places.hours.open_now`), so every
change records ``place.holidays_changed`` for the public caches."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from among_kota.content.rights import edits_anything
from among_kota.errors import KotaErrorCode as C
from among_kota.events import KotaEvent, record_public_change
from among_kota.places.models import Holiday
from among_kota.text import NAME, bilingual
from backend.accounts.services import Principal
from backend.errors import ServiceError


def _check_rights(principal: Principal | None) -> None:
    if not edits_anything(principal):
        raise ServiceError(C.CITY_EDITORS_ONLY, None)


def _day(value: Any, field: str = "date") -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise ServiceError(C.INVALID_DATE, field) from exc
    if not isinstance(value, date) or not 2000 <= value.year <= 2100:
        raise ServiceError(C.INVALID_DATE, field)
    return value


async def save_holiday(principal: Principal | None, day: Any, name: Any) -> Holiday:
    """Add a holiday, or rename the one on that date."""
    _check_rights(principal)
    when = _day(day)
    text = bilingual(name, NAME.with_max(120), "name", required=True)
    async with in_transaction():
        holiday, _ = await Holiday.update_or_create(
            day=when, defaults={"name_id": text["id"], "name_en": text["en"]})
        await record_public_change(KotaEvent.HOLIDAYS_CHANGED, subject_type="holiday",
                                   subject_id=holiday.id, actor_id=principal.user.id,
                                   payload={"date": when.isoformat()})
    return holiday


async def delete_holiday(principal: Principal | None, day: Any) -> date:
    _check_rights(principal)
    when = _day(day)
    async with in_transaction():
        holiday = await Holiday.get_or_none(day=when)
        if holiday is None:
            raise ServiceError(C.NOT_FOUND, "date")
        await holiday.delete()
        await record_public_change(KotaEvent.HOLIDAYS_CHANGED, subject_type="holiday",
                                   subject_id=holiday.id, actor_id=principal.user.id,
                                   payload={"date": when.isoformat(), "deleted": True})
    return when
