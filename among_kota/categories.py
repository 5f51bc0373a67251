"""The categories every deployment starts with (data: editors' admins may add more)."""

from __future__ import annotations

# (code, Indonesian, English, group, icon)
PLACE_CATEGORIES: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("tourism", "Wisata", "Tourism", None, "attractions"),
    ("culinary", "Kuliner", "Food and drink", None, "restaurant"),
    ("lodging", "Penginapan", "Lodging", None, "hotel"),
    ("health", "Kesehatan", "Health", None, "local_hospital"),
    ("hospital", "Rumah sakit", "Hospital", "health", "local_hospital"),
    ("puskesmas", "Puskesmas", "Community health centre (puskesmas)", "health", "medical_services"),
    ("pharmacy", "Apotek", "Pharmacy", "health", "local_pharmacy"),
    ("worship", "Tempat ibadah", "Place of worship", None, "place_of_worship"),
    ("education", "Pendidikan", "Education", None, "school"),
    ("government_office", "Kantor pemerintahan", "Government office", None, "account_balance"),
    ("market", "Pasar", "Market", None, "storefront"),
    ("transport", "Transportasi", "Transport", None, "directions_bus"),
    ("parking", "Parkir", "Parking", None, "local_parking"),
    ("public_toilet", "Toilet umum", "Public toilet", None, "wc"),
    ("fuel", "SPBU", "Fuel station", None, "local_gas_station"),
    ("atm", "ATM", "ATM", None, "atm"),
)

# (code, Indonesian, English)
EVENT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("culture", "Seni dan budaya", "Arts and culture"),
    ("music", "Musik", "Music"),
    ("sports", "Olahraga", "Sports"),
    ("market", "Pasar dan bazar", "Markets and bazaars"),
    ("agriculture", "Pertanian", "Agriculture"),
    ("religious", "Keagamaan", "Religious"),
    ("community", "Kegiatan warga", "Community"),
    ("government", "Layanan pemerintah", "Government services"),
    ("tourism", "Wisata", "Tourism"),
)

# (code, Indonesian, English): the UMKM directory's categories.
UMKM_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("culinary", "Kuliner", "Food and drink"),
    ("crafts", "Kerajinan", "Crafts"),
    ("fashion", "Fesyen", "Fashion"),
    ("souvenirs", "Oleh-oleh", "Souvenirs (oleh-oleh)"),
    ("agro_processing", "Olahan hasil tani", "Agro-processing"),
)


async def seed_umkm_categories(schema_editor) -> None:  # type: ignore[no-untyped-def]
    postgres = schema_editor.DIALECT == "postgres"
    marks = ", ".join(f"${i}" if postgres else "?" for i in range(1, 5))
    for order, (code, name_id, name_en) in enumerate(UMKM_CATEGORIES):
        await schema_editor.client.execute_query(
            "INSERT INTO kota_umkm_category (code, name_id, name_en, sort_order) "
            f"VALUES ({marks}) ON CONFLICT (code) DO NOTHING", [code, name_id, name_en, order])


async def seed_categories(schema_editor) -> None:  # type: ignore[no-untyped-def]
    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"

    def marks(n: int) -> str:
        return ", ".join(f"${i}" if postgres else "?" for i in range(1, n + 1))

    for order, (code, name_id, name_en, group, icon) in enumerate(PLACE_CATEGORIES):
        await client.execute_query(
            "INSERT INTO kota_place_category (code, name_id, name_en, group_code, icon, "
            f"sort_order) VALUES ({marks(6)}) ON CONFLICT (code) DO NOTHING",
            [code, name_id, name_en, group, icon, order])


async def ensure_categories() -> None:
    """The default categories, where missing (demo data and tests; a new database gets them
    from the migrations)."""
    from among_kota.agenda.models import EventCategory
    from among_kota.places.models import PlaceCategory
    from among_kota.umkm.models import UmkmCategory

    for order, (code, name_id, name_en, group, icon) in enumerate(PLACE_CATEGORIES):
        await PlaceCategory.get_or_create(code=code, defaults={
            "name_id": name_id, "name_en": name_en, "group_code": group, "icon": icon,
            "sort_order": order})
    for order, (code, name_id, name_en) in enumerate(EVENT_CATEGORIES):
        await EventCategory.get_or_create(code=code, defaults={
            "name_id": name_id, "name_en": name_en, "sort_order": order})
    for order, (code, name_id, name_en) in enumerate(UMKM_CATEGORIES):
        await UmkmCategory.get_or_create(code=code, defaults={
            "name_id": name_id, "name_en": name_en, "sort_order": order})
