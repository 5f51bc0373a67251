"""The agencies' part of the demo week: field staff of each SKPD accept the cases dispatched to
them, report progress (public, or an internal note) and resolve them with a proof photo."""

from __future__ import annotations

import random
from datetime import timedelta

from among_warga.demo import PLAN
from among_warga.demo_photos import render_photo
from among_warga.demo_week import DESCRIPTIONS, PlannedCase, WeekPlan
from among_warga.models import Dispatch
from backend.accounts.models import Role
from backend.accounts.services import Principal
from backend.clock import WIB, utcnow
from backend.demo import DEMO_ACCOUNTS, SKPDS, DemoContext, DemoLoader, DemoStep
from backend.media.services import limits_for, upload_photo
from command_center.demo import ROUTING
from responder import services as field

# Agencies that receive cases and have no sign-in demo account get a field officer who exists
# only in the demo.
STAFF_PHONES = {code: f"+628110001{101 + i:04d}" for i, (code, _) in enumerate(SKPDS)}


def _signin_responders() -> dict[str, str]:
    return {a.skpd: a.phone for a in DEMO_ACCOUNTS if Role.RESPONDER in a.roles and a.skpd}


def field_staff() -> dict[str, str]:
    """SKPD code → name of the demo field officer of each routed agency without an account."""
    routed = {code for _, code, _ in ROUTING} | {
        report.skpd for reports in DESCRIPTIONS.values() for report in reports if report.skpd}
    names = dict(SKPDS)
    return {code: f"Petugas {names[code]}" for code in names
            if code in routed and code not in _signin_responders()}

ACCEPT_NOTES = ("", "Tim akan survei lokasi hari ini.", "Diterima, dijadwalkan besok pagi.",
                "Petugas segera meluncur ke lokasi.")
PROGRESS = {
    "jalan_rusak": ("Tim sudah survei, penambalan menunggu material aspal datang.",
                    "Koordinasi dengan kontraktor pemeliharaan jalan."),
    "sampah": ("Armada pengangkut dijadwalkan besok pagi.",
               "TPS penuh, koordinasi dengan UPT Persampahan."),
    "pohon_tumbang": ("Tim dengan gergaji mesin menuju lokasi.",
                      "Perlu koordinasi PLN karena dahan menimpa kabel."),
    "pju": ("Penggantian lampu menunggu stok lampu LED.",
            "Gangguan di panel, koordinasi dengan PLN."),
    "lampu_lalu_lintas": ("Teknisi sedang memeriksa modul kontrol.",
                          "Suku cadang dipesan dari vendor."),
    "kemacetan": ("Petugas sudah di lokasi mengatur arus kendaraan.",
                  "Minta bantuan Satlantas untuk akhir pekan."),
    "longsor": ("Alat berat dikirim untuk membersihkan material.",
                "Kajian geologi diperlukan sebelum perbaikan permanen."),
    "kebakaran": ("Dua unit mobil damkar di lokasi, api mulai dikuasai.",
                  "Pendinginan masih berlangsung."),
    "iklan_liar": ("Penertiban dijadwalkan bersama Bapenda.",
                   "Pemilik reklame sudah dipanggil."),
    "pkl_liar": ("Pedagang sudah diberi surat teguran pertama.",
                 "Koordinasi dengan Diskumdag soal lokasi relokasi."),
    "narkoba": ("Informasi sudah diteruskan ke tim lapangan.",
                "Koordinasi dengan Satresnarkoba Polres Batu."),
    "pertanian": ("PPL sudah mengunjungi lahan dan mengambil sampel tanaman.",
                  "Menunggu hasil uji laboratorium."),
    "lainnya": ("Petugas sudah mengecek lokasi.", "Menunggu anggaran pemeliharaan."),
}
RESOLVED = {
    "jalan_rusak": "Lubang sudah ditambal dengan aspal hotmix.",
    "sampah": "Sampah sudah diangkut dan lokasi dibersihkan.",
    "pohon_tumbang": "Pohon sudah dipotong dan dievakuasi, jalan bisa dilalui kembali.",
    "pju": "Lampu sudah diganti dengan LED baru dan menyala normal.",
    "lampu_lalu_lintas": "Modul kontrol sudah diganti, lampu lalu lintas kembali normal.",
    "kemacetan": "Parkir liar sudah ditertibkan dan rambu larangan putar balik dipasang.",
    "longsor": "Material longsor sudah dibersihkan, dipasang bronjong sementara.",
    "kebakaran": "Api berhasil dipadamkan, tidak ada korban jiwa.",
    "iklan_liar": "Reklame tanpa izin sudah diturunkan.",
    "pkl_liar": "PKL sudah ditertibkan dan diarahkan ke lokasi relokasi.",
    "narkoba": "Laporan sudah ditindaklanjuti bersama kepolisian.",
    "pertanian": "PPL sudah mendampingi petani; diberikan rekomendasi fungisida dan pola "
                 "tanam.",
    "lainnya": "Sudah diperbaiki oleh petugas.",
}


