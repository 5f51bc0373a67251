"""Among Warga's part of the demo week: residents report (a photo through the real pipeline,
then ``submit_complaint``), support their neighbours' reports and confirm resolved ones. The
week's plan (among_warga/demo_week.py) is left in the context for the command center's and
the agencies' loaders."""

from __future__ import annotations

import random
from datetime import timedelta

from among_warga.categories import DEFAULT_CATEGORIES, seed_categories
from among_warga.demo_photos import render_photo
from among_warga.demo_week import KEY_PREFIX, PlannedCase, WeekPlan, plan_week
from among_warga.models import OPEN_STATUSES, Complaint, ComplaintCategory
from among_warga.services import (
    SubmitComplaint,
    confirm_resolution,
    submit_complaint,
    support_complaint,
)
from backend.accounts.models import Role
from backend.clock import WIB
from backend.demo import DemoContext, DemoLoader, DemoStep
from backend.media.services import limits_for, upload_photo

PLAN = "among_warga.week"  # DemoContext.shared key of the WeekPlan

CONFIRMATIONS = (
    "Terima kasih, sudah beres.", "Cepat sekali penanganannya, matur nuwun.",
    "Sudah diperbaiki, semoga awet.", "Alhamdulillah sudah bersih lagi.",
    "Sudah ditangani, tapi agak lama menunggunya.", "",
)


async def _plan(context: DemoContext) -> list[DemoStep]:
    if await Complaint.exists(client_request_id__startswith=KEY_PREFIX):
        return []  # loaded before: the week is in the database already
    rng = context.rng("among_warga")
    week = plan_week(context.now, rng)
    context.shared[PLAN] = week
    names = {c.code: c.name_id for c in await ComplaintCategory.all()}
    steps = [DemoStep(week.start - timedelta(days=30), lambda: _residents(context, week),
                      "residents register")]
    for case in week.cases:
        steps.append(DemoStep(case.submitted_at, _submit(context, case, names, rng),
                              f"{case.key} submitted"))
        for phone, moment in case.supporters:
            steps.append(DemoStep(moment, _support(context, case, phone),
                                  f"{case.key} supported"))
        if case.confirmed_at:
            steps.append(DemoStep(case.confirmed_at, _confirm(context, case, rng),
                                  f"{case.key} confirmed"))

    async def summary() -> str:
        demo = Complaint.filter(client_request_id__startswith=KEY_PREFIX)
        open_cases = demo.filter(status__in=OPEN_STATUSES)
        overdue = await open_cases.filter(sla_due_at__lte=context.now).count()
        return (f"Demo complaints: {await demo.count()} over the past week in "
                f"{len({c.village for c in week.cases})} villages ({await open_cases.count()} "
                f"open, {overdue} of them overdue); reporters are demo residents "
                f"(+62 811 0001 xxxx), clientRequestId {KEY_PREFIX}NNN.")

    context.summaries.append(summary)
    return steps


async def _residents(context: DemoContext, week: WeekPlan) -> None:
    for phone, name in week.reporters.items():
        await context.actor(name, phone, (Role.CITIZEN,))


def _submit(context: DemoContext, case: PlannedCase, names: dict[str, str],
            rng: random.Random):
    taken = case.submitted_at - timedelta(minutes=rng.uniform(1, 25))
    place = case.village.split("-", 1)[1].replace("-", " ").title()
    caption = f"{names[case.category]} · {place} · {taken.astimezone(WIB):%d/%m %H:%M} WIB"

    async def run() -> None:
        reporter = await context.user(case.reporter)
        data = render_photo(case.category, caption, taken_at=taken, lat=case.lat,
                            lon=case.lon, seed=case.key)
        photo = await upload_photo(context.storage, owner_id=reporter.id, data=data,
                                   limits=limits_for(context.settings),
                                   client_key=f"{case.key}-foto", filename="IMG.jpg",
                                   content_type="image/jpeg")
        complaint = await submit_complaint(reporter, SubmitComplaint(
            client_request_id=case.key, category_code=case.reported_category,
            description=case.description, lat=case.lat, lon=case.lon, photo_ids=[photo.id],
            visibility=case.visibility,
        ))
        case.complaint_id = complaint.id

    return run


def _support(context: DemoContext, case: PlannedCase, phone: str):
    async def run() -> None:
        await support_complaint(await context.user(phone), case.complaint_id)

    return run


def _confirm(context: DemoContext, case: PlannedCase, rng: random.Random):
    comment = rng.choice(CONFIRMATIONS)

    async def run() -> None:
        await confirm_resolution(await context.user(case.reporter), case.complaint_id,
                                 resolved=True, rating=case.rating, comment=comment)

    return run


async def _categories(context: DemoContext) -> str:
    await seed_categories()
    return f"{len(DEFAULT_CATEGORIES)} complaint categories"


loader = DemoLoader("among_warga.complaints", _plan, reference=_categories)
