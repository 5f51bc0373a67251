from __future__ import annotations

from backend.geo.models import Area
from backend.graphql.core import BaseLoader


class AreaByIdLoader(BaseLoader):
    async def fetch(self, keys):
        return {area.id: area for area in await Area.filter(id__in=keys)}
