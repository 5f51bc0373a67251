"""uploadPhoto over real HTTP multipart, and the variants served back at /media/."""

from __future__ import annotations

import asyncio
import hashlib
import io

from PIL import Image
from PIL.ExifTags import IFD

from backend.accounts.models import Role
from backend.media import services
from backend.media.models import Photo
from backend.media.pipeline import PhotoLimits
from backend.media.storage import LocalStorage
from tests.backend.media import samples
from tests.backend.media.conftest import client_for, stored_files, upload_to
from tests.conftest import replace_settings


def _payload(body: dict) -> dict:
    assert "errors" not in body, body
    return body["data"]["uploadPhoto"]


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def assert_no_metadata(data: bytes) -> None:
    assert data[:3] == b"\xff\xd8\xff"
    assert b"Exif\x00\x00" not in data  # no EXIF APP1
    assert b"http://ns.adobe.com/xap/1.0/" not in data and b"xmpmeta" not in data  # no XMP
    assert b"ICC_PROFILE" not in data
    assert b"\xff\xfe" not in data.split(b"\xff\xda", 1)[0]  # no COM segment before the scan
    assert samples.COMMENT not in data and b"BattCam" not in data
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert len(exif) == 0
        assert len(exif.get_ifd(IFD.GPSInfo)) == 0
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)


async def test_gps_photo_comes_back_located_and_served_without_metadata(
    upload, media_client, media_settings, make_user
):
    _, token = await make_user()
    original = samples.jpeg_with_gps((1600, 1200))
    result = _payload(await upload(original, token=token))
    assert result["errors"] == []
    photo = result["photo"]
    assert photo["exifLocation"] == {"lat": samples.BATU_LAT, "lon": samples.BATU_LON}
    # 09:30 on the camera clock, no offset tag: Kota Batu time (UTC+7).
    assert photo["takenAt"] == "2026-03-14T02:30:00+00:00"
    assert (photo["width"], photo["height"]) == (1600, 1200)

    for url, long_side in ((photo["url"], 1280), (photo["thumbnailUrl"], 320)):
        response = await media_client.get(_path(url))
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        # Not attached to anything public: a short-lived signed URL, cached privately.
        assert response.headers["cache-control"].startswith("private, max-age=")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert_no_metadata(response.content)
        with Image.open(io.BytesIO(response.content)) as image:
            assert max(image.size) == long_side

    # The original is not kept anywhere, so no URL can reach it.
    digest = hashlib.sha256(original).hexdigest()
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() != digest
               for p in stored_files(media_settings.media_dir))
    assert len(stored_files(media_settings.media_dir)) == 2
    assert (await media_client.get(f"/media/{digest}.jpg")).status_code == 404


async def test_rotated_photo_is_stored_upright(upload, media_client, make_user):
    _, token = await make_user()
    photo = _payload(await upload(samples.rotated_jpeg(), token=token))["photo"]
    assert (photo["width"], photo["height"]) == (200, 400)
    response = await media_client.get(_path(photo["url"]))
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (200, 400)
        top, bottom = image.getpixel((100, 50)), image.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60  # red on top
    assert bottom[2] > 200 and bottom[0] < 60


async def test_png_webp_and_heic_are_accepted(upload, make_user):
    _, token = await make_user()
    for data, name, content_type in (
        (samples.png(), "layar.png", "image/png"),
        (samples.webp(), "foto.webp", "image/webp"),
        (samples.heic(), "IMG_4021.HEIC", "image/heic"),
    ):
        result = _payload(await upload(data, token=token, filename=name, content_type=content_type))
        assert result["errors"] == [], name
        assert (result["photo"]["width"], result["photo"]["height"]) == (640, 480)
        assert result["photo"]["exifLocation"] == {"lat": samples.BATU_LAT, "lon": samples.BATU_LON}


async def test_bomb_and_disguised_files_are_refused_and_leave_nothing(
    upload, media_settings, make_user
):
    _, token = await make_user()
    refused = {
        "bomb": (samples.png_declaring(20000, 20000), "bom.png", "image/png"),
        "bomb_under_pillow_error": (samples.png_declaring(10000, 10000), "bom.png", "image/png"),
        "over_our_limit": (samples.png_declaring(9000, 8000), "besar.png", "image/png"),
        "html_as_jpg": (samples.HTML, "foto.jpg", "image/jpeg"),
        "php_as_jpg": (samples.PHP, "foto.jpg", "image/jpeg"),
        "zip": (samples.zip_archive(), "foto.jpg", "image/jpeg"),
        "truncated": (samples.jpeg_with_gps()[:40_000], "foto.jpg", "image/jpeg"),
        "jpeg_plus_zip": (
            samples.jpeg_with_gps() + samples.zip_archive(), "foto.jpg", "image/jpeg"
        ),
        "jpeg_plus_html": (samples.jpeg_with_gps() + samples.HTML, "foto.jpg", "image/jpeg"),
        "png_named_jpg": (samples.png(), "foto.jpg", "image/jpeg"),
        "jpeg_named_php": (samples.jpeg_with_gps(), "shell.php", "application/octet-stream"),
        "empty": (b"", "foto.jpg", "image/jpeg"),
    }
    codes = {}
    for case, (data, name, content_type) in refused.items():
        result = _payload(await upload(data, token=token, filename=name, content_type=content_type))
        assert result["photo"] is None, case
        [error] = result["errors"]
        assert error["field"] == "file" and error["message"], case
        codes[case] = error["code"]
    assert codes == {
        "bomb": "TOO_MANY_PIXELS",
        "bomb_under_pillow_error": "TOO_MANY_PIXELS",
        "over_our_limit": "TOO_MANY_PIXELS",
        "html_as_jpg": "UNSUPPORTED_FORMAT",
        "php_as_jpg": "UNSUPPORTED_FORMAT",
        "zip": "UNSUPPORTED_FORMAT",
        "truncated": "TRUNCATED",
        "jpeg_plus_zip": "TRAILING_DATA",
        "jpeg_plus_html": "TRAILING_DATA",
        "png_named_jpg": "TYPE_MISMATCH",
        "jpeg_named_php": "TYPE_MISMATCH",
        "empty": "EMPTY_FILE",
    }
    assert stored_files(media_settings.media_dir) == []
    assert await Photo.all().count() == 0


