"""Photos for the demo week: a simple rendered street scene per complaint category (the
problem as reported, or the same place after the agency's work), labelled with the category,
the place and the time, saved as a phone would — JPEG with EXIF capture time and GPS — so the
real photo pipeline has something genuine to process (orientation, metadata, variants)."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from datetime import datetime
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from PIL.ExifTags import GPS, IFD, Base

from backend.clock import WIB

SIZE = (960, 720)  # a phone photo, scaled down: the demo loads in seconds
Colour = tuple[int, int, int]

# One colour per category (the wall's legend uses the same family of colours).
CATEGORY_COLOURS: dict[str, Colour] = {
    "jalan_rusak": (120, 85, 60), "sampah": (46, 125, 50), "pohon_tumbang": (85, 139, 47),
    "pju": (249, 168, 37), "lampu_lalu_lintas": (198, 40, 40), "kemacetan": (230, 81, 0),
    "longsor": (141, 110, 99), "kebakaran": (211, 47, 47), "iklan_liar": (123, 31, 162),
    "pkl_liar": (0, 131, 143), "narkoba": (55, 71, 79), "pertanian": (104, 159, 56),
    "lainnya": (84, 110, 122),
}


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError, AttributeError, TypeError):  # Pillow without FreeType
        return ImageFont.load_default()


def _jitter(rng: random.Random, colour: Colour, amount: int = 18) -> Colour:
    """The colour a little lighter or darker (the same shift on every channel)."""
    shift = rng.randint(-amount, amount)
    return tuple(max(0, min(255, c + shift)) for c in colour)  # type: ignore[return-value]


def _sky_colours(hour: int) -> tuple[Colour, Colour]:
    if 6 <= hour < 17:
        return (96, 160, 226), (190, 220, 245)
    if 17 <= hour < 19 or 5 <= hour < 6:
        return (70, 80, 140), (250, 170, 110)
    return (12, 18, 40), (40, 50, 80)


@cache
def _sky_image(top: Colour, bottom: Colour) -> Image.Image:
    gradient = Image.linear_gradient("L").resize(SIZE)  # 0 at the top, 255 at the bottom
    return Image.composite(Image.new("RGB", SIZE, bottom), Image.new("RGB", SIZE, top),
                           gradient)


def _mountains(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int, night: bool) -> None:
    # Panderman, Arjuno–Welirang: Batu is ringed by mountains.
    for layer, base in enumerate(((88, 120, 110), (60, 100, 70))):
        colour = tuple(c // 3 for c in base) if night else base
        points = [(0, horizon)]
        for x in range(0, SIZE[0] + 80, 80):
            peak = horizon - 60 - layer * 25 - int(70 * abs(math.sin(x / 230 + rng.random())))
            points.append((x, peak))
        points.append((SIZE[0], horizon))
        draw.polygon(points, fill=colour)


def _road(draw: ImageDraw.ImageDraw, horizon: int, colour: Colour = (70, 70, 72)) -> None:
    w, h = SIZE
    draw.rectangle([0, horizon, w, h], fill=(96, 128, 64))  # verge
    draw.polygon([(w * 0.42, horizon), (w * 0.58, horizon), (w * 0.98, h), (w * 0.02, h)],
                 fill=colour)
    for i in range(7):  # centre line in perspective
        y0 = horizon + (h - horizon) * (i / 7) ** 1.6
        y1 = horizon + (h - horizon) * ((i + 0.5) / 7) ** 1.6
        draw.line([(w / 2, y0), (w / 2, y1)], fill=(235, 235, 220), width=2 + i)


# -- one scene per category: (draw, rng, horizon, fixed) ------------------------------------

def _jalan_rusak(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    for _ in range(rng.randint(3, 6)):
        x, y = rng.randint(200, 760), rng.randint(hz + 120, 660)
        rx, ry = rng.randint(30, 90), rng.randint(12, 30)
        if fixed:
            d.rectangle([x - rx, y - ry, x + rx, y + ry], fill=(40, 40, 42))
        else:
            d.ellipse([x - rx - 6, y - ry - 4, x + rx + 6, y + ry + 4], fill=(110, 100, 90))
            d.ellipse([x - rx, y - ry, x + rx, y + ry], fill=(38, 34, 30))
            d.ellipse([x - rx // 2, y - ry // 3, x + rx // 3, y + ry // 2], fill=(90, 110, 130))
    if not fixed:
        for _ in range(6):
            x, y = rng.randint(150, 800), rng.randint(hz + 80, 700)
            d.line([(x, y), (x + rng.randint(-80, 80), y + rng.randint(10, 50))],
                   fill=(30, 30, 30), width=2)


def _sampah(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    d.rectangle([0, hz + 40, 260, 720], fill=(150, 140, 120))  # roadside
    if fixed:
        d.rectangle([80, 470, 170, 600], fill=(30, 110, 60))  # a bin
        d.rectangle([74, 455, 176, 472], fill=(20, 80, 40))
        return
    for _ in range(26):
        x, y = rng.randint(20, 250), rng.randint(480, 690)
        r = rng.randint(18, 45)
        colour = rng.choice([(30, 30, 30), (220, 220, 210), (40, 90, 160), (200, 60, 50),
                             (230, 200, 60), (60, 140, 70)])
        d.ellipse([x - r, y - r, x + r, y + int(r * 0.8)], fill=_jitter(rng, colour))


def _pohon_tumbang(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    if fixed:
        for i in range(3):
            x = 40 + i * 70
            d.ellipse([x, 560, x + 60, 620], fill=(120, 80, 45))
            d.ellipse([x + 10, 570, x + 50, 610], fill=(200, 160, 110))
        return
    angle = rng.uniform(-0.25, 0.25)
    x0, y0, length = 60, 560, 860
    x1, y1 = x0 + length * math.cos(angle), y0 + length * math.sin(angle)
    d.line([(x0, y0), (x1, y1)], fill=(101, 67, 33), width=38)
    for _ in range(40):
        t = rng.uniform(0.45, 1.0)
        cx, cy = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t - rng.randint(0, 90)
        r = rng.randint(25, 60)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_jitter(rng, (50, 110, 40), 25))


def _pju(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz, (45, 45, 50))
    for x in (180, 780):
        d.rectangle([x - 6, 200, x + 6, 640], fill=(90, 90, 95))
        d.line([(x, 205), (x + (60 if x < 480 else -60), 190)], fill=(90, 90, 95), width=8)
        lx = x + (60 if x < 480 else -60)
        lit = fixed or x > 480
        d.ellipse([lx - 22, 180, lx + 22, 205], fill=(255, 235, 150) if lit else (60, 60, 60))
        if lit:
            d.polygon([(lx - 20, 205), (lx + 20, 205), (lx + 120, 640), (lx - 120, 640)],
                      fill=(120, 110, 80))


def _lampu_lalu_lintas(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool
                       ) -> None:
    _road(d, hz)
    d.rectangle([596, 200, 608, 640], fill=(60, 60, 60))
    d.rectangle([560, 170, 644, 400], fill=(25, 25, 25))
    for i, on in enumerate(((220, 40, 40), (240, 200, 40), (40, 200, 80))):
        lit = fixed and i == 2
        d.ellipse([578, 182 + i * 72, 626, 230 + i * 72], fill=on if lit else (55, 55, 55))


def _kemacetan(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    rows = 2 if fixed else 7
    for row in range(rows):
        y = 700 - row * 55
        scale = 1 - row * 0.1
        for lane in (-1, 1):
            x = 480 + lane * (150 - row * 15) * (1 if row % 2 else 1.1)
            w, h = 140 * scale, 70 * scale
            colour = _jitter(rng, rng.choice([(200, 200, 205), (30, 30, 35), (180, 30, 30),
                                              (40, 70, 150), (230, 230, 230)]))
            d.rounded_rectangle([x - w / 2, y - h, x + w / 2, y], radius=10, fill=colour)
            d.rectangle([x - w / 2 + 6, y - h + 6, x + w / 2 - 6, y - h * 0.55],
                        fill=(150, 180, 200))


def _longsor(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    d.polygon([(0, hz - 120), (420, hz + 40), (420, 720), (0, 720)], fill=(110, 90, 60))
    if not fixed:
        d.polygon([(120, hz + 20), (640, 560), (700, 720), (60, 720)], fill=(125, 95, 65))
        for _ in range(30):
            x, y, r = rng.randint(150, 650), rng.randint(hz + 120, 700), rng.randint(8, 30)
            d.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, (120, 115, 110), 30))
    else:
        for i in range(6):  # a new retaining wall
            d.rectangle([20 + i * 66, 520, 80 + i * 66, 600], fill=(150, 150, 145),
                        outline=(110, 110, 105))


def _kebakaran(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    d.rectangle([0, hz, 960, 720], fill=(96, 110, 70))
    d.rectangle([300, 380, 660, 640], fill=(180, 150, 120) if not fixed else (120, 100, 90))
    d.polygon([(270, 390), (480, 260), (690, 390)], fill=(130, 50, 40) if not fixed
              else (70, 60, 60))
    d.rectangle([450, 520, 510, 640], fill=(80, 50, 30))
    if fixed:
        return
    for _ in range(26):
        x, y, r = rng.randint(300, 660), rng.randint(240, 420), rng.randint(20, 60)
        d.ellipse([x - r, y - 2 * r, x + r, y + r // 2],
                  fill=rng.choice([(255, 140, 0), (240, 60, 20), (255, 200, 40)]))
    for _ in range(14):
        x, y, r = rng.randint(320, 700), rng.randint(60, 260), rng.randint(30, 70)
        d.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, (90, 90, 95), 20))


def _iklan_liar(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    d.rectangle([120, 230, 136, 660], fill=(80, 80, 80))  # a utility pole
    if fixed:
        return
    font = _font(22)
    for i in range(rng.randint(3, 5)):
        y = 250 + i * 75
        colour = _jitter(rng, rng.choice([(230, 40, 60), (250, 210, 40), (40, 120, 220)]))
        d.rectangle([60, y, 300, y + 60], fill=colour)
        d.text((72, y + 16), rng.choice(["SEDOT WC", "KREDIT MOTOR", "PROMO!!", "LES PRIVAT",
                                          "JUAL TANAH"]), fill=(255, 255, 255), font=font)


def _pkl_liar(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    d.rectangle([0, hz + 30, 300, 720], fill=(170, 160, 150))  # pavement
    if fixed:
        return
    for i in range(3):
        x, y = 30 + i * 95, 470 + i * 60
        canopy = _jitter(rng, rng.choice([(220, 60, 60), (40, 120, 200), (250, 180, 40)]))
        d.polygon([(x - 10, y), (x + 50, y - 60), (x + 110, y)], fill=canopy)
        d.rectangle([x, y, x + 100, y + 70], fill=(140, 100, 60))
        d.ellipse([x + 10, y + 60, x + 35, y + 85], fill=(30, 30, 30))
        d.ellipse([x + 65, y + 60, x + 90, y + 85], fill=(30, 30, 30))


def _narkoba(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    d.rectangle([0, 0, 960, 720], fill=(35, 35, 40))  # a dim alley between houses
    d.polygon([(0, 0), (330, 180), (330, 720), (0, 720)], fill=(70, 65, 60))
    d.polygon([(960, 0), (630, 180), (630, 720), (960, 720)], fill=(80, 75, 68))
    d.polygon([(330, 720), (630, 720), (560, 300), (400, 300)], fill=(55, 55, 58))
    d.ellipse([460, 250, 500, 290], fill=(200, 190, 120))


def _pertanian(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    d.rectangle([0, hz, 960, 720], fill=(110, 85, 55))
    for row in range(9):
        y = hz + 20 + row * (720 - hz) / 9
        for x in range(20, 960, 60):
            ok = fixed or rng.random() > 0.45
            colour = (60, 150, 50) if ok else rng.choice([(170, 150, 60), (140, 110, 50)])
            r = 10 + row * 2
            d.ellipse([x - r, y - r / 2, x + r, y + r / 2], fill=_jitter(rng, colour, 15))


def _lainnya(d: ImageDraw.ImageDraw, rng: random.Random, hz: int, fixed: bool) -> None:
    _road(d, hz)
    d.rectangle([680, 420, 880, 640], fill=(120, 120, 125))  # a broken structure
    if not fixed:
        d.line([(690, 430), (870, 630)], fill=(40, 40, 40), width=6)
        d.line([(870, 430), (690, 630)], fill=(40, 40, 40), width=6)


SCENES: dict[str, Callable[[ImageDraw.ImageDraw, random.Random, int, bool], None]] = {
    "jalan_rusak": _jalan_rusak, "sampah": _sampah, "pohon_tumbang": _pohon_tumbang,
    "pju": _pju, "lampu_lalu_lintas": _lampu_lalu_lintas, "kemacetan": _kemacetan,
    "longsor": _longsor, "kebakaran": _kebakaran, "iklan_liar": _iklan_liar,
    "pkl_liar": _pkl_liar, "narkoba": _narkoba, "pertanian": _pertanian, "lainnya": _lainnya,
}


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 3)


def render_photo(category: str, caption: str, *, taken_at: datetime, lat: float, lon: float,
                 seed: str, fixed: bool = False) -> bytes:
    """A JPEG as a phone takes it: the category's scene at that hour, a caption band in the
    category's colour, EXIF capture time (WIB, with its offset) and GPS position."""
    rng = random.Random(seed)
    local = taken_at.astimezone(WIB)
    image = _sky_image(*_sky_colours(local.hour)).copy()
    draw = ImageDraw.Draw(image)
    horizon = 300 + rng.randint(-30, 30)
    night = not 6 <= local.hour < 18
    if category != "narkoba":
        _mountains(draw, rng, horizon, night)
    SCENES.get(category, _lainnya)(draw, rng, horizon, fixed)
    if night and category not in ("pju", "narkoba"):
        image = Image.blend(image, Image.new("RGB", SIZE, (10, 15, 35)), 0.45)
        draw = ImageDraw.Draw(image)
    colour = CATEGORY_COLOURS.get(category, CATEGORY_COLOURS["lainnya"])
    draw.rectangle([0, SIZE[1] - 64, SIZE[0], SIZE[1]], fill=colour)
    draw.text((20, SIZE[1] - 50), caption, fill=(255, 255, 255), font=_font(28))

    exif = Image.Exif()
    exif[Base.Make] = "samsung"
    exif[Base.Model] = rng.choice(["SM-A155F", "SM-A057F", "Redmi Note 13", "vivo Y17s"])
    details = exif.get_ifd(IFD.Exif)
    details[Base.DateTimeOriginal] = local.strftime("%Y:%m:%d %H:%M:%S")
    details[Base.OffsetTimeOriginal] = "+07:00"
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "S" if lat < 0 else "N"
    gps[GPS.GPSLatitude] = _dms(abs(lat))
    gps[GPS.GPSLongitudeRef] = "W" if lon < 0 else "E"
    gps[GPS.GPSLongitude] = _dms(abs(lon))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()
