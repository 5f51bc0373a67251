"""What each audience may learn about a farmer — decided here and nowhere else, for a whole
page of farmers at once.

- the farmer: everything they gave (NIK included) and their application;
- reviewers — the extension officers of the farmer's village and distan staff: the profile,
  the phone and whether a NIK was given (its last four digits only);
- everyone else (signed in or not): the public profile — display name, village, kelompok
  tani, main commodities, rating, completed orders, member since. Never a phone, a NIK or a
  farm location finer than the village.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from among_tani.registry import roles
from among_tani.registry.models import FarmerProfile
from backend.accounts.services import Principal


class FarmerAudience(Enum):
    SELF = "self"
    REVIEWER = "reviewer"
    PUBLIC = "public"


@dataclass(frozen=True)
class FarmerView:
    profile: FarmerProfile
    audience: FarmerAudience

    @property
    def is_public(self) -> bool:
        return self.audience == FarmerAudience.PUBLIC

    @property
    def sees_contact(self) -> bool:
        """The phone: the farmer and their reviewers (orders share it separately, once
        accepted: see the market's order view)."""
        return self.audience != FarmerAudience.PUBLIC

    @property
    def sees_nik(self) -> bool:
        return self.audience == FarmerAudience.SELF

    @property
    def sees_nik_hint(self) -> bool:
        return self.audience == FarmerAudience.REVIEWER

    @property
    def sees_application(self) -> bool:
        return self.audience != FarmerAudience.PUBLIC


class FarmerPolicy:
    """What one caller may see of farmers. ``views`` decides for a page with at most one
    query (the officer's villages), never one per row. Unverified profiles are seen only by
    the farmer and reviewers (``None`` for everyone else)."""

    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal
        self._villages: set[int] | None = None

    async def _officer_villages(self) -> set[int]:
        if self._villages is None:
            principal = self.principal
            if principal is None or not principal.roles:
                self._villages = set()
            else:
                self._villages = set(await roles.officer_village_ids(principal.user.id))
        return self._villages

    async def views(self, profiles: Sequence[FarmerProfile]) -> list[FarmerView | None]:
        principal = self.principal
        staff = roles.is_distan_staff(principal)
        needs_villages = principal is not None and not staff and any(
            p.user_id != principal.user.id for p in profiles)
        villages = await self._officer_villages() if needs_villages else set()
        found: list[FarmerView | None] = []
        for profile in profiles:
            if principal is not None and profile.user_id == principal.user.id:
                audience = FarmerAudience.SELF
            elif staff or profile.village_id in villages:
                audience = FarmerAudience.REVIEWER
            elif profile.verified:
                audience = FarmerAudience.PUBLIC
            else:
                found.append(None)
                continue
            found.append(FarmerView(profile, audience))
        return found

    async def view(self, profile: FarmerProfile) -> FarmerView | None:
        return (await self.views([profile]))[0]


def public_view(profile: FarmerProfile) -> FarmerView | None:
    """The public profile, for lists that show farmers to anyone (the market's listings):
    the same for every caller, so an anonymous page can be cached."""
    return FarmerView(profile, FarmerAudience.PUBLIC) if profile.verified else None
