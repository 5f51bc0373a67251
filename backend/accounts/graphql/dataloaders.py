from __future__ import annotations

from backend.accounts.models import UserRole
from backend.graphql.core import BaseLoader


class RoleGrantsByUserIdLoader(BaseLoader):
    default: list = []

    async def fetch(self, keys):
        grants: dict[int, list[UserRole]] = {}
        for grant in await UserRole.filter(user_id__in=keys).select_related("skpd"):
            grants.setdefault(grant.user_id, []).append(grant)
        return grants
