"""The command center's part of the demo week: the operator re-categorises, verifies,
dispatches by the routing table, rejects and merges duplicates; the SLA job flags missed
deadlines as the week goes by."""

from __future__ import annotations

from datetime import timedelta

from among_warga.demo import PLAN
from among_warga.demo_week import PlannedCase, WeekPlan
from backend.accounts.models import Skpd
from backend.demo import OPERATOR_PHONE, DemoContext, DemoLoader, DemoStep
from command_center import services as triage
from command_center.models import RoutingRule
from command_center.sla import flag_overdue

# Default routing from the BATT paper; "lainnya" (other) has no rule: the command center
# decides case by case.
ROUTING: tuple[tuple[str, str, str], ...] = (
    ("jalan_rusak", "dpupr", ""),
    ("kemacetan", "dishub", ""),
    ("lampu_lalu_lintas", "dishub", ""),
    ("pju", "dishub", ""),
    ("sampah", "dlh", ""),
    ("pohon_tumbang", "dlh", ""),
    ("pohon_tumbang", "bpbd", "when the tree blocks a road"),
    ("longsor", "bpbd", ""),
    ("kebakaran", "damkar", ""),
    ("iklan_liar", "satpolpp", ""),
    ("pkl_liar", "satpolpp", ""),
    ("narkoba", "bnn", ""),
    ("pertanian", "distan", ""),
)



async def _routing(context: DemoContext) -> str:
    """The default routing table (reference data, idempotent)."""
    skpds = {s.code: s for s in await Skpd.all()}
    for category, skpd_code, note in ROUTING:
        await RoutingRule.get_or_create(category_code=category, area_code=None,
                                        skpd=skpds[skpd_code], defaults={"note": note})
    return f"routing: {len(ROUTING)} default rules"


# The SLA job runs every 30 s in a server; in the demo week, every half hour.
SLA_TICK = timedelta(minutes=30)

VERIFY_NOTES = ("", "", "Laporan valid, lokasi sesuai foto.", "Sudah dicek melalui CCTV kota.",
                "Valid. Mohon pelapor memantau progres di aplikasi.")
DISPATCH_NOTES = {
    "jalan_rusak": "Mohon dijadwalkan penambalan, jalur padat kendaraan.",
    "sampah": "Mohon diangkut, sudah lebih dari dua hari.",
    "pohon_tumbang": "Segera, membahayakan pengguna jalan.",
    "kebakaran": "DARURAT — segera meluncur.",
    "longsor": "Mohon dicek, rawan longsor susulan.",
    "kemacetan": "Mohon pengaturan lalu lintas di lokasi.",
    "narkoba": "Rahasia: identitas pelapor jangan dibuka.",
}
REJECTIONS = (
    "Lokasi yang dilaporkan berada di luar kewenangan Pemerintah Kota Batu.",
    "Foto tidak menunjukkan masalah yang dilaporkan. Mohon kirim ulang dengan foto yang jelas.",
    "Permasalahan antarwarga, mohon diselesaikan melalui RT/RW setempat.",
    "Petugas di lokasi tidak menemukan masalah yang dilaporkan.",
    "Informasi lokasi kurang jelas; silakan laporkan ulang dengan titik yang tepat.",
)


async def _plan(context: DemoContext) -> list[DemoStep]:
    week: WeekPlan | None = context.shared.get(PLAN)
    if week is None:
        return []
    rng = context.rng("command_center")
    steps: list[DemoStep] = []
    for case in week.cases:
        if case.recategorised_at:
            steps.append(DemoStep(case.recategorised_at, _recategorise(context, case),
                                  f"{case.key} recategorised"))
        if case.verified_at:
            steps.append(DemoStep(case.verified_at, _verify(context, case, rng.choice(
                VERIFY_NOTES)), f"{case.key} verified"))
        if case.dispatched_at:
            steps.append(DemoStep(case.dispatched_at, _dispatch(context, case),
                                  f"{case.key} dispatched"))
        if case.rejected_at:
            steps.append(DemoStep(case.rejected_at, _reject(context, case, rng.choice(
                REJECTIONS)), f"{case.key} rejected"))
        if case.marked_duplicate_at:
            steps.append(DemoStep(case.marked_duplicate_at, _duplicate(context, case),
                                  f"{case.key} marked duplicate"))
    tick = week.start
    while tick <= week.now:
        steps.append(DemoStep(tick, flag_overdue, "SLA job"))
        tick += SLA_TICK
    return steps


def _recategorise(context: DemoContext, case: PlannedCase):
    async def run() -> None:
        await triage.change_category(await context.user(OPERATOR_PHONE), case.complaint_id,
                                     case.category)

    return run


def _verify(context: DemoContext, case: PlannedCase, note: str):
    async def run() -> None:
        await triage.verify(await context.user(OPERATOR_PHONE), case.complaint_id, note)

    return run


def _dispatch(context: DemoContext, case: PlannedCase):
    async def run() -> None:
        operator = await context.user(OPERATOR_PHONE)
        complaint = await triage.load_case(case.complaint_id)
        # The routing table decides; a tree that does not block the road stays with DLH
        # (BPBD's rule is for a blocked road), and "Lainnya" is the operator's call.
        skpds = await triage.routing_suggestion(complaint)
        if case.category == "pohon_tumbang" and not case.report.blocks_road:
            skpds = [s for s in skpds if s.code == "dlh"]
        if not skpds:
            skpds = [await context.skpd(case.report.skpd or "dpupr")]
        await triage.dispatch(operator, case.complaint_id, [s.code for s in skpds],
                              DISPATCH_NOTES.get(case.category))

    return run


def _reject(context: DemoContext, case: PlannedCase, reason: str):
    async def run() -> None:
        await triage.reject(await context.user(OPERATOR_PHONE), case.complaint_id, reason)

    return run


def _duplicate(context: DemoContext, case: PlannedCase):
    async def run() -> None:
        assert case.duplicate_of is not None
        await triage.mark_duplicate(await context.user(OPERATOR_PHONE), case.complaint_id,
                                    case.duplicate_of.complaint_id)

    return run


loader = DemoLoader("command_center.triage", _plan, reference=_routing)
