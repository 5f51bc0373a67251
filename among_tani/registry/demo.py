"""Among Tani's people in the demo: the commodity catalogue, the demo extension officers and
the villages they serve, and verified farmers and buyers — each applying and reviewed
through the real services a month before the demo week, so the market's loader finds them."""

from __future__ import annotations

from datetime import timedelta

from among_tani.registry import services
from among_tani.registry.commodities import seed_commodities
from among_tani.registry.models import BuyerType, FarmerProfile
from backend.accounts.models import Role
from backend.accounts.services import principal_for
from backend.demo import DemoContext, DemoLoader, DemoStep

ADMIN_PHONE = "+6281100000001"
PPL_PHONE = "+6281100000008"  # "PPL Dinas Pertanian", a demo account
FARMER_PHONE = "+6281100000006"  # "Pak Tani Bumiaji"
BUYER_PHONE = "+6281100000007"  # "Toko Buah Batu"
SHARED = "tani_registry.farmers"  # DemoContext.shared: phone → village code, for the market

PPL_VILLAGES = {
    PPL_PHONE: ("bumiaji-tulungrejo", "bumiaji-punten", "bumiaji-sumber-brantas",
                "bumiaji-bulukerto", "bumiaji-gunungsari", "bumiaji-bumiaji"),
    "+628110002001": ("batu-sidomulyo", "batu-pesanggrahan", "batu-oro-oro-ombo",
                      "batu-sumberejo", "junrejo-tlekung", "junrejo-torongrejo"),
}
PPL_NAMES = {"+628110002001": "Bu Endah (PPL Batu)"}

# (phone, name, village, kelompok tani, main commodities)
FARMERS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (FARMER_PHONE, "Pak Tani Bumiaji", "bumiaji-tulungrejo", "Poktan Makmur Tulungrejo",
     ("apel_manalagi", "apel_anna")),
    ("+628110002101", "Pak Sutrisno", "bumiaji-sumber-brantas", "Poktan Brantas Lestari",
     ("kentang", "wortel", "kubis")),
    ("+628110002102", "Bu Sumarni", "batu-sidomulyo", "Poktan Bunga Mekar",
     ("krisan", "mawar", "anyelir")),
    ("+628110002103", "Pak Hadi", "bumiaji-punten", "Poktan Jeruk Punten",
     ("jeruk_keprok_batu55", "apel_rome_beauty")),
    ("+628110002104", "Pak Wiyono", "bumiaji-bumiaji", "Poktan Sayur Bumiaji",
     ("brokoli", "sawi", "bawang_prei", "tomat", "cabai")),
    ("+628110002105", "Bu Lestari", "batu-pesanggrahan", "Poktan Stroberi Pesanggrahan",
     ("stroberi",)),
    ("+628110002106", "Pak Darmaji", "junrejo-tlekung", "Kelompok Ternak Tlekung",
     ("susu_segar", "alpukat", "kopi_arabika")),
)
BUYERS: tuple[tuple[str, str, BuyerType], ...] = (
    (BUYER_PHONE, "Toko Buah Batu", BuyerType.RETAILER),
    ("+628110002201", "Hotel Purnama Batu", BuyerType.RESTAURANT_HOTEL),
    ("+628110002202", "Keluarga Wibowo", BuyerType.HOUSEHOLD),
)


async def _plan(context: DemoContext) -> list[DemoStep]:
    context.shared[SHARED] = {phone: village for phone, _, village, _, _ in FARMERS}
    demo_farmer = await context.user(FARMER_PHONE)
    if await FarmerProfile.exists(user_id=demo_farmer.id):
        return []
    start = context.now - timedelta(days=40)

    async def catalogue() -> None:
        await seed_commodities()

    async def officers() -> None:
        admin = await principal_for(await context.user(ADMIN_PHONE))
        for phone, villages in PPL_VILLAGES.items():
            if phone in PPL_NAMES:
                await context.actor(PPL_NAMES[phone], phone, (Role.EXTENSION_OFFICER,))
            officer = await context.user(phone)
            await services.assign_extension_officer(admin, officer.id, list(villages))

    async def apply() -> None:
        for phone, name, village, group, commodities in FARMERS:
            await context.actor(name, phone, (Role.CITIZEN,))
            person = await principal_for(await context.user(phone))
            await services.apply_as_farmer(person, services.FarmerApplicationInput(
                village_code=village, farmer_group=group, commodity_codes=list(commodities)))
        for phone, name, kind in BUYERS:
            await context.actor(name, phone, (Role.CITIZEN,))
            person = await principal_for(await context.user(phone))
            await services.apply_as_buyer(person, buyer_type=kind, business_name=name)

    async def review() -> None:
        from among_tani.registry.models import Application, ApplicationStatus

        admin = await principal_for(await context.user(ADMIN_PHONE))
        reviewers = {v: p for p, villages in PPL_VILLAGES.items() for v in villages}
        for phone, _, village, _, _ in FARMERS:
            user = await context.user(phone)
            officer = await principal_for(await context.user(reviewers[village]))
            application = await Application.get(user_id=user.id, kind="farmer",
                                                status=ApplicationStatus.PENDING)
            await services.review_application(officer, application.id, approve=True)
        for phone, _, _ in BUYERS:
            user = await context.user(phone)
            application = await Application.get(user_id=user.id, kind="buyer",
                                                status=ApplicationStatus.PENDING)
            await services.review_application(admin, application.id, approve=True)

    async def summary() -> str:
        return (f"Among Tani: {len(FARMERS)} verified farmers, {len(BUYERS)} buyers, "
                f"{len(PPL_VILLAGES)} extension officers covering "
                f"{sum(len(v) for v in PPL_VILLAGES.values())} villages.")

    context.summaries.append(summary)
    # The catalogue long before: other loaders' history (reference prices) refers to it.
    return [DemoStep(context.now - timedelta(days=120), catalogue, "commodity catalogue"),
            DemoStep(start, officers, "PPL assigned to villages"),
            DemoStep(start + timedelta(days=1), apply, "farmers and buyers apply"),
            DemoStep(start + timedelta(days=2), review, "applications reviewed")]


def tani_demo_people() -> set[str]:
    """Phones of the demo people this loader adds besides the sign-in demo accounts."""
    from backend.demo import DEMO_ACCOUNTS

    accounts = {a.phone for a in DEMO_ACCOUNTS}
    phones = {p for p, *_ in FARMERS} | {p for p, *_ in BUYERS} | set(PPL_VILLAGES)
    return phones - accounts


loader = DemoLoader("tani_registry", _plan)
