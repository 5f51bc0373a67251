"""Outbreak signal: when N questions about the same commodity and problem type fall within
R km of each other in D days (``OutbreakRule``, defaults 3, 2 km, 7 days — data, not code), a
pest alert goes to distan and the command center with the points; distan confirms or
dismisses it. A question near an alert that is still open joins it instead of raising
another."""

from __future__ import annotations

from datetime import timedelta

from among_tani import audience as tani_audience
from among_tani.farming.errors import FarmingErrorCode as Code
from among_tani.farming.events import FarmingEvent
from among_tani.farming.models import AlertStatus, CropQuestion, OutbreakRule, PestAlert
from backend.accounts.models import Role, Skpd
from backend.clock import utcnow
from backend.errors import ServiceError
from backend.events import unit_of_work
from backend.geo.geodesy import geodesic_distance_m

DEFAULT_RULE = OutbreakRule(min_questions=3, radius_km=2.0, days=7)


async def rule() -> OutbreakRule:
    return await OutbreakRule.all().order_by("id").first() or DEFAULT_RULE


def _point(q: CropQuestion) -> dict:
    # Rounded to ~110 m: the alert shows where, not whose field.
    return {"questionId": q.id, "lat": round(q.lat, 3), "lon": round(q.lon, 3),
            "villageId": q.village_id}


async def alert_audience() -> list[str]:
    skpds = await Skpd.filter(code="distan").values_list("id", flat=True)
    return sorted({tani_audience.skpd_key(s) for s in skpds}
                  | {tani_audience.role_key(Role.OPERATOR)})


async def check(question: CropQuestion) -> PestAlert | None:
    """Run inside the asking unit of work, after the question row exists."""
    current = await rule()
    since = utcnow() - timedelta(days=current.days)
    radius_m = current.radius_km * 1000
    recent = await CropQuestion.filter(
        commodity_code=question.commodity_code, problem_type=question.problem_type,
        created_at__gte=since).order_by("id")
    near = [q for q in recent
            if geodesic_distance_m(question.lat, question.lon, q.lat, q.lon) <= radius_m]
    ids = {q.id for q in near}
    open_alerts = await PestAlert.filter(
        commodity_code=question.commodity_code, problem_type=question.problem_type,
        status__in=(AlertStatus.OPEN, AlertStatus.CONFIRMED), created_at__gte=since)
    for alert in open_alerts:
        if ids & set(alert.question_ids):
            if question.id not in alert.question_ids:
                alert.question_ids = [*alert.question_ids, question.id]
                alert.points = [*alert.points, _point(question)]
                alert.village_ids = sorted({*alert.village_ids, question.village_id})
                await alert.save(update_fields=["question_ids", "points", "village_ids"])
            return alert
    if len(near) < current.min_questions:
        return None
    alert = await PestAlert.create(
        commodity_code=question.commodity_code, problem_type=question.problem_type,
        question_ids=[q.id for q in near], points=[_point(q) for q in near],
        village_ids=sorted({q.village_id for q in near}))
    await tani_audience.record(
        FarmingEvent.PEST_ALERT, subject_type="pest_alert", subject_id=alert.id,
        audience=await alert_audience(),
        payload={"alertId": alert.id, "commodityCode": alert.commodity_code,
                 "problemType": alert.problem_type.value, "points": alert.points,
                 "questionCount": len(near)})
    return alert


async def review(alert_id: int, reviewer_id: int, confirm: bool) -> PestAlert:
    alert = await PestAlert.get_or_none(id=alert_id)
    if alert is None:
        raise ServiceError(Code.NOT_FOUND, "id")
    to = AlertStatus.CONFIRMED if confirm else AlertStatus.DISMISSED
    async with unit_of_work():
        if not await PestAlert.filter(id=alert.id, status=AlertStatus.OPEN).update(
                status=to, reviewed_by_id=reviewer_id, reviewed_at=utcnow()):
            raise ServiceError(Code.INVALID_TRANSITION, "id", current=alert.status.name,
                               expected="OPEN")
        await alert.refresh_from_db()
        await tani_audience.record(
            FarmingEvent.PEST_ALERT_REVIEWED, subject_type="pest_alert", subject_id=alert.id,
            audience=await alert_audience(), actor_id=reviewer_id,
            payload={"alertId": alert.id, "status": alert.status.value})
    return alert
