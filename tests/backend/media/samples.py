"""Real image files for the media tests, generated with Pillow (and pillow-heif for HEIC)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pillow_heif
from PIL import Image, ImageDraw
from PIL.ExifTags import GPS, IFD, Base

pillow_heif.register_heif_opener()

# Alun-alun Kota Batu, as a phone writes it: 7°52'15.6"S 112°31'37.2"E.
BATU_LAT, BATU_LON = -7.871, 112.527
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="7,52.26S"/></rdf:RDF></x:xmpmeta>'
)
COMMENT = b"rumah saya di Jl. Diponegoro 7"


def photo_like(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Noise over gradients with a few shapes: compresses like a photo, not like a flat fill."""
    width, height = size
    noise = Image.effect_noise(size, 40 + seed % 7)
    gradient_x = Image.linear_gradient("L").resize(size).rotate(90)
    gradient_y = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient_x, gradient_y, noise))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x, y = (seed * 37 + i * 131) % width, (seed * 53 + i * 97) % height
        draw.ellipse((x, y, x + width // 8, y + height // 8), fill=(200, 40 * i % 255, 90))
    return image


def exif_block(
    *,
    lat: float | None = BATU_LAT,
    lon: float | None = BATU_LON,
    taken: str | None = "2026:03:14 09:30:00",
    offset: str | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    exif[Base.Make] = "BattCam"
    exif[Base.Model] = "Uji 1"
    if orientation:
        exif[Base.Orientation] = orientation
    if taken:
        details = exif.get_ifd(IFD.Exif)
        details[Base.DateTimeOriginal] = taken
        if offset:
            details[Base.OffsetTimeOriginal] = offset
    if lat is not None and lon is not None:
        gps = exif.get_ifd(IFD.GPSInfo)
        gps[GPS.GPSLatitudeRef] = "S" if lat < 0 else "N"
        gps[GPS.GPSLatitude] = _dms(abs(lat))
        gps[GPS.GPSLongitudeRef] = "W" if lon < 0 else "E"
        gps[GPS.GPSLongitude] = _dms(abs(lon))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return float(degrees), float(minutes), seconds


def encode(image: Image.Image, fmt: str, exif: Image.Exif | None = None, **params) -> bytes:
    buffer = io.BytesIO()
    if exif is not None:
        params["exif"] = exif.tobytes()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (1600, 1200), **exif_params) -> bytes:
    """A phone photo: EXIF with GPS and capture time, XMP, a comment and an ICC profile."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        photo_like(size), "JPEG", exif_block(**exif_params), quality=90, xmp=XMP,
        comment=COMMENT, icc_profile=icc,
    )


def rotated_jpeg() -> bytes:
    """Stored 400×200, left half red, right half blue, EXIF orientation 6 (rotate 90° CW):
    upright it is 200×400, red on top."""
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 200))
    return encode(image, "JPEG", exif_block(orientation=6), quality=95)


def png(size: tuple[int, int] = (640, 480)) -> bytes:
    image = photo_like(size).convert("RGBA")
    return encode(image, "PNG", exif_block())


def webp(size: tuple[int, int] = (640, 480)) -> bytes:
    return encode(photo_like(size), "WEBP", exif_block(), quality=80)


def heic(size: tuple[int, int] = (640, 480)) -> bytes:
    return encode(photo_like(size), "HEIF", exif_block(), quality=80)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims ``width × height`` pixels: a decompression
    bomb as far as any decoder trusting the header is concerned."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    # One row of zeros, compressed: the rest "decompresses" from nothing.
    data = zlib.compress(b"\x00" * (width + 1) * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(
        b"IEND", b""
    )


HTML = b"<!DOCTYPE html><html><body><script>fetch('/graphql')</script></body></html>\n"
PHP = b"<?php system($_GET['cmd']); ?>\n"


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", HTML)
    return buffer.getvalue()
