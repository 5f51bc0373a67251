"""The photo pipeline: bytes in, metadata-free variants and the facts worth keeping out.

Synchronous and CPU-bound; :func:`process_photo_in_worker` runs it on a small thread pool
(Pillow releases the GIL while decoding, resizing and encoding) so the event loop stays free
and a 2-core server is not oversubscribed.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from PIL.ExifTags import GPS, IFD, Base

from backend.media import container
from backend.media.container import HEIC, JPEG, PNG, WEBP, ContainerProblem
from backend.media.errors import MediaErrorCode
from backend.media.storage import content_key

pillow_heif.register_heif_opener()
# Pillow only warns between MAX_IMAGE_PIXELS and twice that. BATT never wants to decode such
# a file anywhere, so the warning is an error process-wide and the upload is refused.
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

JAKARTA = ZoneInfo("Asia/Jakarta")
RESAMPLE = Image.Resampling.HAMMING
DISPLAY_SIZE = 1280
THUMBNAIL_SIZE = 320
JPEG_QUALITY = 82
VARIANT_EXTENSION = "jpg"
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF"}

# What a client may call each format, by MIME type and by file extension. "Generic" values
# (application/octet-stream, no extension) say nothing and are not held against the file.
DECLARED_TYPES = {
    "image/jpeg": JPEG, "image/jpg": JPEG, "image/pjpeg": JPEG,
    "image/png": PNG, "image/webp": WEBP,
    "image/heic": HEIC, "image/heif": HEIC, "image/heic-sequence": HEIC,
    "image/heif-sequence": HEIC,
}
DECLARED_EXTENSIONS = {
    "jpg": JPEG, "jpeg": JPEG, "jpe": JPEG, "jfif": JPEG, "png": PNG, "webp": WEBP,
    "heic": HEIC, "heif": HEIC, "hif": HEIC,
}
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class Variant:
    key: str
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPhoto:
    format: str
    width: int  # as the photo is seen, after EXIF orientation
    height: int
    taken_at: datetime | None  # UTC
    exif_lat: float | None
    exif_lon: float | None
    display: Variant
    thumbnail: Variant


class PhotoRejected(Exception):
    def __init__(self, code: MediaErrorCode, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


# -- the steps --------------------------------------------------------------------------------


def check_declared(fmt: str, filename: str | None, content_type: str | None) -> None:
    """A file that says it is one thing and holds another is a disguise; refuse it."""
    declared_type = (content_type or "").split(";")[0].strip().lower()
    if declared_type not in GENERIC_TYPES and DECLARED_TYPES.get(declared_type) != fmt:
        raise PhotoRejected(MediaErrorCode.TYPE_MISMATCH, declared=declared_type, actual=fmt)
    name = (filename or "").strip().rsplit("/", 1)[-1]
    if "." in name:
        extension = name.rsplit(".", 1)[1].lower()
        if DECLARED_EXTENSIONS.get(extension) != fmt:
            raise PhotoRejected(MediaErrorCode.TYPE_MISMATCH, declared=f".{extension}", actual=fmt)


def fit(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The size that fits ``long_side`` keeping the aspect ratio (never enlarged)."""
    scale = long_side / max(width, height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def gps_location(exif: Image.Exif) -> tuple[float, float] | None:
    try:
        gps = exif.get_ifd(IFD.GPSInfo)
    except Exception:  # a malformed GPS IFD is no location, not a refused photo
        return None
    try:
        lat = _dms(gps[GPS.GPSLatitude], gps.get(GPS.GPSLatitudeRef), "S")
        lon = _dms(gps[GPS.GPSLongitude], gps.get(GPS.GPSLongitudeRef), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    if lat == 0 and lon == 0:  # phones without a fix write zeros
        return None
    return round(lat, 7), round(lon, 7)


def _dms(value: Any, ref: Any, negative_ref: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    decimal = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -decimal if str(ref or "").strip().upper() == negative_ref else decimal


def capture_time(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal in UTC. Without an offset tag the camera clock is taken to be local
    time in Kota Batu (WIB)."""
    try:
        details = exif.get_ifd(IFD.Exif)
    except Exception:
        return None
    for tag, offset_tag in ((Base.DateTimeOriginal, Base.OffsetTimeOriginal),
                            (Base.DateTimeDigitized, Base.OffsetTimeDigitized)):
        text = details.get(tag)
        if not isinstance(text, str):
            continue
        try:
            local = datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        zone = _offset(details.get(offset_tag)) or JAKARTA
        return local.replace(tzinfo=zone).astimezone(UTC)
    return None


def _offset(text: Any) -> timezone | None:
    if not isinstance(text, str):
        return None
    text = text.strip("\x00 ")
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


_SRGB = ImageCms.createProfile("sRGB")


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNGs: scale to 8 bits instead of clipping to white.
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    # Phones shoot in Display P3 and say so in an ICC profile. The variants carry no profile,
    # so the colours are converted to sRGB (what a browser assumes) instead.
    if not icc:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB") or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _encode(image: Image.Image) -> Variant:
    """Encode an image the pipeline itself made (a resize result, never the decoded upload).

    Only what is passed to ``save`` is written, plus ``image.info["comment"]`` which Pillow
    carries over: ``info`` is emptied first, so no EXIF, XMP, ICC profile, comment or anything
    else the source carried can reach the stored file (tests read every variant back)."""
    image.info = {}
    if hasattr(image, "encoderinfo"):  # never set on a fresh image; refuse rather than leak
        raise RuntimeError("an image with encoder settings attached was passed to _encode")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    data = buffer.getvalue()
    return Variant(content_key(data, VARIANT_EXTENSION), data, image.width, image.height)


def process_photo(
    data: bytes,
    limits: PhotoLimits,
    *,
    filename: str | None = None,
    content_type: str | None = None,
) -> ProcessedPhoto:
    """Check, decode and re-encode one uploaded photo; raises :class:`PhotoRejected`."""
    if not data:
        raise PhotoRejected(MediaErrorCode.EMPTY_FILE)
    if len(data) > limits.max_bytes:
        raise PhotoRejected(MediaErrorCode.FILE_TOO_LARGE, max_mb=limits.max_bytes // 2**20)
    fmt = container.sniff(data)
    if fmt is None:
        raise PhotoRejected(MediaErrorCode.UNSUPPORTED_FORMAT)
    check_declared(fmt, filename, content_type)
    try:
        container.check_container(data, fmt)
    except ContainerProblem as problem:
        raise PhotoRejected(problem.code) from None

    max_mp = max(1, limits.max_pixels // 1_000_000)
    try:
        image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[fmt]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(MediaErrorCode.TOO_MANY_PIXELS, max_mp=max_mp) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoRejected(MediaErrorCode.CORRUPT_IMAGE) from None
    with image:
        width, height = image.size
        if width < 1 or height < 1:
            raise PhotoRejected(MediaErrorCode.CORRUPT_IMAGE)
        if width * height > limits.max_pixels:
            raise PhotoRejected(MediaErrorCode.TOO_MANY_PIXELS, max_mp=max_mp)
        try:
            exif = image.getexif()
        except Exception:  # unreadable EXIF: a photo without metadata, not a bad photo
            exif = Image.Exif()
        location = gps_location(exif)
        taken_at = capture_time(exif)
        icc = image.info.get("icc_profile")
        if fmt == JPEG:
            # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT when the display size
            # needs no more: a 12 MP photo then costs a fraction of a full decode.
            image.draft("RGB", fit(width, height, DISPLAY_SIZE))
        try:
            image.load()
            stored_size = image.size
            # In place: without a rotation there is nothing to copy.
            ImageOps.exif_transpose(image, in_place=True)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(MediaErrorCode.TOO_MANY_PIXELS, max_mp=max_mp) from None
        except (OSError, ValueError, SyntaxError, EOFError):
            raise PhotoRejected(MediaErrorCode.CORRUPT_IMAGE) from None
    if image.size != stored_size:  # rotated a quarter turn
        width, height = height, width
    rgb = _to_rgb(image)
    # Hamming (Pillow's filter for downscaling): sharper than bilinear at its cost, close to
    # Lanczos at display and thumbnail sizes, and about 2.4× cheaper — the resize was the
    # largest single cost of an upload (bench/intake).
    display = rgb.resize(fit(*rgb.size, DISPLAY_SIZE), RESAMPLE, reducing_gap=3.0)
    display = _to_srgb(display, icc)
    # From the display size a thumbnail is mostly a box reduction (reduce(4) for 1280→320),
    # which is what a 320 px picture needs and a quarter of the cost of filtering all the way.
    thumbnail = display.resize(
        fit(*display.size, THUMBNAIL_SIZE), RESAMPLE, reducing_gap=1.0
    )
    return ProcessedPhoto(
        format=fmt,
        width=width,
        height=height,
        taken_at=taken_at,
        exif_lat=location[0] if location else None,
        exif_lon=location[1] if location else None,
        display=_encode(display),
        thumbnail=_encode(thumbnail),
    )


def imaging_library() -> str:
    """Which Pillow resizes the photos: "Pillow-SIMD 12.1.1.post0" (what `make` builds) or
    stock "Pillow 13.0.0" (about 7× slower resizing; the intake target needs the former)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"Pillow-SIMD {version('pillow-simd')}"
    except PackageNotFoundError:
        return f"Pillow {version('pillow')}"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the worker pool --------------------------------------------------------------------------


def default_workers() -> int:
    # One core stays with the event loop and the database driver.
    return max(1, (os.cpu_count() or 2) - 1)


_executor: ThreadPoolExecutor | None = None


def executor(workers: int | None = None) -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=workers or default_workers(), thread_name_prefix="batt-photo"
        )
    return _executor


async def process_photo_in_worker(
    data: bytes,
    limits: PhotoLimits,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    workers: int | None = None,
) -> ProcessedPhoto:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        executor(workers),
        lambda: process_photo(data, limits, filename=filename, content_type=content_type),
    )
