"""The market in the demo: 90 days of plausible reference prices (labelled demo), listings
by the registry's demo farmers, and a few orders in the demo week, all through the real
services."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import timedelta
from decimal import Decimal

from among_tani.market import listings as listing_service
from among_tani.market import orders as order_service
from among_tani.market import prices
from among_tani.market.models import Fulfilment, Listing, MarketPrice, PaymentMethod, PriceLevel
from among_tani.registry.demo import BUYERS, FARMERS
from among_tani.registry.models import Unit
from backend.accounts.services import principal_for
from backend.clock import WIB
from backend.demo import DemoContext, DemoLoader, DemoStep
from backend.media.services import limits_for, upload_photo

# Producer price per base unit (Rp/kg, Rp/liter, Rp/stem), roughly Batu 2024–2026.
BASE_PRICES: dict[str, int] = {
    "apel_manalagi": 11000, "apel_anna": 8000, "apel_rome_beauty": 9000,
    "jeruk_keprok_batu55": 12000, "kentang": 10000, "wortel": 6000, "kubis": 3500,
    "sawi": 4000, "brokoli": 14000, "tomat": 7000, "cabai": 30000, "bawang_prei": 8000,
    "stroberi": 40000, "mawar": 1500, "krisan": 1200, "anyelir": 1000, "kopi_arabika": 60000,
    "alpukat": 15000, "susu_segar": 7000,
}
LEVEL_MARKUP = {PriceLevel.PRODUCER: 1.0, PriceLevel.WHOLESALE: 1.25, PriceLevel.RETAIL: 1.6}
LEVEL_MARKET = {PriceLevel.PRODUCER: "tingkat_petani_batu",
                PriceLevel.WHOLESALE: "pasar_induk_among_tani",
                PriceLevel.RETAIL: "pasar_besar_batu"}
DAYS = 90
# (farmer phone, commodity, unit, price per unit, quantity, variety, offset lat/lon)
LISTINGS = (
    (FARMERS[0][0], "apel_manalagi", Unit.KG, 12500, "300", "Manalagi super", (0.002, 0.001)),
    (FARMERS[0][0], "apel_anna", Unit.KUINTAL, 850000, "20", "Anna", (0.001, -0.002)),
    (FARMERS[1][0], "kentang", Unit.KG, 10500, "2000", "Granola", (0.0, 0.0)),
    (FARMERS[1][0], "wortel", Unit.KG, 6500, "500", "Lokal", (0.001, 0.001)),
    (FARMERS[2][0], "krisan", Unit.TANGKAI, 1300, "3000", "Krisan spray", (0.0, 0.001)),
    (FARMERS[2][0], "mawar", Unit.IKAT, 25000, "200", "Mawar merah", (0.001, 0.0)),
    (FARMERS[3][0], "jeruk_keprok_batu55", Unit.KG, 13000, "800", "Keprok 55", (0.0, 0.0)),
    (FARMERS[4][0], "brokoli", Unit.KG, 15000, "150", "Brokoli hijau", (0.0, 0.0)),
    (FARMERS[5][0], "stroberi", Unit.KG, 45000, "60.5", "Stroberi California", (0.0, 0.0)),
    (FARMERS[6][0], "susu_segar", Unit.LITER, 7500, "400", "Susu sapi segar", (0.0, 0.0)),
)
# Centres of the demo villages' boundaries are found from the areas themselves.


async def _village_point(code: str) -> tuple[float, float]:
    from backend.geo.models import Area

    area = await Area.get(code=code)
    return ((area.min_lat + area.max_lat) / 2, (area.min_lon + area.max_lon) / 2)


async def _plan(context: DemoContext) -> list[DemoStep]:
    if await MarketPrice.filter(demo=True).exists():
        return []
    rng = context.rng("tani_market")
    end = context.now.astimezone(WIB).date()
    start_day = end - dt.timedelta(days=DAYS - 1)

    async def price_history() -> None:
        await prices.seed_markets()
        markets = {m.code: m for m in await prices.PriceMarket.all()}
        from among_tani.registry.models import Commodity

        commodities = {c.code: c for c in await Commodity.all()}
        rows = []
        for code, base in BASE_PRICES.items():
            commodity = commodities[code]
            level_unit = Unit(commodity.base_unit)
            drift = 1.0
            for offset in range(DAYS):
                day = start_day + dt.timedelta(days=offset)
                drift = min(1.3, max(0.75, drift * (1 + rng.uniform(-0.03, 0.03))))
                for level, markup in LEVEL_MARKUP.items():
                    price = max(1, round(base * drift * markup / 50) * 50)
                    rows.append(MarketPrice(
                        date=day, market_id=markets[LEVEL_MARKET[level]].id,
                        commodity_id=commodity.id, level=level, unit=level_unit, price=price,
                        price_per_base_unit=price, source="Demo (bukan data resmi)",
                        demo=True))
        await MarketPrice.bulk_create(rows, batch_size=500)

    async def list_produce() -> None:
        villages = {phone: village for phone, _, village, _, _ in FARMERS}
        for phone, code, unit, price, quantity, variety, offset in LISTINGS:
            user = await context.user(phone)
            principal = await principal_for(user)
            lat, lon = await _village_point(villages[phone])
            # One small picture per farmer (a retry of the same client key returns it).
            farmer_index = [f[0] for f in FARMERS].index(phone)
            photo = await upload_photo(
                context.storage, owner_id=user.id, data=_demo_photo(farmer_index),
                limits=limits_for(context.settings), client_key=f"tani-demo-{farmer_index}")
            today = context.now.astimezone(WIB).date()
            await listing_service.create_listing(principal, listing_service.ListingInput(
                commodity_code=code, variety=variety, grade="A",
                description=f"{variety} dari {villages[phone].split('-', 1)[1].title()}, "
                "panen minggu ini.",
                unit=unit, price_per_unit=price, quantity=Decimal(quantity),
                min_order_quantity=Decimal(1), harvest_date=today - timedelta(days=2),
                available_until=today + timedelta(days=14), lat=lat + offset[0],
                lon=lon + offset[1], fulfilment=[Fulfilment.PICKUP, Fulfilment.DELIVERY],
                delivery_radius_km=15, delivery_fee=20000, photo_ids=[photo.id],
                provided={"harvest_date", "delivery_radius_km", "delivery_fee"}))

    async def trade() -> None:
        buyer = await principal_for(await context.user(BUYERS[1][0]))
        farmer = await principal_for(await context.user(FARMERS[0][0]))
        apples = await Listing.filter(farmer_id=farmer.user.id, commodity__code="apel_manalagi"
                                      ).first()
        order = await order_service.place_order(buyer, order_service.PlaceOrder(
            client_request_id=f"tani-demo-{uuid.UUID(int=1).hex}", lines=[
                order_service.LineInput(apples.id, Decimal(40))],
            fulfilment=Fulfilment.PICKUP, payment_method=PaymentMethod.BANK_TRANSFER,
            note="Untuk dapur hotel, mohon pilih yang besar."))
        await order_service.accept_order(farmer, order.id)
        await order_service.send_message(farmer, order.id, "Siap, bisa diambil besok pagi.")

    async def summary() -> str:
        return (f"Among Tani market: {await Listing.all().count()} listings, "
                f"{await MarketPrice.filter(demo=True).count()} demo reference prices "
                f"({DAYS} days, labelled demo).")

    context.summaries.append(summary)
    first_day = dt.datetime.combine(start_day, dt.time(8), tzinfo=WIB)
    return [DemoStep(max(first_day, context.now - timedelta(days=DAYS)), price_history,
                     "reference prices"),
            DemoStep(context.now - timedelta(days=3), list_produce, "farmers list produce"),
            DemoStep(context.now - timedelta(days=2), trade, "a hotel orders apples")]


def _demo_photo(seed: int) -> bytes:
    """A plausible produce picture: a crate of round fruit on a wooden table (drawn)."""
    import io
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(f"tani-demo-photo:{seed}")
    image = Image.new("RGB", (480, 360), (150, 110, 70))
    draw = ImageDraw.Draw(image)
    for y in range(0, 360, 24):
        draw.line([(0, y), (480, y)], fill=(120, 85, 50), width=2)
    colour = rng.choice([(200, 40, 40), (120, 180, 60), (240, 160, 40), (230, 230, 210),
                         (190, 60, 120)])
    for _ in range(40):
        x, y, r = rng.randint(30, 450), rng.randint(30, 330), rng.randint(14, 23)
        shade = tuple(max(0, min(255, c + rng.randint(-30, 30))) for c in colour)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=shade, outline=(60, 40, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


loader = DemoLoader("tani_market", _plan)
