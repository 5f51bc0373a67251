from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.app import create_app
from backend.settings import Settings
from tests.conftest import replace_settings

UPLOAD = """
mutation($file: Upload!, $clientKey: String) {
  uploadPhoto(file: $file, clientKey: $clientKey) {
    photo { id url thumbnailUrl width height takenAt exifLocation { lat lon } }
    errors { field code message }
  }
}
"""


@pytest.fixture
def media_settings(settings: Settings, tmp_path: Path) -> Settings:
    # A media directory per test, so "nothing left behind" is checked on an empty one.
    return replace_settings(settings, media_dir=tmp_path / "media")


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, manage_db=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def media_client(media_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(media_settings) as http:
        yield http


async def upload_to(
    http: httpx.AsyncClient,
    data: bytes,
    *,
    token: str | None,
    filename: str = "IMG_0001.jpg",
    content_type: str = "image/jpeg",
    client_key: str | None = None,
    language: str = "id",
) -> dict[str, Any]:
    """Upload like the apps do: the GraphQL multipart request spec (operations, map, file)."""
    operations = {"query": UPLOAD, "variables": {"file": None, "clientKey": client_key}}
    headers = {"Accept-Language": language}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, content_type)},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def upload(media_client: httpx.AsyncClient):
    return functools.partial(upload_to, media_client)


def stored_files(media_dir: Path) -> list[Path]:
    return sorted(p for p in media_dir.rglob("*") if p.is_file()) if media_dir.exists() else []
