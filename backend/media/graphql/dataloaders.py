from __future__ import annotations

from backend.graphql.core import BaseLoader
from backend.media.models import Photo


class PhotoByIdLoader(BaseLoader):
    # For the domains that show photos (complaints, listings): one query per request.

    async def fetch(self, keys):
        return {photo.id: photo for photo in await Photo.filter(id__in=keys)}
