"""The default complaint categories of Among Warga (the BATT paper's twelve plus Lainnya),
with service targets. Data, not code: admins edit them through the API."""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 60
DAY = 24 * HOUR


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name_id: str
    name_en: str
    description_id: str
    description_en: str
    icon: str
    triage: int  # minutes until the command center has verified (or rejected) it
    response: int  # minutes until the agency has accepted it after dispatch
    resolution: int  # minutes until the agency reports it resolved after accepting
    sensitive_location: bool = False


# Targets: the command center triages within 6 h (Jakarta's CRM passes reports on within 6 h),
# emergencies within minutes; agencies respond within 5 working days at most (LAPOR!), and
# crop problems are answered within 3×24 h (Dinas Pertanian's promise).
DEFAULT_CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed("jalan_rusak", "Jalan Rusak", "Damaged road",
                 "Jalan berlubang, retak atau amblas.", "Potholes, cracks or subsidence.",
                 "road", 6 * HOUR, 2 * DAY, 14 * DAY),
    CategorySeed("kebakaran", "Kebakaran", "Fire",
                 "Kebakaran rumah, lahan atau kendaraan. Darurat: telepon juga 113.",
                 "House, land or vehicle fire. Emergency: also call 113.",
                 "fire", 10, 30, 1 * DAY),
    CategorySeed("longsor", "Longsor", "Landslide",
                 "Tanah longsor atau tebing rawan.", "Landslide or unstable slope.",
                 "landslide", 30, 3 * HOUR, 3 * DAY),
    CategorySeed("pohon_tumbang", "Pohon Tumbang", "Fallen tree",
                 "Pohon tumbang atau dahan rawan patah.", "Fallen tree or branch about to fall.",
                 "tree", 1 * HOUR, 6 * HOUR, 2 * DAY),
    CategorySeed("kemacetan", "Kemacetan", "Traffic jam",
                 "Kemacetan lalu lintas.", "Traffic congestion.",
                 "traffic", 1 * HOUR, 3 * HOUR, 1 * DAY),
    CategorySeed("lampu_lalu_lintas", "Lampu Lalu Lintas", "Traffic lights",
                 "Lampu lalu lintas mati atau rusak.", "Traffic lights out or broken.",
                 "traffic_light", 2 * HOUR, 12 * HOUR, 3 * DAY),
    CategorySeed("pju", "PJU (Penerangan Jalan Umum)", "Street lighting",
                 "Lampu penerangan jalan mati.", "Street light out.",
                 "street_light", 6 * HOUR, 2 * DAY, 7 * DAY),
    CategorySeed("sampah", "Sampah", "Garbage",
                 "Sampah menumpuk atau dibuang sembarangan.", "Uncollected or dumped garbage.",
                 "trash", 6 * HOUR, 1 * DAY, 3 * DAY),
    CategorySeed("iklan_liar", "Iklan Liar", "Illegal ads",
                 "Baliho, spanduk atau reklame tanpa izin.", "Unlicensed billboards or banners.",
                 "billboard", 6 * HOUR, 3 * DAY, 14 * DAY),
    CategorySeed("pkl_liar", "PKL Liar", "Illegal street vendors",
                 "Pedagang kaki lima di tempat terlarang.", "Street vendors where not allowed.",
                 "vendor", 6 * HOUR, 2 * DAY, 7 * DAY),
    CategorySeed("narkoba", "Narkoba", "Drugs",
                 "Dugaan peredaran narkoba. Lokasi tidak ditampilkan tepat di peta publik.",
                 "Suspected drug activity. The public map never shows the exact spot.",
                 "shield", 2 * HOUR, 1 * DAY, 14 * DAY, sensitive_location=True),
    CategorySeed("pertanian", "Pertanian", "Agriculture",
                 "Hama, penyakit tanaman, irigasi, pupuk.", "Pests, crop disease, irrigation.",
                 "leaf", 6 * HOUR, 1 * DAY, 3 * DAY),
    CategorySeed("lainnya", "Lainnya", "Other",
                 "Masalah lain; Command Center menentukan SKPD yang menangani.",
                 "Anything else; the command center decides which agency handles it.",
                 "more", 6 * HOUR, 2 * DAY, 14 * DAY),
)


async def seed_categories() -> int:
    from among_warga.models import ComplaintCategory

    created = 0
    for order, seed in enumerate(DEFAULT_CATEGORIES):
        _, was_created = await ComplaintCategory.get_or_create(
            code=seed.code,
            defaults={
                "name_id": seed.name_id, "name_en": seed.name_en,
                "description_id": seed.description_id, "description_en": seed.description_en,
                "icon": seed.icon, "triage_minutes": seed.triage,
                "response_minutes": seed.response, "resolution_minutes": seed.resolution,
                "sensitive_location": seed.sensitive_location, "sort_order": order,
            },
        )
        created += was_created
    return created
