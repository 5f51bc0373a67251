from __future__ import annotations

import hashlib

import pytest

from backend.media import services
from backend.media.storage import InvalidKey, LocalStorage, content_key
from tests.backend.media import samples
from tests.backend.media.conftest import stored_files


async def test_local_storage_round_trip(tmp_path):
    storage = LocalStorage(tmp_path / "media", "https://batu.example/media")
    data = b"\xff\xd8\xff" + b"pixels" * 100
    key = content_key(data, "jpg")
    assert key == hashlib.sha256(data).hexdigest() + ".jpg"
    assert not await storage.exists(key) and await storage.get(key) is None
    await storage.put(key, data)
    assert await storage.exists(key) and await storage.get(key) == data
    assert storage.url(key) == f"https://batu.example/media/{key}"
    # Only the file itself is there: no temporary leftovers.
    assert [p.name for p in stored_files(tmp_path / "media")] == [key]
    await storage.delete(key)
    await storage.delete(key)  # deleting twice is fine
    assert list((tmp_path / "media").iterdir()) == []


async def test_put_missing_writes_only_what_is_absent_and_all_or_nothing(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path / "media")
    a, b, c = (b"\xff\xd8\xff" + bytes([n]) * 50 for n in range(3))
    ka, kb, kc = (content_key(data, "jpg") for data in (a, b, c))
    await storage.put(ka, a)
    assert await storage.put_missing({ka: a, kb: b}) == [kb]
    assert await storage.get(kb) == b and await storage.put_missing({ka: a, kb: b}) == []

    # A failure part-way removes what the call itself wrote, and nothing else.
    real_put = LocalStorage._put

    def failing_put(path, data):
        if path.name == kb or data == b:
            raise OSError("disk full")
        real_put(path, data)

    await storage.delete(kb)
    monkeypatch.setattr(LocalStorage, "_put", staticmethod(failing_put))
    with pytest.raises(OSError):
        await storage.put_missing({kc: c, kb: b})
    assert not await storage.exists(kc) and not await storage.exists(kb)
    assert await storage.get(ka) == a


@pytest.mark.parametrize("key", ["../secret_key", "a/b.jpg", "ABC.jpg", "0" * 64 + ".php",
                                 "0" * 63 + ".jpg", "0" * 64 + ".jpg/../x"])
async def test_keys_of_any_other_shape_are_refused(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(InvalidKey):
        await storage.put(key, b"x")
    with pytest.raises(InvalidKey):
        storage.url(key)


async def test_served_variants_are_cacheable_and_nothing_else_is_reachable(
    upload, media_client, make_user
):
    _, token = await make_user()
    body = await upload(samples.jpeg_with_gps((800, 600)), token=token)
    photo = body["data"]["uploadPhoto"]["photo"]
    # Not attached to anything public yet: a signed URL, cached privately.
    url = photo["url"]
    first = await media_client.get(url)
    assert first.status_code == 200 and first.headers["etag"]
    again = await media_client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"].startswith("private")
    # Once published, the public URL is immutable.
    await services.publish([int(photo["id"])])
    key = url.split("?", 1)[0].rsplit("/", 1)[1]
    public = await media_client.get(f"/media/{key}")
    again = await media_client.get(f"/media/{key}",
                                   headers={"If-None-Match": public.headers["etag"]})
    assert again.status_code == 304 and "immutable" in again.headers["cache-control"]
    for path in ("/media/..%2F..%2Fsecret_key", "/media/%2e%2e/secret_key", "/media/secret_key",
                 "/media/" + "0" * 64 + ".jpg", "/media/" + key + "x",
                 "/media/private/" + key + "x"):
        assert (await media_client.get(path)).status_code == 404, path
