"""Farming in the demo: the registry's demo farmers get parcels and plantings (one entered by
their PPL), so the harvest outlook has a season ahead; during the demo week Bu Sumarni asks
about aphids on her chrysanthemums and is answered, replies and rates; two neighbours ask the
same, which raises a pest alert; a question from Punten is left unanswered and flagged
overdue; Dinas Pertanian publishes a chrysanthemum advisory for Sidomulyo. All through the
real services, with the clock at each moment."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

from among_tani.farming import advisories, questions, records
from among_tani.farming.models import Parcel, ProblemType, Severity, Tenure
from among_tani.farming.visibility import FarmPolicy
from among_tani.registry.demo import FARMERS, PPL_VILLAGES
from backend.accounts.models import Role
from backend.accounts.services import principal_for
from backend.clock import WIB
from backend.demo import DemoContext, DemoLoader, DemoStep
from backend.geo.models import Area

DISTAN_PHONE = "+628110003001"
NEIGHBOURS = (("+628110003101", "Pak Slamet (Sidomulyo)"),
              ("+628110003102", "Bu Wartini (Sidomulyo)"))
# Expected yield per hectare in the base unit, and weeks to harvest after the demo's end.
YIELD = {"apel_manalagi": 15000, "apel_anna": 12000, "kentang": 20000, "wortel": 18000,
         "kubis": 25000, "krisan": 400000, "mawar": 150000, "anyelir": 200000,
         "jeruk_keprok_batu55": 14000, "apel_rome_beauty": 13000, "brokoli": 12000,
         "sawi": 15000, "bawang_prei": 16000, "tomat": 30000, "cabai": 8000,
         "stroberi": 10000, "susu_segar": 0, "alpukat": 9000, "kopi_arabika": 1200}


def _offset(phone: str, salt: str) -> float:
    digest = hashlib.sha256(f"{phone}:{salt}".encode()).digest()
    return (digest[0] - 128) / 128 * 0.002  # ±0.002° (~±220 m) around the village point


async def _policy(context: DemoContext, phone: str) -> FarmPolicy:
    return await FarmPolicy.of(await principal_for(await context.user(phone)))


async def _plan(context: DemoContext) -> list[DemoStep]:
    if await Parcel.filter(import_key__startswith="demo:").exists():
        return []
    reviewers = {v: p for p, villages in PPL_VILLAGES.items() for v in villages}
    start = context.now - timedelta(days=35)
    today = context.now.astimezone(WIB).date()

    async def farms() -> None:
        centre = {}
        for _, _, village, _, _ in FARMERS:
            area = await Area.get(code=village)
            centre[village] = ((area.min_lat + area.max_lat) / 2,
                               (area.min_lon + area.max_lon) / 2)
        for index, (phone, _, village, _, commodities) in enumerate(FARMERS):
            farmer = await context.user(phone)
            # Bu Sumarni has no smartphone: her PPL keeps her records.
            keeper = reviewers[village] if village == "batu-sidomulyo" else phone
            policy = await _policy(context, keeper)
            lat, lon = centre[village]
            located = await records.place_parcel(records.ParcelInput(
                name="", tenure=Tenure.OWN, lat=lat + _offset(phone, "lat"),
                lon=lon + _offset(phone, "lon"), area_ha=Decimal("1.5")))
            parcel = await records.add_parcel(policy, records.ParcelInput(
                name=f"Lahan {index + 1}", tenure=Tenure.OWN if index % 3 else Tenure.RENT,
                lat=located.lat, lon=located.lon, area_ha=Decimal("1.5")),
                farmer_id=farmer.id, import_key=f"demo:{phone}")
            for n, code in enumerate(c for c in commodities if YIELD.get(c)):
                area_ha = Decimal("0.5")
                await records.add_planting(policy, records.PlantingInput(
                    parcel_id=parcel.id, commodity_code=code, area_ha=area_ha,
                    planted_on=today - timedelta(days=60 + 7 * n),
                    expected_harvest_on=today + timedelta(weeks=2 + 3 * n + index % 4),
                    expected_yield=Decimal(YIELD[code]) * area_ha))

    def aphids(at: tuple[float, float], key: str) -> questions.AskInput:
        return questions.AskInput(
            client_request_id=f"demo-farming-{key}", commodity_code="krisan",
            problem_type=ProblemType.PEST, photo_ids=[], lat=at[0], lon=at[1],
            description="Banyak kutu daun hijau di pucuk krisan, daun mengeriting.")

    async def sidomulyo_point() -> tuple[float, float]:
        parcel = await Parcel.get(import_key="demo:+628110002102")
        return (parcel.lat, parcel.lon)

    async def ask_sumarni() -> None:
        asker = await _policy(context, "+628110002102")
        question = await questions.ask(asker, aphids(await sidomulyo_point(), "sumarni"))
        context.shared["tani_farming.question"] = question.id

    async def answer_sumarni() -> None:
        ppl = await _policy(context, reviewers["batu-sidomulyo"])
        await questions.answer(ppl, questions.MessageInput(
            question_id=context.shared["tani_farming.question"],
            text="Itu kutu daun (Aphis gossypii). Semprot larutan sabun insektisida pagi hari "
                 "dan buang pucuk yang parah.",
            recommended_actions=["Semprot sabun insektisida", "Pasang perangkap kuning"]))

    async def reply_and_rate() -> None:
        farmer = await _policy(context, "+628110002102")
        qid = context.shared["tani_farming.question"]
        await questions.reply(farmer, questions.MessageInput(
            question_id=qid, text="Sudah saya semprot, kutunya berkurang. Terima kasih."))
        ppl = await _policy(context, reviewers["batu-sidomulyo"])
        await questions.close(ppl, qid, solved=True, rating=None)
        await questions.close(farmer, qid, solved=True, rating=5)

    async def neighbours_ask() -> None:
        lat, lon = await sidomulyo_point()
        for n, (phone, name) in enumerate(NEIGHBOURS):
            await context.actor(name, phone, (Role.FARMER,))
            policy = await _policy(context, phone)
            await questions.ask(policy, aphids((lat + 0.003 * (n + 1), lon), f"neighbour-{n}"))

    async def punten_asks() -> None:
        farmer = await _policy(context, "+628110002103")
        parcel = await Parcel.get(import_key="demo:+628110002103")
        await questions.ask(farmer, questions.AskInput(
            client_request_id="demo-farming-punten", commodity_code="jeruk_keprok_batu55",
            problem_type=ProblemType.DISEASE, photo_ids=[], lat=parcel.lat, lon=parcel.lon,
            description="Buah jeruk banyak yang gugur dan ada bercak coklat di kulitnya."))

    async def deadlines() -> None:
        await questions.flag_overdue()

    async def advisory() -> None:
        await context.actor("Kabid Hortikultura Distan", DISTAN_PHONE, (Role.RESPONDER,),
                            "distan", supervisor=True)
        distan = await principal_for(await context.user(DISTAN_PHONE))
        await advisories.publish(distan, advisories.AdvisoryInput(
            title_id="Waspada kutu daun pada krisan di Sidomulyo",
            title_en="Aphid alert for chrysanthemum growers in Sidomulyo",
            body_id="Kutu daun dilaporkan di beberapa kebun. **Periksa bagian bawah daun** "
                    "dua kali seminggu dan pasang perangkap kuning.",
            body_en="Aphids were reported in several gardens. **Check the underside of "
                    "leaves** twice a week and set yellow sticky traps.",
            commodity_codes=["krisan"], village_codes=["batu-sidomulyo"],
            severity=Severity.WARNING))

    async def summary() -> str:
        return (f"Farming: {await Parcel.all().count()} parcels with plantings, crop "
                "questions (one answered and rated, one overdue), a pest alert and an "
                "advisory.")

    context.summaries.append(summary)
    now = context.now
    return [
        DemoStep(start, farms, "parcels and plantings"),
        DemoStep(now - timedelta(days=6), ask_sumarni, "Bu Sumarni asks about aphids"),
        DemoStep(now - timedelta(days=5, hours=20), answer_sumarni, "the PPL answers"),
        DemoStep(now - timedelta(days=5, hours=2), reply_and_rate, "reply, close, rating"),
        DemoStep(now - timedelta(days=4), neighbours_ask, "two neighbours ask: pest alert"),
        DemoStep(now - timedelta(days=4, hours=-1), punten_asks, "a question from Punten"),
        DemoStep(now - timedelta(hours=2), deadlines, "missed deadline flagged"),
        DemoStep(now - timedelta(hours=1), advisory, "a chrysanthemum advisory"),
    ]


loader = DemoLoader("tani_farming", _plan)
