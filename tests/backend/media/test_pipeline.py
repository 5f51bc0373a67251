"""The pipeline on real image bytes, without HTTP or the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.media.errors import MediaErrorCode
from backend.media.pipeline import PhotoLimits, PhotoRejected, process_photo
from tests.backend.media import samples

LIMITS = PhotoLimits(max_bytes=20 * 2**20, max_pixels=64_000_000)


def refused(data: bytes, **declared) -> MediaErrorCode:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, LIMITS, **declared)
    return caught.value.code


def test_large_jpeg_is_reduced_to_display_and_thumbnail():
    photo = process_photo(samples.jpeg_with_gps((4032, 3024)), LIMITS)
    assert (photo.width, photo.height) == (4032, 3024)
    assert (photo.display.width, photo.display.height) == (1280, 960)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (320, 240)
    assert photo.display.key.endswith(".jpg") and photo.display.key != photo.thumbnail.key


def test_small_photo_is_not_enlarged():
    photo = process_photo(samples.encode(samples.photo_like((300, 200)), "JPEG"), LIMITS)
    assert (photo.display.width, photo.display.height) == (300, 200)
    assert photo.taken_at is None and photo.exif_lat is None


def test_capture_time_honours_an_offset_tag_and_hemispheres():
    data = samples.jpeg_with_gps(taken="2026:01:02 23:15:00", offset="+09:00", lat=35.0, lon=-3.5)
    photo = process_photo(data, LIMITS)
    assert photo.taken_at == datetime(2026, 1, 2, 14, 15, tzinfo=UTC)
    assert (photo.exif_lat, photo.exif_lon) == (35.0, -3.5)


def test_zero_gps_is_no_location():
    photo = process_photo(samples.jpeg_with_gps(lat=0.0, lon=0.0), LIMITS)
    assert photo.exif_lat is None and photo.exif_lon is None


def test_phone_trailers_are_accepted_foreign_ones_are_not():
    jpeg = samples.jpeg_with_gps((800, 600))
    # An MPF second image (previews, depth maps) and a motion-photo MP4 after the picture.
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    mp4 += b"\x00\x00\x00\x10mdat" + b"\x01" * 8
    assert process_photo(jpeg + samples.rotated_jpeg() + mp4, LIMITS).width == 800
    assert refused(jpeg + samples.PHP) is MediaErrorCode.TRAILING_DATA
    assert refused(jpeg + b"%PDF-1.7\n") is MediaErrorCode.TRAILING_DATA
    assert refused(samples.png() + samples.zip_archive()) is MediaErrorCode.TRAILING_DATA
    assert refused(samples.webp() + samples.HTML) is MediaErrorCode.TRAILING_DATA
    assert refused(samples.heic() + samples.zip_archive()) is MediaErrorCode.TRAILING_DATA


def test_cut_off_files_are_truncated_in_every_format():
    for data in (samples.jpeg_with_gps(), samples.png(), samples.webp(), samples.heic()):
        assert refused(data[: len(data) * 2 // 3]) is MediaErrorCode.TRUNCATED


def test_garbage_behind_a_magic_number_is_corrupt():
    assert refused(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x13" * 500) in (
        MediaErrorCode.CORRUPT_IMAGE, MediaErrorCode.TRUNCATED)
    png = samples.png()
    broken = png[:40] + bytes(200) + png[240:]
    assert refused(broken) is MediaErrorCode.CORRUPT_IMAGE


def test_declared_type_must_match_the_bytes():
    jpeg = samples.jpeg_with_gps((400, 300))
    assert process_photo(jpeg, LIMITS, filename="IMG.JPEG", content_type="image/jpeg")
    assert process_photo(jpeg, LIMITS, filename="blob", content_type="application/octet-stream")
    assert refused(jpeg, filename="foto.png") is MediaErrorCode.TYPE_MISMATCH
    assert refused(jpeg, content_type="text/html") is MediaErrorCode.TYPE_MISMATCH
    assert refused(samples.heic(), filename="foto.jpg") is MediaErrorCode.TYPE_MISMATCH


def test_pixel_limit_is_ours_to_set():
    small_limit = PhotoLimits(max_bytes=LIMITS.max_bytes, max_pixels=1_000_000)
    with pytest.raises(PhotoRejected) as caught:
        process_photo(samples.jpeg_with_gps((1600, 1200)), small_limit)
    assert caught.value.code is MediaErrorCode.TOO_MANY_PIXELS
    assert caught.value.params == {"max_mp": 1}


def test_samsung_trailer_is_accepted_only_whole():
    block = b"\x00\x00\x0a\x00Image_UTC_Data" + b"1773455400000"
    directory = b"SEFH" + (106).to_bytes(4, "little") + (1).to_bytes(4, "little")
    directory += b"\x00\x00\x01\x0a" + len(block).to_bytes(4, "little") + len(block).to_bytes(
        4, "little")
    trailer = block + directory + len(directory).to_bytes(4, "little") + b"SEFT"
    jpeg = samples.jpeg_with_gps((400, 300))
    assert process_photo(jpeg + trailer, LIMITS).width == 400
    assert refused(jpeg + samples.HTML + trailer) is MediaErrorCode.TRAILING_DATA