async def test_too_large_file_is_refused_with_its_own_code(settings, tmp_path, make_user):
    small = replace_settings(settings, media_dir=tmp_path / "media", media_max_bytes=2**20)
    _, token = await make_user()
    async with client_for(small) as http:
        big = samples.jpeg_with_gps((3000, 2000))
        assert len(big) > 2**20
        body = await upload_to(http, big, token=token, language="en")
    [error] = body["data"]["uploadPhoto"]["errors"]
    assert error["code"] == "FILE_TOO_LARGE"
    assert "at most 1 MB" in error["message"]
    assert stored_files(tmp_path / "media") == []


async def test_retry_with_client_key_returns_the_same_photo(upload, media_settings, make_user):
    _, token = await make_user()
    _, other_token = await make_user()
    data = samples.jpeg_with_gps()
    first = _payload(await upload(data, token=token, client_key="c0ffee-1"))["photo"]
    again = _payload(await upload(data, token=token, client_key="c0ffee-1"))["photo"]
    assert again == first
    # Two retries racing each other still give one photo.
    racing = await asyncio.gather(*(upload(data, token=token, client_key="c0ffee-1")
                                    for _ in range(3)))
    assert {_payload(r)["photo"]["id"] for r in racing} == {first["id"]}
    # The same key from someone else is their own photo; the same file under a new key is
    # still the same photo for its owner.
    theirs = _payload(await upload(data, token=other_token, client_key="c0ffee-1"))["photo"]
    assert theirs["id"] != first["id"]
    same_bytes = _payload(await upload(data, token=token, client_key="lain-2"))["photo"]
    assert same_bytes["id"] == first["id"]
    assert await Photo.all().count() == 2
    # Both owners' photos share the stored variants (content-addressed).
    assert len(stored_files(media_settings.media_dir)) == 2

    reused = _payload(await upload(samples.webp(), token=token, filename="x.webp",
                                   content_type="image/webp", client_key="c0ffee-1"))
    assert [e["code"] for e in reused["errors"]] == ["CLIENT_KEY_REUSED"]
    bad_key = _payload(await upload(data, token=token, client_key="spasi tidak boleh"))
    assert [e["code"] for e in bad_key["errors"]] == ["INVALID_CLIENT_KEY"]


async def test_upload_needs_a_signed_in_user(upload, media_settings):
    body = await upload(samples.jpeg_with_gps(), token=None)
    assert body["data"]["uploadPhoto"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert stored_files(media_settings.media_dir) == []


async def test_exif_is_for_the_uploader_and_the_command_center(make_user):
    owner, _ = await make_user()
    neighbour, _ = await make_user()
    operator, _ = await make_user(Role.OPERATOR)
    photo = Photo(owner_id=owner.id)
    assert services.may_see_exif(photo, owner.id, frozenset({Role.CITIZEN}))
    assert services.may_see_exif(photo, operator.id, frozenset({Role.OPERATOR}))
    assert not services.may_see_exif(photo, neighbour.id, frozenset({Role.CITIZEN}))
    assert not services.may_see_exif(photo, None, frozenset())


async def test_failed_insert_removes_the_files_it_wrote(settings, tmp_path, make_user):
    storage = LocalStorage(tmp_path / "media")
    limits = PhotoLimits(max_bytes=20 * 2**20, max_pixels=64_000_000)
    # No such user: the foreign key refuses the row after the variants were written.
    try:
        await services.upload_photo(storage, owner_id=987654, data=samples.jpeg_with_gps(),
                                    limits=limits)
    except Exception as exc:  # the database's integrity error, whatever the driver calls it
        assert "foreign" in str(exc).lower() or "violat" in str(exc).lower()
    else:
        raise AssertionError("the insert should have failed")
    assert stored_files(tmp_path / "media") == []

    # Files another photo references survive such a failure.
    owner, _ = await make_user()
    kept = await services.upload_photo(storage, owner_id=owner.id, data=samples.png(),
                                       limits=limits)
    before = stored_files(tmp_path / "media")
    try:
        await services.upload_photo(storage, owner_id=987654, data=samples.png(), limits=limits)
    except Exception:
        pass
    assert stored_files(tmp_path / "media") == before
    assert await storage.exists(kept.display_key) and await storage.exists(kept.thumbnail_key)
