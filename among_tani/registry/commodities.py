"""Kota Batu's commodities as data, and the unit arithmetic every price and quantity uses.

A commodity may be sold or recorded in some units only (``Commodity.units``); each unit has a
factor to the commodity's base unit (kg, liter, or the stem for cut flowers) or none when it
has no fixed size (an *ikat* of leek). Prices compare per base unit: Rp 900,000 a kuintal of
potatoes is Rp 9,000/kg beside a reference price per kg.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from among_tani.audience import record
from among_tani.registry.events import RegistryEvent
from among_tani.registry.models import Commodity, CommodityGroup, Unit
from backend.events import unit_of_work

G = CommodityGroup
U = Unit
_WEIGHT = ((U.KG, "1"), (U.KUINTAL, "100"), (U.TON, "1000"))


@dataclass(frozen=True)
class CommoditySeed:
    code: str
    name_id: str
    name_en: str
    group: CommodityGroup
    base_unit: Unit
    units: tuple[tuple[Unit, str | None], ...]
    synonyms: str = ""


BATU_COMMODITIES: tuple[CommoditySeed, ...] = (
    CommoditySeed("apel_manalagi", "Apel Manalagi", "Manalagi apple", G.FRUIT, U.KG,
                  (*_WEIGHT, (U.BUAH, None)), "apel malang"),
    CommoditySeed("apel_anna", "Apel Anna", "Anna apple", G.FRUIT, U.KG,
                  (*_WEIGHT, (U.BUAH, None)), "apel malang"),
    CommoditySeed("apel_rome_beauty", "Apel Rome Beauty", "Rome Beauty apple", G.FRUIT, U.KG,
                  (*_WEIGHT, (U.BUAH, None)), "apel malang romebeauty"),
    CommoditySeed("jeruk_keprok_batu55", "Jeruk Keprok Batu 55", "Batu 55 mandarin orange",
                  G.FRUIT, U.KG, _WEIGHT, "jeruk batu citrus tangerine"),
    CommoditySeed("kentang", "Kentang", "Potato", G.VEGETABLE, U.KG, _WEIGHT, "granola"),
    CommoditySeed("wortel", "Wortel", "Carrot", G.VEGETABLE, U.KG, _WEIGHT),
    CommoditySeed("kubis", "Kubis", "Cabbage", G.VEGETABLE, U.KG,
                  (*_WEIGHT, (U.BUAH, None)), "kol"),
    CommoditySeed("sawi", "Sawi", "Mustard greens", G.VEGETABLE, U.KG,
                  (*_WEIGHT, (U.IKAT, None)), "sawi hijau caisim pakcoy"),
    CommoditySeed("brokoli", "Brokoli", "Broccoli", G.VEGETABLE, U.KG, _WEIGHT),
    CommoditySeed("tomat", "Tomat", "Tomato", G.VEGETABLE, U.KG, _WEIGHT),
    CommoditySeed("cabai", "Cabai", "Chili", G.VEGETABLE, U.KG, _WEIGHT,
                  "cabe rawit lombok chilli"),
    CommoditySeed("bawang_prei", "Bawang Prei", "Leek", G.VEGETABLE, U.KG,
                  (*_WEIGHT, (U.IKAT, None)), "daun bawang"),
    CommoditySeed("stroberi", "Stroberi", "Strawberry", G.FRUIT, U.KG, _WEIGHT, "strawberi"),
    CommoditySeed("mawar", "Mawar", "Rose", G.FLOWER, U.TANGKAI,
                  ((U.TANGKAI, "1"), (U.IKAT, None)), "bunga potong"),
    CommoditySeed("krisan", "Krisan", "Chrysanthemum", G.FLOWER, U.TANGKAI,
                  ((U.TANGKAI, "1"), (U.IKAT, None)), "seruni bunga potong"),
    CommoditySeed("anyelir", "Anyelir", "Carnation", G.FLOWER, U.TANGKAI,
                  ((U.TANGKAI, "1"), (U.IKAT, None)), "bunga potong"),
    CommoditySeed("kopi_arabika", "Kopi Arabika", "Arabica coffee", G.PLANTATION, U.KG,
                  _WEIGHT, "kopi coffee"),
    CommoditySeed("alpukat", "Alpukat", "Avocado", G.FRUIT, U.KG,
                  (*_WEIGHT, (U.BUAH, None)), "avokad"),
    CommoditySeed("susu_segar", "Susu Segar", "Fresh milk", G.DAIRY, U.LITER,
                  ((U.LITER, "1"),), "susu sapi perah"),
)


def units_data(units: tuple[tuple[Unit, str | None], ...]) -> list[dict[str, str | None]]:
    return [{"unit": unit.value, "factor": factor} for unit, factor in units]


async def seed_commodities() -> int:
    """Add Batu's commodities that are missing (by code); an existing row is left as the
    admins edited it. Returns how many were added."""
    existing = set(await Commodity.all().values_list("code", flat=True))
    added = 0
    async with unit_of_work():
        for position, seed in enumerate(BATU_COMMODITIES):
            if seed.code in existing:
                continue
            await Commodity.create(
                code=seed.code, name_id=seed.name_id, name_en=seed.name_en, group=seed.group,
                base_unit=seed.base_unit, units=units_data(seed.units), synonyms=seed.synonyms,
                sort_order=position,
            )
            added += 1
        if added:  # the public list of commodities changed (its read cache hears it)
            await record(RegistryEvent.COMMODITIES_SEEDED, subject_type="tani_commodity",
                         subject_id=0, audience=["public"], payload={"added": added})
    return added


def allowed_units(commodity: Commodity) -> list[Unit]:
    return [Unit(item["unit"]) for item in commodity.units or []]


def unit_factor(commodity: Commodity, unit: Unit) -> Decimal | None:
    """The unit's factor to the base unit; ``None`` when it has none. Raises ``KeyError``
    when the commodity does not allow the unit (services check with :func:`allows`)."""
    for item in commodity.units or []:
        if item["unit"] == unit.value:
            return Decimal(item["factor"]) if item.get("factor") else None
    raise KeyError(unit.value)


def allows(commodity: Commodity, unit: Unit) -> bool:
    return any(item["unit"] == unit.value for item in commodity.units or [])


def to_base_quantity(commodity: Commodity, quantity: Decimal, unit: Unit) -> Decimal | None:
    """``quantity`` in the base unit (2.5 kuintal → 250 kg), or ``None`` when the unit has no
    factor."""
    factor = unit_factor(commodity, unit)
    return None if factor is None else quantity * factor


def price_per_base_unit(commodity: Commodity, price: int, unit: Unit) -> Decimal | None:
    """A price per ``unit`` as a price per base unit (Rp 900,000/kuintal → 9,000/kg), or
    ``None`` when the unit has no factor."""
    factor = unit_factor(commodity, unit)
    return None if factor is None or factor == 0 else Decimal(price) / factor
