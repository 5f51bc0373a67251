"""The plan of the demo week: which residents report what, where and when, and what happens to
each case afterwards. Data only — the steps that carry it out through the services are in
among_warga/demo.py (reports, support, confirmations), command_center/demo.py (triage) and
responder/demo.py (the agencies' work). The choices are random but the same on every load.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from shapely.geometry import Point, shape
from shapely.prepared import prep

from among_warga.categories import DEFAULT_CATEGORIES
from among_warga.models import ComplaintStatus, Visibility
from backend.geo.services import DATA_DIR

S = ComplaintStatus
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Demo complaints are told apart by their clientRequestId (and their reporters: demo accounts).
KEY_PREFIX = "demo-week-"


@dataclass(frozen=True)
class Village:
    streets: tuple[str, ...]
    places: tuple[str, ...]


# Approximate, for plausible texts: streets and landmarks of each desa/kelurahan.
VILLAGES: dict[str, Village] = {
    "batu-sisir": Village(("Jl. Diponegoro", "Jl. Kartini", "Jl. Gajah Mada", "Jl. Kartika"),
                          ("Alun-alun Kota Batu", "Pasar Besar Batu", "Masjid An-Nur",
                           "Jatim Park 1")),
    "batu-ngaglik": Village(("Jl. Sultan Agung", "Jl. Agus Salim", "Jl. Abdul Gani Atas",
                             "Jl. Terusan Sultan Agung"),
                            ("Museum Angkut", "Kusuma Agrowisata", "SMPN 1 Batu")),
    "batu-temas": Village(("Jl. Brantas", "Jl. Dewi Sartika", "Jl. Wukir"),
                          ("Terminal Batu", "Stadion Gelora Brantas", "Pasar Temas")),
    "batu-songgokerto": Village(("Jl. Trunojoyo", "Jl. Arumdalu", "Jl. Raya Songgoriti"),
                                ("Pemandian Songgoriti", "Pasar Wisata Songgoriti")),
    "batu-oro-oro-ombo": Village(("Jl. Raya Oro-Oro Ombo", "Jl. Kapten Ibnu",
                                  "Jl. Hayam Wuruk"),
                                 ("Jatim Park 2", "Batu Night Spectacular", "Eco Green Park")),
    "batu-pesanggrahan": Village(("Jl. Panglima Sudirman", "Jl. Samadi", "Jl. Raya Pesanggrahan"),
                                 ("Balai Kota Among Tani", "Gunung Panderman",
                                  "SD Pesanggrahan 1")),
    "batu-sidomulyo": Village(("Jl. Bukit Berbunga", "Jl. Raya Sidomulyo"),
                              ("sentra bunga Sidomulyo", "Pasar Bunga Sidomulyo")),
    "batu-sumberejo": Village(("Jl. Raya Sumberejo", "Jl. Mawar", "Jl. Melati"),
                              ("balai desa Sumberejo", "Desa Wisata Sumberejo")),
    "bumiaji-bulukerto": Village(("Jl. Raya Bulukerto", "Jl. Sumber Gemulo"),
                                 ("kebun apel Bulukerto", "mata air Gemulo")),
    "bumiaji-bumiaji": Village(("Jl. Raya Bumiaji", "Jl. Kopral Kasdi"),
                               ("Kantor Kecamatan Bumiaji", "Puskesmas Bumiaji")),
    "bumiaji-giripurno": Village(("Jl. Raya Giripurno", "Jl. Dusun Kekep"),
                                 ("ladang sayur Giripurno", "balai desa Giripurno")),
    "bumiaji-gunungsari": Village(("Jl. Raya Gunungsari", "Jl. Paralayang"),
                                  ("Paralayang Gunung Banyak", "Omah Kayu")),
    "bumiaji-pandanrejo": Village(("Jl. Raya Pandanrejo", "Jl. Dusun Ngujung"),
                                  ("petik jeruk Pandanrejo", "balai desa Pandanrejo")),
    "bumiaji-punten": Village(("Jl. Raya Punten", "Jl. Raya Selecta"),
                              ("petik apel Punten", "SDN Punten 1")),
    "bumiaji-sumber-brantas": Village(("Jl. Raya Sumber Brantas", "Jl. Raya Cangar"),
                                      ("pemandian air panas Cangar", "Arboretum Sumber Brantas")),
    "bumiaji-sumbergondo": Village(("Jl. Raya Sumbergondo", "Jl. Dusun Glonggong"),
                                   ("balai desa Sumbergondo", "kebun apel Sumbergondo")),
    "bumiaji-tulungrejo": Village(("Jl. Raya Selecta", "Jl. Raya Tulungrejo"),
                                  ("Taman Rekreasi Selecta", "Coban Talun")),
    "junrejo-dadaprejo": Village(("Jl. Raya Dadaprejo", "Jl. Ir. Soekarno"),
                                 ("perbatasan Kota Malang", "Pasar Dadaprejo")),
    "junrejo-beji": Village(("Jl. Ir. Soekarno", "Jl. Raya Beji"),
                            ("Jatim Park 3", "Museum Musik Dunia")),
    "junrejo-junrejo": Village(("Jl. Raya Junrejo", "Jl. Hasanudin"),
                               ("Kantor Kecamatan Junrejo", "Lapangan Junrejo")),
    "junrejo-mojorejo": Village(("Jl. Raya Mojorejo", "Jl. Dusun Krajan"),
                                ("balai desa Mojorejo", "Pasar Mojorejo")),
    "junrejo-pendem": Village(("Jl. Raya Pendem", "Jl. Dusun Sumbersari"),
                              ("sawah Pendem", "SDN Pendem 2")),
    "junrejo-tlekung": Village(("Jl. Raya Tlekung", "Jl. Dusun Gangsiran"),
                               ("TPA Tlekung", "balai desa Tlekung")),
    "junrejo-torongrejo": Village(("Jl. Raya Torongrejo", "Jl. Dusun Jeding"),
                                  ("persawahan Torongrejo", "balai desa Torongrejo")),
}
TOWN = ("batu-sisir", "batu-ngaglik", "batu-temas", "batu-pesanggrahan", "batu-sidomulyo",
        "batu-sumberejo", "batu-oro-oro-ombo", "batu-songgokerto", "junrejo-beji",
        "junrejo-dadaprejo")
HILLS = ("bumiaji-sumber-brantas", "bumiaji-tulungrejo", "bumiaji-gunungsari",
         "batu-songgokerto", "bumiaji-sumbergondo", "bumiaji-giripurno", "batu-oro-oro-ombo")
FARMS = ("bumiaji-tulungrejo", "bumiaji-sumber-brantas", "bumiaji-punten", "bumiaji-bulukerto",
         "bumiaji-giripurno", "bumiaji-pandanrejo", "batu-sidomulyo", "junrejo-tlekung",
         "junrejo-pendem", "junrejo-torongrejo", "bumiaji-sumbergondo")
TOURIST_ROADS = ("bumiaji-punten", "bumiaji-tulungrejo", "batu-oro-oro-ombo", "batu-ngaglik",
                 "batu-sisir", "junrejo-beji", "batu-songgokerto")
EVERYWHERE = tuple(VILLAGES)

# How many of the week's reports are of each category, and where they tend to come from.
CATEGORY_PLAN: dict[str, tuple[int, tuple[str, ...]]] = {
    "jalan_rusak": (13, EVERYWHERE),
    "sampah": (12, EVERYWHERE),
    "pju": (8, EVERYWHERE),
    "pohon_tumbang": (6, EVERYWHERE),
    "kemacetan": (6, TOURIST_ROADS),
    "pertanian": (6, FARMS),
    "longsor": (5, HILLS),
    "pkl_liar": (4, TOWN),
    "lampu_lalu_lintas": (4, TOWN),
    "iklan_liar": (4, TOWN),
    "kebakaran": (3, EVERYWHERE),
    "narkoba": (3, TOWN),
    "lainnya": (4, EVERYWHERE),
}


@dataclass(frozen=True)
class Report:
    text: str
    # For Lainnya: the agency the command center picks. For Pohon Tumbang: whether the tree
    # blocks the road (then BPBD joins DLH, as the routing table's note says).
    skpd: str | None = None
    blocks_road: bool = False


DESCRIPTIONS: dict[str, tuple[Report, ...]] = {
    "jalan_rusak": (
        Report("Jalan berlubang cukup dalam di {jalan}, dekat {tempat}. Kalau hujan lubangnya "
               "tertutup air, kemarin ada pengendara motor yang jatuh."),
        Report("Aspal di {jalan} mengelupas sepanjang kurang lebih 50 meter. Mohon segera "
               "diperbaiki sebelum musim hujan makin parah."),
        Report("Ada lubang besar di tengah {jalan} depan {tempat}. Warga sudah menaruh ban "
               "bekas sebagai tanda, tapi malam hari tidak terlihat."),
        Report("Jalan amblas di tepi {jalan}, bahu jalan retak dan mulai turun. Truk "
               "pengangkut sayur sering lewat sini."),
        Report("Tambalan jalan di {jalan} sudah lepas lagi, sekarang lubangnya lebih lebar. "
               "Mohon diperbaiki permanen."),
    ),
    "sampah": (
        Report("Sampah menumpuk di pinggir {jalan} dekat {tempat} sudah tiga hari belum "
               "diangkut, baunya menyengat dan dikerubungi lalat."),
        Report("Ada pembuangan sampah liar di lahan kosong {jalan}. Tiap malam ada yang buang "
               "sampah rumah tangga dari mobil bak terbuka."),
        Report("TPS di dekat {tempat} penuh dan meluber ke jalan. Mohon jadwal pengangkutan "
               "ditambah, apalagi akhir pekan banyak wisatawan."),
        Report("Sampah plastik menyumbat saluran air di {jalan}, kalau hujan air meluap ke "
               "jalan."),
        Report("Tong sampah di {tempat} rusak dan sampahnya berserakan dibongkar anjing liar."),
    ),
    "pohon_tumbang": (
        Report("Pohon besar tumbang melintang di {jalan} setelah hujan angin sore ini, jalan "
               "tertutup total. Mohon segera dievakuasi.", blocks_road=True),
        Report("Dahan pohon mahoni di {jalan} dekat {tempat} patah dan menggantung di atas "
               "kabel listrik, berbahaya bagi pengendara."),
        Report("Pohon tumbang menimpa pagar rumah warga di {jalan}. Sebagian batang masih "
               "menghalangi separuh jalan.", blocks_road=True),
        Report("Pohon tua di depan {tempat} miring dan akarnya sudah terangkat, khawatir roboh "
               "saat hujan deras."),
    ),
    "pju": (
        Report("Lampu PJU di {jalan} mati sudah seminggu, jalan gelap gulita dan rawan "
               "kejahatan."),
        Report("Tiga lampu jalan berturut-turut di {jalan} dekat {tempat} padam sejak hujan "
               "deras kemarin."),
        Report("Lampu penerangan jalan di {jalan} berkedip-kedip lalu mati, tiangnya juga "
               "agak miring."),
        Report("Jalan menuju {tempat} gelap karena PJU tidak menyala, banyak wisatawan lewat "
               "malam hari."),
    ),
    "lampu_lalu_lintas": (
        Report("Lampu lalu lintas di simpang {jalan} mati sejak pagi, kendaraan saling "
               "serobot."),
        Report("Lampu lalu lintas di perempatan dekat {tempat} hanya menyala kuning berkedip, "
               "padahal sedang jam sibuk."),
        Report("Lampu merah di {jalan} menyala hijau bersamaan dari dua arah, hampir terjadi "
               "tabrakan."),
    ),
    "kemacetan": (
        Report("Macet total di {jalan} arah {tempat}, antrean kendaraan wisata lebih dari 2 km "
               "dan tidak ada petugas."),
        Report("Parkir liar bus pariwisata di bahu {jalan} dekat {tempat} membuat jalan "
               "menyempit dan macet."),
        Report("Setiap sore di {jalan} depan {tempat} macet parah karena kendaraan putar "
               "balik sembarangan."),
    ),
    "longsor": (
        Report("Tebing di tepi {jalan} longsor, material tanah dan batu menutup sebagian badan "
               "jalan."),
        Report("Tanah di belakang rumah warga di {jalan} retak memanjang setelah hujan deras, "
               "khawatir longsor susulan."),
        Report("Longsor kecil di {jalan} dekat {tempat}, ada pohon ikut terseret. Kendaraan "
               "hanya bisa lewat satu lajur."),
    ),
    "kebakaran": (
        Report("Kebakaran lahan kering di dekat {tempat}, asap tebal dan api mulai mendekati "
               "rumah warga."),
        Report("Ada rumah terbakar di {jalan}, warga sudah berusaha memadamkan dengan ember. "
               "Mohon segera kirim damkar!"),
        Report("Api dari pembakaran sampah merambat ke kebun warga di {jalan}."),
    ),
    "iklan_liar": (
        Report("Banyak spanduk dan baliho tanpa izin dipaku di pohon sepanjang {jalan}."),
        Report("Reklame liar menutupi rambu lalu lintas di simpang {jalan}, pengendara tidak "
               "bisa melihat rambu."),
        Report("Stiker sedot WC dan kredit motor ditempel di tiang listrik dan halte dekat "
               "{tempat}."),
    ),
    "pkl_liar": (
        Report("PKL berjualan di trotoar {jalan} dekat {tempat}, pejalan kaki terpaksa turun "
               "ke jalan."),
        Report("Lapak pedagang kaki lima memakan badan jalan di {jalan} setiap malam minggu, "
               "arus kendaraan tersendat."),
        Report("Gerobak PKL ditinggal permanen di trotoar depan {tempat}."),
    ),
    "narkoba": (
        Report("Sering ada sekelompok orang tak dikenal berkumpul larut malam di gang dekat "
               "{jalan}, diduga transaksi narkoba."),
        Report("Ada dugaan rumah kos di sekitar {jalan} dipakai pesta obat-obatan terlarang. "
               "Mohon identitas pelapor dirahasiakan."),
        Report("Ditemukan bungkus plastik klip dan jarum suntik di taman dekat {tempat}."),
    ),
    "pertanian": (
        Report("Tanaman kentang di lahan kami di {desa} banyak yang layu dan daunnya "
               "menghitam, diduga busuk daun. Mohon pendampingan PPL."),
        Report("Serangan hama ulat grayak di kebun kubis {desa}, sudah disemprot tapi belum "
               "berhasil."),
        Report("Pohon apel di kebun {desa} terserang penyakit, buahnya busuk sebelum panen."),
        Report("Saluran irigasi ke sawah di {desa} tersumbat, air tidak sampai ke petak "
               "bawah."),
        Report("Harga pupuk bersubsidi di kios dekat {tempat} di atas HET dan stok sering "
               "kosong."),
    ),
    "lainnya": (
        Report("Saluran drainase di {jalan} mampet dan airnya meluap ke rumah warga saat "
               "hujan.", skpd="dpupr"),
        Report("Trotoar di {jalan} dekat {tempat} banyak yang pecah dan berlubang, berbahaya "
               "bagi lansia.", skpd="dpupr"),
        Report("Anjing liar berkeliaran dan menggonggongi anak sekolah di sekitar {tempat}.",
               skpd="distan"),
        Report("Toilet umum di {tempat} rusak dan tidak terawat, airnya tidak mengalir.",
               skpd="dlh"),
    ),
}

# Residents who report during the week (demo actors, no password), plus two sign-in demo
# accounts so that signing in as them shows a history: the resident and the farmer.
REPORTERS: tuple[str, ...] = (
    "Budi Santoso", "Sri Wahyuni", "Agus Prasetyo", "Dewi Lestari", "Eko Susilo",
    "Rina Kartika", "Wahyu Hidayat", "Nur Aini", "Bambang Sutrisno", "Lilik Suryani",
    "Hendra Kurniawan", "Yuli Astuti", "Fitri Handayani", "Dwi Cahyono", "Endang Purwati",
    "Teguh Santoso", "Ani Rahmawati", "Muhammad Rizky", "Putri Ayu Lestari", "Imam Syafii",
    "Suparmi", "Andi Firmansyah", "Retno Wulandari", "Sugeng Riyanto", "Kurniawati",
    "Yoga Pratama",
)
RESIDENT_ACCOUNT = "+6281100000005"  # Siti Warga Sisir
FARMER_ACCOUNT = "+6281100000006"  # Pak Tani Bumiaji


def reporter_phone(index: int) -> str:
    return f"+628110001{index + 1:04d}"


# The week's outcomes: what state each case is in when the demo is loaded.
OUTCOMES: dict[ComplaintStatus, int] = {
    S.SUBMITTED: 8, S.VERIFIED: 6, S.DISPATCHED: 11, S.IN_PROGRESS: 14, S.RESOLVED: 10,
    S.CLOSED: 21, S.REJECTED: 8,
}
DUPLICATES = 6  # further reports of a case already reported, marked DUPLICATE
RECATEGORISED = 2  # reported as "Lainnya", moved to the right category by the operator
SHARE_OVERDUE = 0.35  # of open cases, past the deadline of their current stage
SHARE_LATE = 0.15  # of finished stages, done after their deadline


@dataclass
class PlannedCase:
    key: str  # the clientRequestId: "demo-week-007"
    reporter: str  # phone
    category: str  # the right category
    reported_category: str  # what the resident picked (Lainnya for a recategorised one)
    village: str
    lat: float
    lon: float
    description: str
    visibility: Visibility
    final: ComplaintStatus
    report: Report
    submitted_at: datetime
    recategorised_at: datetime | None = None
    verified_at: datetime | None = None
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    progress_at: datetime | None = None
    progress_public: bool = True
    resolved_at: datetime | None = None
    confirmed_at: datetime | None = None
    rating: int | None = None
    rejected_at: datetime | None = None
    duplicate_of: PlannedCase | None = None
    marked_duplicate_at: datetime | None = None
    supporters: list[tuple[str, datetime]] = field(default_factory=list)
    overdue_now: bool = False
    # Set while the week plays: the complaint's id once submitted.
    complaint_id: int | None = None

    def open_until(self, now: datetime) -> datetime:
        """Until when the case is open (supportable)."""
        ends = [t for t in (self.resolved_at, self.rejected_at, self.marked_duplicate_at) if t]
        return min(ends) if ends else now


@dataclass
class WeekPlan:
    now: datetime
    start: datetime
    cases: list[PlannedCase]
    reporters: dict[str, str]  # phone → name (demo actors to create)


@cache
def _village_shapes() -> dict[str, object]:
    data = json.loads((DATA_DIR / "kota_batu_desa.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["code"]: shape(f["geometry"]) for f in data["features"]}


def point_in(village: str, rng: random.Random) -> tuple[float, float]:
    """A random point well inside the village (a margin from its edges), as (lat, lon)."""
    polygon = _village_shapes()[village]
    inner = polygon.buffer(-0.0015)
    area = inner if not inner.is_empty else polygon
    test = prep(area)
    west, south, east, north = area.bounds
    while True:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if test.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)


def near(lat: float, lon: float, village: str, rng: random.Random, metres: float
         ) -> tuple[float, float]:
    """A point ``metres`` or less from (lat, lon), inside the same village."""
    polygon = prep(_village_shapes()[village])
    for _ in range(100):
        angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(5, metres)
        dlat = distance * math.cos(angle) / 111_320
        dlon = distance * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
        if polygon.contains(Point(lon + dlon, lat + dlat)):
            return round(lat + dlat, 6), round(lon + dlon, 6)
    return lat, lon


SLA = {c.code: (c.triage, c.response, c.resolution) for c in DEFAULT_CATEGORIES}


def _stage(rng: random.Random, sla_minutes: int, late: bool, low: timedelta, high: timedelta
           ) -> timedelta:
    """How long a finished stage took: mostly well within its target, sometimes late."""
    factor = rng.uniform(1.15, 1.8) if late else rng.uniform(0.1, 0.7)
    return max(low, min(high, sla_minutes * MINUTE * factor))


def _age(rng: random.Random, sla_minutes: int, overdue: bool) -> tuple[timedelta, bool]:
    """How long an open case has been in its current stage, and whether that is past the
    stage's deadline (not possible within the week for the longest targets)."""
    longest = 3 * DAY
    overdue = overdue and sla_minutes * MINUTE * 1.2 < longest
    factor = rng.uniform(1.2, 2.2) if overdue else rng.uniform(0.05, 0.8)
    return max(4 * MINUTE, min(longest, sla_minutes * MINUTE * factor)), overdue


