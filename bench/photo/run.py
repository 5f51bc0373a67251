"""Photos per second through the full upload pipeline, against Pillow alone.

    .venv/bin/python bench/photo/run.py [--photos 12] [--postgres SERVER_URL]

With ``--postgres postgres://postgres@127.0.0.1:5432/postgres`` the row goes to a fresh
throwaway database created on that server (and dropped afterwards); default: a SQLite file.

Each photo is a distinct 12-megapixel phone-like JPEG (noise over gradients, shapes, EXIF
with GPS and capture time, ~quality 92). "Pipeline" is backend.media.services.upload_photo:
hashing, format and container checks, decode (JPEG draft mode), EXIF read, orientation,
display + thumbnail resize, metadata-free re-encode, content-addressed storage on disk and
the database row, with the CPU work on the photo worker pool. "Pillow only" is the same
decode + resize + encode written directly against Pillow, in the same process and run: once
with draft mode (the like-for-like baseline the ratio uses) and once with a full decode.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from PIL import Image, ImageDraw, ImageOps
from PIL.ExifTags import GPS, IFD, Base

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from backend import db  # noqa: E402
from backend.accounts import services as accounts  # noqa: E402
from backend.media import services as media  # noqa: E402
from backend.media.pipeline import (  # noqa: E402
    DISPLAY_SIZE,
    JPEG_QUALITY,
    RESAMPLE,
    THUMBNAIL_SIZE,
)
from backend.media.storage import LocalStorage  # noqa: E402
from backend.settings import Settings  # noqa: E402

SIZE = (4000, 3000)  # 12 MP, 4:3 like most phone cameras


def phone_exif(index: int) -> bytes:
    exif = Image.Exif()
    exif[Base.Make] = "BattCam"
    exif[Base.Model] = "Bench 12MP"
    exif[Base.Orientation] = 1
    details = exif.get_ifd(IFD.Exif)
    details[Base.DateTimeOriginal] = f"2026:03:14 09:{index % 60:02d}:00"
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "S"
    gps[GPS.GPSLatitude] = (7.0, 52.0, 15.6 + index / 100)
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (112.0, 31.0, 37.2)
    return exif.tobytes()


def make_photos(count: int) -> list[bytes]:
    width, height = SIZE
    base = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(SIZE).rotate(90),
            Image.linear_gradient("L").resize(SIZE),
            Image.effect_noise(SIZE, 48),
        ),
    )
    grain = Image.effect_noise(SIZE, 24).convert("RGB")
    base = Image.blend(base, grain, 0.25)
    photos = []
    for index in range(count):
        image = base.copy()
        draw = ImageDraw.Draw(image)
        for shape in range(40):
            x = (index * 397 + shape * 211) % width
            y = (index * 263 + shape * 149) % height
            colour = ((shape * 53 + index * 17) % 256, (shape * 91) % 256, (index * 37) % 256)
            draw.ellipse((x, y, x + 300 + shape * 7, y + 200 + shape * 5), fill=colour)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92, exif=phone_exif(index))
        photos.append(buffer.getvalue())
    return photos


def pillow_only(data: bytes, *, draft: bool) -> tuple[bytes, bytes]:
    with Image.open(io.BytesIO(data)) as image:
        if draft:
            image.draft("RGB", (DISPLAY_SIZE, DISPLAY_SIZE * image.height // image.width))
        image = ImageOps.exif_transpose(image).convert("RGB")
    display = image.copy()
    display.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), RESAMPLE, reducing_gap=3.0)
    thumbnail = display.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), RESAMPLE, reducing_gap=2.0)
    out = []
    for variant in (display, thumbnail):
        buffer = io.BytesIO()
        variant.save(buffer, "JPEG", quality=JPEG_QUALITY)
        out.append(buffer.getvalue())
    return out[0], out[1]


def rate(count: int, seconds: float) -> float:
    return count / seconds


async def _admin(server_url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def bench(photos: list[bytes], server_url: str | None, work_dir: Path) -> None:
    database_url = None
    if server_url:
        name = f"batt_bench_photo_{secrets.token_hex(4)}"
        await _admin(server_url, f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        await _admin(database_url, "CREATE EXTENSION IF NOT EXISTS postgis")
    try:
        await _bench(photos, database_url, work_dir)
    finally:
        if server_url:
            await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _bench(photos: list[bytes], database_url: str | None, work_dir: Path) -> None:
    settings = Settings(
        env="bench",
        var_dir=work_dir,
        database_url=database_url or f"sqlite://{work_dir / 'bench.sqlite3'}",
        media_dir=work_dir / "media",
        secret_key="bench-secret-key-" + "x" * 32,
    )
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        user = await accounts.create_user(
            name="Bench", phone="+6281299990000", password="kata-sandi-bench", roles=[]
        )
        storage = LocalStorage(settings.media_dir)
        limits = media.limits_for(settings)

        # Warm up both paths (thread pool, codecs, DB connection) on a photo not measured.
        warm = photos[0]
        pillow_only(warm, draft=True)
        await media.upload_photo(storage, owner_id=user.id, data=warm, limits=limits)
        measured = photos[1:]

        # Interleaved photo by photo, so a busy neighbour on the machine slows all three alike.
        spent = {"draft": 0.0, "full": 0.0, "pipeline": 0.0}
        for index, data in enumerate(measured):
            started = time.perf_counter()
            pillow_only(data, draft=True)
            spent["draft"] += time.perf_counter() - started
            started = time.perf_counter()
            pillow_only(data, draft=False)
            spent["full"] += time.perf_counter() - started
            started = time.perf_counter()
            photo = await media.upload_photo(
                storage, owner_id=user.id, data=data, limits=limits, client_key=f"bench-{index}"
            )
            spent["pipeline"] += time.perf_counter() - started
            assert photo.exif_lat is not None and photo.display_width == DISPLAY_SIZE
        baseline = rate(len(measured), spent["draft"])
        full_decode = rate(len(measured), spent["full"])
        pipeline = rate(len(measured), spent["pipeline"])
    finally:
        await db.close_db()

    size_mb = sum(len(p) for p in measured) / len(measured) / 2**20
    print(f"photos: {len(measured)} distinct {SIZE[0]}x{SIZE[1]} JPEGs, {size_mb:.1f} MB avg, "
          f"database {settings.database_dialect}")
    print(f"Pillow only (draft decode)  {baseline:6.2f} photos/s")
    print(f"Pillow only (full decode)   {full_decode:6.2f} photos/s   (reference)")
    print(f"BATT pipeline (full)        {pipeline:6.2f} photos/s")
    print(f"ratio pipeline / Pillow-only (draft) = {pipeline / baseline:.2f}  (target >= 0.80)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=12, help="measured photos (plus 1 warm-up)")
    parser.add_argument("--postgres", metavar="SERVER_URL",
                        help="run on a throwaway database on this PostgreSQL server")
    args = parser.parse_args()
    print(f"generating {args.photos + 1} photos …", flush=True)
    photos = make_photos(args.photos + 1)
    with tempfile.TemporaryDirectory(prefix="batt-bench-photo-") as work_dir:
        asyncio.run(bench(photos, args.postgres, Path(work_dir)))


if __name__ == "__main__":
    main()
