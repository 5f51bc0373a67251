"""A dozen small businesses of Batu for the demo — labelled demo: invented names of the kinds
of UMKM the city has (apple chips, dairy, batik, bamboo crafts …), approximate points, and
WhatsApp numbers from the demo's own 0811-0000-02xx series (the owners' demo accounts are
0811-0000-01xx: a business number need not be the account's)."""

from __future__ import annotations

from typing import Any


def _t(indonesian: str, english: str | None = None) -> dict[str, str | None]:
    return {"id": indonesian, "en": english}


def _p(indonesian: str, english: str, low: int, high: int | None = None) -> dict[str, Any]:
    return {"name": _t(indonesian, english), "price_min": low, "price_max": high or low}


# (owner's public name, business)
DEMO_UMKM: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Bu Sri", {"name": _t("Keripik Apel Manalagi Bu Sri", "Bu Sri's Manalagi Apple Chips"),
                "category_code": "agro_processing", "lat": -7.8282, "lon": 112.5321,
                "address": "Bumiaji, Kota Batu",
                "products": [_p("Keripik apel 100 g", "Apple chips 100 g", 15_000, 25_000),
                             _p("Sari apel (kardus 24)", "Apple juice (box of 24)", 40_000)]}),
    ("Pak Wahyu", {"name": _t("Susu Segar Junrejo", "Junrejo Fresh Milk"),
                   "category_code": "agro_processing", "lat": -7.9002, "lon": 112.5566,
                   "address": "Junrejo, Kota Batu", "nib": "9120301234567",
                   "products": [_p("Susu pasteurisasi 1 liter", "Pasteurised milk 1 litre",
                                   18_000),
                                _p("Yoghurt stroberi", "Strawberry yoghurt", 8_000, 12_000)]}),
    ("Mbak Yuni", {"name": _t("Ketan Bubuk Mbak Yuni", "Mbak Yuni's Sticky Rice"),
                   "category_code": "culinary", "lat": -7.8707, "lon": 112.5262,
                   "address": "Dekat Alun-alun Kota Batu",
                   "products": [_p("Ketan bubuk kedelai", "Sticky rice with soybean powder",
                                   10_000, 15_000)]}),
    ("Pak Man", {"name": _t("Bakso Malang Pak Man", "Pak Man's Meatball Soup"),
                 "category_code": "culinary", "lat": -7.8745, "lon": 112.5230,
                 "address": "Jl. Diponegoro, Sisir",
                 "products": [_p("Bakso komplit", "Meatball soup, everything", 15_000, 25_000)]}),
    ("Bu Lilik", {"name": _t("Dodol Apel Songgoriti", "Songgoriti Apple Dodol"),
                  "category_code": "souvenirs", "lat": -7.8637, "lon": 112.5020,
                  "address": "Songgokerto, Kota Batu",
                  "products": [_p("Dodol apel 250 g", "Apple dodol 250 g", 20_000),
                               _p("Jenang apel", "Apple jenang", 15_000)]}),
    ("Mas Dani", {"name": _t("Selai Stroberi Pandanrejo", "Pandanrejo Strawberry Jam"),
                  "category_code": "souvenirs", "lat": -7.8573, "lon": 112.5592,
                  "address": "Pandanrejo, Bumiaji",
                  "products": [_p("Selai stroberi 200 g", "Strawberry jam 200 g", 25_000)]}),
    ("Pak Kasno", {"name": _t("Anyaman Bambu Pandanrejo", "Pandanrejo Bamboo Weaving"),
                   "category_code": "crafts", "lat": -7.8551, "lon": 112.5634,
                   "address": "Pandanrejo, Bumiaji",
                   "products": [_p("Tampah", "Winnowing tray", 30_000, 60_000),
                                _p("Kap lampu bambu", "Bamboo lampshade", 75_000, 150_000)]}),
    ("Bu Endang", {"name": _t("Tas Rajut Sisir", "Sisir Knitted Bags"),
                   "category_code": "crafts", "lat": -7.8768, "lon": 112.5288,
                   "address": "Sisir, Kota Batu",
                   "products": [_p("Tas rajut kecil", "Small knitted bag", 85_000, 120_000)]}),
    ("Bu Ratna", {"name": _t("Batik Tulis Motif Apel", "Hand-drawn Apple Batik"),
                  "category_code": "fashion", "lat": -7.8121, "lon": 112.5247,
                  "address": "Tulungrejo, Bumiaji", "nib": "9120305550001",
                  "products": [_p("Kain batik tulis 2 m", "Hand-drawn batik cloth 2 m",
                                  350_000, 900_000)]}),
    ("Mas Bayu", {"name": _t("Kaos Sablon Khas Batu", "Batu Screen-printed T-shirts"),
                  "category_code": "fashion", "lat": -7.8829, "lon": 112.5312,
                  "address": "Ngaglik, Kota Batu",
                  "products": [_p("Kaos anak", "Children's T-shirt", 45_000),
                               _p("Kaos dewasa", "Adult T-shirt", 65_000, 85_000)]}),
    ("Pak Hadi", {"name": _t("Kopi Arjuno Bumiaji", "Bumiaji Arjuno Coffee"),
                  "category_code": "agro_processing", "lat": -7.8361, "lon": 112.5480,
                  "address": "Bumiaji, Kota Batu",
                  "products": [_p("Kopi bubuk 200 g", "Ground coffee 200 g", 35_000, 55_000)]}),
    ("Bu Nur", {"name": _t("Kripik Kentang Sumber Brantas", "Sumber Brantas Potato Crisps"),
                "category_code": "souvenirs", "lat": -7.7683, "lon": 112.5280,
                "address": "Sumber Brantas, Bumiaji",
                "products": [_p("Kripik kentang balado", "Spicy potato crisps", 20_000)]}),
)