def _timeline(case: PlannedCase, rng: random.Random, now: datetime, start: datetime) -> None:
    """Fill the case's moments, working back from now, within the week."""
    triage, response, resolution = SLA[case.category]
    final = case.final
    urgent = case.category in ("kebakaran", "longsor", "pohon_tumbang")
    # Gaps between the steps, in order; the last one is the age of the current stage.
    gaps: list[tuple[str, timedelta]] = []
    verify = final != S.REJECTED and (final != S.DISPATCHED or rng.random() < 0.8) \
        and not urgent
    if final in (S.SUBMITTED, S.VERIFIED, S.REJECTED):
        if final == S.VERIFIED:
            gaps.append(("verified", _stage(rng, triage, False, 3 * MINUTE, 4 * HOUR) / 2))
        if final == S.REJECTED:
            gaps.append(("rejected", _stage(rng, triage, False, 10 * MINUTE, 5 * HOUR)))
            gaps.append(("end", rng.uniform(0, 1) * 5 * DAY))
        else:
            total_age, case.overdue_now = _age(rng, triage, rng.random() < SHARE_OVERDUE * 1.4)
            spent = sum((g for _, g in gaps), timedelta())
            gaps.append(("end", max(total_age - spent, 2 * MINUTE)))
    else:
        late_triage = rng.random() < SHARE_LATE
        triage_gap = _stage(rng, triage, late_triage, 2 * MINUTE, 10 * HOUR)
        if verify:
            gaps.append(("verified", triage_gap * 0.75))
            gaps.append(("dispatched", triage_gap * 0.25))
        else:
            gaps.append(("dispatched", triage_gap))
        if final == S.DISPATCHED:
            age, case.overdue_now = _age(rng, response, rng.random() < SHARE_OVERDUE)
            gaps.append(("end", age))
        else:
            gaps.append(("accepted", _stage(rng, response, rng.random() < SHARE_LATE,
                                            5 * MINUTE, 2 * DAY)))
            if final == S.IN_PROGRESS:
                age, case.overdue_now = _age(rng, resolution, rng.random() < SHARE_OVERDUE)
                if rng.random() < 0.6:
                    gaps.append(("progress", age * rng.uniform(0.3, 0.8)))
                    case.progress_public = rng.random() < 0.75
                gaps.append(("end", age - sum((g for n, g in gaps if n == "progress"),
                                              timedelta())))
            else:
                work = _stage(rng, resolution, rng.random() < SHARE_LATE, 40 * MINUTE, 3 * DAY)
                if rng.random() < 0.4:
                    gaps.append(("progress", work * rng.uniform(0.3, 0.7)))
                    case.progress_public = rng.random() < 0.75
                    work -= gaps[-1][1]
                gaps.append(("resolved", work))
                if final == S.CLOSED:
                    gaps.append(("confirmed", rng.uniform(1, 40) * HOUR))
                    case.rating = rng.choices((5, 4, 3, 2), (50, 30, 14, 6))[0]
                gaps.append(("end", rng.uniform(0, 1) * 4 * DAY))
    # Fit the week: shrink the steps (not the current stage's age) if they do not.
    available = now - start - 20 * MINUTE
    steps = sum((g for n, g in gaps if n != "end"), timedelta())
    end = next(g for n, g in gaps if n == "end")
    if steps + end > available:
        if case.overdue_now or final in (S.SUBMITTED, S.VERIFIED, S.DISPATCHED, S.IN_PROGRESS):
            end = min(end, available / 2)
            scale = min(1.0, (available - end) / steps) if steps else 1.0
        else:
            end = 2 * MINUTE
            scale = min(1.0, (available - end) / steps)
        gaps = [(n, g * scale if n != "end" else end) for n, g in gaps]
    moment = now - sum((g for _, g in gaps), timedelta())
    case.submitted_at = moment
    for name, gap in gaps:
        moment += gap
        if name != "end":
            setattr(case, f"{name}_at", moment)


