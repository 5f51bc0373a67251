"""Among Kota's demo: Batu's well-known places (from ``places/data/demo_places.geojson``,
coordinates approximate and labelled so), the national holidays of 2026 (demo list), and a
few events the Dinas Pariwisata editor published during the demo week, ten public services
(labelled demo) served at the Mal Pelayanan Publik, a dozen UMKM (labelled demo) applied for
by their owners and verified by the UMKM office — all through the real services (the import
command's code, the editorial workflow, the UMKM application and verification)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from among_kota.agenda.services import EVENTS, clean_event
from among_kota.categories import ensure_categories
from among_kota.content import services as editorial
from among_kota.places.importer import import_places
from among_kota.places.models import Holiday, Place
from among_kota.services.demo_services import DEMO_SERVICES
from among_kota.services.models import PublicService
from among_kota.services.services import SERVICES, clean_service
from among_kota.umkm import services as umkm
from among_kota.umkm.demo_umkm import DEMO_UMKM
from among_kota.umkm.models import UmkmBusiness
from backend.accounts import services as accounts
from backend.accounts.models import Role, Skpd
from backend.clock import WIB
from backend.demo import DemoContext, DemoLoader, DemoStep

DEMO_PLACES = Path(__file__).resolve().parent / "places" / "data" / "demo_places.geojson"
EDITOR_PHONE = "+6281100000009"
EDITOR_SKPD = "dispar"
UMKM_EDITOR_PHONE = "+6281100000010"
UMKM_OWNER_PHONE = "+62811000001{:02d}"

# National holidays of 2026 as announced (demo data: a deployment keeps its own list).
HOLIDAYS_2026: tuple[tuple[str, str, str], ...] = (
    ("2026-01-01", "Tahun Baru Masehi", "New Year's Day"),
    ("2026-02-17", "Tahun Baru Imlek", "Chinese New Year"),
    ("2026-03-19", "Hari Suci Nyepi", "Nyepi"),
    ("2026-03-20", "Idulfitri", "Eid al-Fitr"),
    ("2026-03-21", "Idulfitri", "Eid al-Fitr"),
    ("2026-04-03", "Wafat Yesus Kristus", "Good Friday"),
    ("2026-05-01", "Hari Buruh", "Labour Day"),
    ("2026-05-14", "Kenaikan Yesus Kristus", "Ascension Day"),
    ("2026-05-27", "Iduladha", "Eid al-Adha"),
    ("2026-05-31", "Waisak", "Vesak"),
    ("2026-06-01", "Hari Lahir Pancasila", "Pancasila Day"),
    ("2026-06-16", "Tahun Baru Islam", "Islamic New Year"),
    ("2026-08-17", "Hari Kemerdekaan", "Independence Day"),
    ("2026-08-25", "Maulid Nabi Muhammad", "Prophet's Birthday"),
    ("2026-12-25", "Hari Natal", "Christmas Day"),
)


def kota_demo_people() -> set[str]:
    """Phones of the demo people this loader adds besides the sign-in demo accounts."""
    from backend.demo import DEMO_ACCOUNTS

    phones = {EDITOR_PHONE, UMKM_EDITOR_PHONE}
    phones |= {UMKM_OWNER_PHONE.format(i) for i in range(len(DEMO_UMKM))}
    return phones - {a.phone for a in DEMO_ACCOUNTS}


async def _reference_data() -> None:
    await ensure_categories()
    for code, name in (("dispar", "Dinas Pariwisata"), ("dinkes", "Dinas Kesehatan"),
                       ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
                       ("dpmptsp", "Dinas Penanaman Modal dan PTSP"),
                       ("kesbangpol", "Badan Kesatuan Bangsa dan Politik"),
                       (umkm.UMKM_OFFICE_SKPD, "Dinas Koperasi, Usaha Mikro dan Perdagangan")):
        await Skpd.get_or_create(code=code, defaults={"name": name})
    for day, name_id, name_en in HOLIDAYS_2026:
        await Holiday.get_or_create(day=date.fromisoformat(day),
                                    defaults={"name_id": name_id, "name_en": name_en})


def _wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), WIB)


async def _plan(context: DemoContext) -> list[DemoStep]:
    await _reference_data()
    if await Place.filter(external_id__startswith="demo:").exists():
        return []
    start = context.now - timedelta(days=6)
    today = context.now.astimezone(WIB).date()
    next_sunday = today + timedelta(days=(6 - today.weekday()) % 7 or 7)

    async def places() -> None:
        await import_places(DEMO_PLACES, EDITOR_SKPD)

    async def events() -> None:
        editor = await context.actor("Editor Dinas Pariwisata", EDITOR_PHONE,
                                     (Role.CONTENT_EDITOR,), EDITOR_SKPD)
        principal = await accounts.principal_for(editor)
        alun_alun = await Place.get(external_id="demo:alun-alun")
        museum = await Place.get(external_id="demo:museum-angkut")
        plans = [
            {"title": {"id": "Car Free Day Jalan Panglima Sudirman",
                       "en": "Car Free Day on Jalan Panglima Sudirman"},
             "description": {"id": "Jalan bebas kendaraan setiap Minggu pagi.",
                             "en": "The street is closed to traffic every Sunday morning."},
             "starts_at": _wib(next_sunday, 6), "ends_at": _wib(next_sunday, 9),
             "frequency": "WEEKLY", "lat": -7.8840, "lon": 112.5330,
             "venue_name": "Jl. Panglima Sudirman", "category_code": "sports",
             "organiser": "Dinas Perhubungan"},
            {"title": {"id": "Pentas Seni Alun-alun", "en": "Town Square Arts Night"},
             "starts_at": _wib(next_sunday - timedelta(days=1), 19),
             "ends_at": _wib(next_sunday - timedelta(days=1), 22), "frequency": "MONTHLY",
             "place_id": alun_alun.id, "category_code": "culture",
             "organiser": "Dinas Pariwisata"},
            {"title": {"id": "Malam Museum", "en": "Night at the Museum"},
             "description": {"id": "Tur malam berpemandu.", "en": "A guided night tour."},
             "starts_at": _wib(today + timedelta(days=10), 19),
             "ends_at": _wib(today + timedelta(days=10), 21), "place_id": museum.id,
             "category_code": "tourism", "price_min": 50_000, "price_max": 120_000,
             "organiser": "Museum Angkut"},
        ]
        for plan in plans:
            content = await clean_event(plan, item_id=None)
            event = await editorial.save_draft(EVENTS, principal, None, content)
            await editorial.publish(EVENTS, principal, event.id)

    async def public_services() -> None:
        point = await Place.get(external_id="demo:mpp")
        for skpd_code, data in DEMO_SERVICES:
            content = await clean_service({
                **data, "demo": True, "service_point_ids": [point.id],
                "complaint_channel": {"id": "Aplikasi Among Warga atau loket pengaduan MPP",
                                      "en": "The Among Warga app or the MPP complaints desk"},
            }, item_id=None)
            skpd = await Skpd.get(code=skpd_code)
            service = await editorial.save_draft(SERVICES, None, None, content, owner=skpd)
            await editorial.publish(SERVICES, None, service.id, as_system=True)

    async def businesses() -> None:
        office = await accounts.principal_for(await context.actor(
            "Editor Diskumdag", UMKM_EDITOR_PHONE, (Role.CONTENT_EDITOR,),
            umkm.UMKM_OFFICE_SKPD))
        for i, (owner_name, data) in enumerate(DEMO_UMKM):
            owner = await accounts.principal_for(await context.actor(
                f"{owner_name} (pemilik UMKM demo)", UMKM_OWNER_PHONE.format(i),
                (Role.CITIZEN,), None))
            content = await umkm.clean_business({
                **data, "owner_public_name": owner_name,
                "description": {"id": "Data demo: usaha rekaan untuk peragaan.",
                                "en": "Demo data: an invented business for the demo."},
                "whatsapp": f"0811000002{i:02d}"}, owner_id=owner.user.id)
            business = await umkm.apply(owner, None, content, demo=True)
            await umkm.verify(office, business.id)

    async def summary() -> str:
        count = await Place.filter(external_id__startswith="demo:").count()
        services = await PublicService.filter(demo=True).count()
        businesses = await UmkmBusiness.filter(demo=True).count()
        return (f"Among Kota: {count} well-known places of Batu (approximate locations), "
                f"{services} public services (demo), {businesses} UMKM (demo).")

    context.summaries.append(summary)
    return [DemoStep(start, places, "among_kota.places"),
            DemoStep(start + timedelta(hours=2), events, "among_kota.events"),
            DemoStep(start + timedelta(hours=3), public_services, "among_kota.services"),
            DemoStep(start + timedelta(hours=4), businesses, "among_kota.umkm")]


loader = DemoLoader("among_kota", _plan)