async def _plan(context: DemoContext) -> list[DemoStep]:
    week: WeekPlan | None = context.shared.get(PLAN)
    if week is None:
        return []
    rng = context.rng("responder")
    steps = [DemoStep(week.start - timedelta(days=30), lambda: _staff(context),
                      "field staff join")]
    for case in week.cases:
        if case.accepted_at:
            steps.append(DemoStep(case.accepted_at, _accept(context, case, rng.choice(
                ACCEPT_NOTES)), f"{case.key} accepted"))
        if case.progress_at:
            public_note, internal_note = PROGRESS[case.category]
            note = public_note if case.progress_public else internal_note
            steps.append(DemoStep(case.progress_at, _progress(context, case, note, rng),
                                  f"{case.key} progress"))
        if case.resolved_at:
            steps.append(DemoStep(case.resolved_at, _resolve(context, case),
                                  f"{case.key} resolved"))
    return steps


async def _staff(context: DemoContext) -> None:
    for code, name in field_staff().items():
        await context.actor(name, STAFF_PHONES[code], (Role.RESPONDER,), code)


async def _officer(context: DemoContext, skpd_id: int) -> Principal:
    skpd = next(s for s in await context.skpds() if s.id == skpd_id)
    phone = _signin_responders().get(skpd.code) or STAFF_PHONES[skpd.code]
    return Principal(user=await context.user(phone), roles=frozenset({Role.RESPONDER}),
                     skpd=skpd)


async def _holders(case: PlannedCase) -> list[int]:
    return list(await Dispatch.filter(complaint_id=case.complaint_id, active=True)
                .order_by("id").values_list("skpd_id", flat=True))


def _accept(context: DemoContext, case: PlannedCase, note: str):
    async def run() -> None:
        # Every agency the case went to takes it on (a fallen tree blocking the road: DLH and
        # BPBD); the first one moves it to IN_PROGRESS.
        for skpd_id in await _holders(case):
            await field.accept(await _officer(context, skpd_id), case.complaint_id, note or None)

    return run


def _progress(context: DemoContext, case: PlannedCase, note: str, rng: random.Random):
    with_photo = case.progress_public and rng.random() < 0.5

    async def run() -> None:
        officer = await _officer(context, (await _holders(case))[0])
        photos = [await _photo(context, officer, case, fixed=False)] if with_photo else []
        await field.add_progress(officer, case.complaint_id, note, photos,
                                 case.progress_public)

    return run


def _resolve(context: DemoContext, case: PlannedCase):
    async def run() -> None:
        officer = await _officer(context, (await _holders(case))[0])
        proof = await _photo(context, officer, case, fixed=True)
        await field.resolve(officer, case.complaint_id, RESOLVED[case.category], [proof])

    return run


async def _photo(context: DemoContext, officer: Principal, case: PlannedCase, *, fixed: bool
                 ) -> int:
    taken = utcnow() - timedelta(minutes=7)
    stage = "Sesudah" if fixed else "Penanganan"
    caption = f"{stage} · {officer.skpd.code.upper()} · {taken.astimezone(WIB):%d/%m %H:%M} WIB"
    data = render_photo(case.category, caption, taken_at=taken, lat=case.lat, lon=case.lon,
                        seed=f"{case.key}-{stage}", fixed=fixed)
    photo = await upload_photo(context.storage, owner_id=officer.user.id, data=data,
                               limits=limits_for(context.settings),
                               client_key=f"{case.key}-{stage.lower()}", filename="IMG.jpg",
                               content_type="image/jpeg")
    return photo.id


loader = DemoLoader("responder.field_work", _plan)