def plan_week(now: datetime, rng: random.Random) -> WeekPlan:
    start = now - timedelta(days=7)
    reporters = {reporter_phone(i): name for i, name in enumerate(REPORTERS)}

    # Categories to villages: every village gets at least one report.
    counts = {code: count for code, (count, _) in CATEGORY_PLAN.items()}
    pairs: list[tuple[str, str]] = []
    for village in rng.sample(EVERYWHERE, len(EVERYWHERE)):
        fitting = [c for c, (_, where) in CATEGORY_PLAN.items() if village in where and counts[c]]
        category = rng.choices(fitting, [counts[c] for c in fitting])[0]
        counts[category] -= 1
        pairs.append((category, village))
    for category, left in counts.items():
        pairs += [(category, rng.choice(CATEGORY_PLAN[category][1])) for _ in range(left)]
    rng.shuffle(pairs)

    # Outcomes: emergencies are handled, drugs reports are never rejected.
    outcomes = [status for status, n in OUTCOMES.items() for _ in range(n)]
    rng.shuffle(outcomes)
    assert len(outcomes) == len(pairs), "OUTCOMES must add up to the categories' counts"
    for i, (category, _) in enumerate(pairs):
        allowed = {"kebakaran": (S.CLOSED, S.RESOLVED, S.IN_PROGRESS),
                   "narkoba": (S.DISPATCHED, S.IN_PROGRESS, S.CLOSED)}.get(category)
        if allowed and outcomes[i] not in allowed:
            j = next(j for j in range(len(outcomes)) if outcomes[j] in allowed
                     and pairs[j][0] not in ("kebakaran", "narkoba"))
            outcomes[i], outcomes[j] = outcomes[j], outcomes[i]

    cases: list[PlannedCase] = []
    for n, ((category, village), final) in enumerate(zip(pairs, outcomes, strict=True)):
        report = rng.choice(DESCRIPTIONS[category])
        lat, lon = point_in(village, rng)
        visibility = (rng.choice((Visibility.CONFIDENTIAL, Visibility.ANONYMOUS))
                      if category == "narkoba"
                      else rng.choices(list(Visibility), (76, 18, 6))[0])
        case = PlannedCase(
            key=f"{KEY_PREFIX}{n + 1:03d}", reporter=rng.choice(list(reporters)),
            category=category, reported_category=category, village=village, lat=lat, lon=lon,
            description=_text(report, village, rng), visibility=visibility, final=final,
            report=report, submitted_at=now,
        )
        _timeline(case, rng, now, start)
        cases.append(case)

    # Reported as Lainnya by residents who did not find the category; the operator fixes it
    # before verifying.
    for case in rng.sample([c for c in cases if c.verified_at and c.category in
                            ("sampah", "pju", "jalan_rusak")], RECATEGORISED):
        case.reported_category = "lainnya"
        case.recategorised_at = case.submitted_at + (case.verified_at - case.submitted_at) * 0.6

    # Sign-in demo accounts with a history: the resident (Sisir) and the farmer (Bumiaji).
    # The resident has one closed report, one in progress and one resolved awaiting her
    # confirmation — near home if possible.
    for final in (S.CLOSED, S.IN_PROGRESS, S.RESOLVED):
        candidates = [c for c in cases if c.final == final and c.category != "narkoba"]
        home = [c for c in candidates if c.village in ("batu-sisir", "batu-ngaglik")]
        (home or [c for c in candidates if c.village in TOWN] or candidates)[0].reporter = \
            RESIDENT_ACCOUNT
    farm = next((c for c in cases if c.category == "pertanian" and c.final != S.REJECTED),
                None)
    if farm is not None:
        farm.reporter = FARMER_ACCOUNT

    # Further reports of a case already reported: a few metres away, marked duplicate.
    originals = [c for c in cases if c.category in ("jalan_rusak", "sampah", "pju",
                                                   "pohon_tumbang", "kemacetan", "longsor")
                 and c.submitted_at < now - 6 * HOUR and c.final != S.REJECTED]
    for original in rng.sample(originals, DUPLICATES):
        submitted = original.submitted_at + rng.uniform(0.1, 0.8) * min(
            now - original.submitted_at - HOUR, DAY)
        lat, lon = near(original.lat, original.lon, original.village, rng, 35)
        reporter = rng.choice([p for p in reporters if p != original.reporter])
        report = rng.choice(DESCRIPTIONS[original.category])
        cases.append(PlannedCase(
            key=f"{KEY_PREFIX}{len(cases) + 1:03d}", reporter=reporter,
            category=original.category, reported_category=original.category,
            village=original.village, lat=lat, lon=lon,
            description=_text(report, original.village, rng), visibility=Visibility.PUBLIC,
            final=S.DUPLICATE, report=report, submitted_at=submitted, duplicate_of=original,
            marked_duplicate_at=submitted + min(rng.uniform(10, 180) * MINUTE,
                                                (now - submitted) / 2),
        ))

    # "Me too" from neighbours on public cases while they are open.
    for case in cases:
        if case.visibility == Visibility.CONFIDENTIAL or case.final == S.DUPLICATE:
            continue
        until = case.open_until(now) - 5 * MINUTE
        if until - case.submitted_at < 30 * MINUTE:
            continue
        others = [p for p in reporters if p != case.reporter]
        for supporter in rng.sample(others, rng.choices((0, 1, 2, 3, 5), (35, 25, 20, 12, 8))[0]):
            moment = case.submitted_at + rng.uniform(0.1, 1.0) * (until - case.submitted_at)
            case.supporters.append((supporter, moment))
    return WeekPlan(now=now, start=start, cases=cases, reporters=reporters)


def _text(report: Report, village: str, rng: random.Random) -> str:
    place = VILLAGES[village]
    name = village.split("-", 1)[1].replace("-", " ").title().replace("Oro Oro", "Oro-Oro")
    return report.text.format(jalan=rng.choice(place.streets), tempat=rng.choice(place.places),
                              desa=f"Desa {name}")
