"""Among Tani for farming itself: the farm registry (parcels, plantings, harvests), the
crop-problem help desk, pest alerts and advisories.

Farmers, their groups (poktan/gapoktan), commodities and which extension officer covers which
village live in the shared registry (among_tani.registry). Commodities are referred to here by
their code (stable, and what every API takes); villages are geo Areas, as in the registry.
"""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.accounts.models import User


class Tenure(str, Enum):
    OWN = "own"
    RENT = "rent"  # sewa
    SHARE_CROP = "share_crop"  # bagi hasil / maro
    WORK_FOR_OWNER = "work_for_owner"  # penggarap


class ProblemType(str, Enum):
    PEST = "pest"
    DISEASE = "disease"
    NUTRIENT = "nutrient"
    WEATHER = "weather"
    POST_HARVEST = "post_harvest"
    MARKET = "market"
    OTHER = "other"


class QuestionStatus(str, Enum):
    OPEN = "open"  # waiting for its first answer (the 3×24 h promise runs)
    ANSWERED = "answered"  # answered; the thread goes on both ways
    CLOSED = "closed"  # closed by the officer or the farmer


class MessageKind(str, Enum):
    QUESTION = "question"  # the farmer's first message (the description)
    ANSWER = "answer"  # an officer's or specialist's answer
    REPLY = "reply"  # the farmer's reply
    HANDOFF = "handoff"  # handed to a distan specialist
    HANDBACK = "handback"  # handed back to the village officers
    SYSTEM = "system"  # overdue, escalation, closing


class AlertStatus(str, Enum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    DANGER = "danger"


class Parcel(Model):
    # A farmer's piece of land. Personal data: the geometry and the exact point are shown to
    # the farmer, the PPL of the village and distan staff only (among_tani.farming.visibility).
    id = fields.IntField(primary_key=True)
    farmer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="parcels", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    # RFC 7946 Polygon (lon, lat), or null for a parcel given as a point with an area.
    geometry = fields.TextField(null=True)
    lat = fields.FloatField()  # the given point, or the polygon's representative point
    lon = fields.FloatField()
    area_ha = fields.DecimalField(max_digits=10, decimal_places=4)
    tenure = fields.CharEnumField(Tenure, max_length=16)
    village: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "geo.Area", related_name="farm_parcels", on_delete=fields.RESTRICT
    )
    # Who wrote it: the farmer, or the village PPL entering it for a farmer without a phone.
    entered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="parcels_entered", null=True, on_delete=fields.SET_NULL
    )
    updated_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="parcels_updated", null=True, on_delete=fields.SET_NULL
    )
    # The import that created it (idempotency of `batt farmers import`).
    import_key = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "farming_parcel"
        indexes = (("farmer_id", "id"),)


class Planting(Model):
    id = fields.IntField(primary_key=True)
    parcel: fields.ForeignKeyRelation[Parcel] = fields.ForeignKeyField(
        "tani_farming.Parcel", related_name="plantings", on_delete=fields.CASCADE
    )
    # Copied from the parcel: the outlook and the advisory recipients read plantings alone.
    farmer_id = fields.IntField(db_index=True)
    village_id = fields.IntField()
    commodity_code = fields.CharField(max_length=32)
    variety = fields.CharField(max_length=100, default="")
    area_ha = fields.DecimalField(max_digits=10, decimal_places=4)
    planted_on = fields.DateField()
    expected_harvest_on = fields.DateField()
    expected_yield = fields.DecimalField(max_digits=15, decimal_places=3, null=True)
    yield_unit = fields.CharField(max_length=16, null=True)
    # The expected yield in the commodity's base unit (kg, liter), for the outlook's sums.
    expected_yield_base = fields.DecimalField(max_digits=15, decimal_places=3, null=True)
    base_unit = fields.CharField(max_length=16, null=True)
    entered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="plantings_entered", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "farming_planting"
        indexes = (("commodity_code", "village_id", "expected_harvest_on"),
                   ("expected_harvest_on", "commodity_code"))


class OutlookWeek(Model):
    # The expected harvest of one commodity in one village in one ISO week (its Monday):
    # the sums of the plantings expected then, maintained by triggers on farming_planting in
    # the writing transaction (among_tani.farming.outlook_weeks), so the outlooks read a few
    # rows instead of grouping every planting. Rebuilt by `batt farmers rebuild-outlook`.
    id = fields.IntField(primary_key=True)
    commodity_code = fields.CharField(max_length=32)
    village_id = fields.IntField()
    week_start = fields.DateField()
    expected_quantity = fields.DecimalField(max_digits=18, decimal_places=3, default=0)
    area_ha = fields.DecimalField(max_digits=14, decimal_places=4, default=0)
    plantings = fields.IntField(default=0)
    # plantings with an expected yield: the base unit is shown only when there is one
    yield_plantings = fields.IntField(default=0)
    base_unit = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "farming_outlook_week"
        unique_together = (("commodity_code", "village_id", "week_start"),)
        indexes = (("week_start", "commodity_code"),)


class Harvest(Model):
    id = fields.IntField(primary_key=True)
    planting: fields.ForeignKeyRelation[Planting] = fields.ForeignKeyField(
        "tani_farming.Planting", related_name="harvests", on_delete=fields.CASCADE
    )
    farmer_id = fields.IntField(db_index=True)
    harvested_on = fields.DateField()
    quantity = fields.DecimalField(max_digits=15, decimal_places=3)
    unit = fields.CharField(max_length=16)
    grade = fields.CharField(max_length=32, default="")
    entered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="harvests_entered", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "farming_harvest"


class AnswerDeadline(Model):
    # The first answer's deadline per problem type, in hours (data: editable without a
    # release). A type without a row gets DEFAULT_ANSWER_HOURS.
    id = fields.IntField(primary_key=True)
    problem_type = fields.CharEnumField(ProblemType, max_length=16, unique=True)
    hours = fields.IntField()

    class Meta:
        table = "farming_answer_deadline"


class CropQuestion(Model):
    id = fields.IntField(primary_key=True)
    asker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="crop_questions", on_delete=fields.CASCADE
    )
    client_request_id = fields.CharField(max_length=64)
    request_fingerprint = fields.CharField(max_length=64)
    commodity_code = fields.CharField(max_length=32)
    parcel: fields.ForeignKeyNullableRelation[Parcel] = fields.ForeignKeyField(
        "tani_farming.Parcel", related_name="questions", null=True, on_delete=fields.SET_NULL
    )
    problem_type = fields.CharEnumField(ProblemType, max_length=16)
    description = fields.TextField()
    photo_ids = fields.JSONField(default=list)
    lat = fields.FloatField()
    lon = fields.FloatField()
    village: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "geo.Area", related_name="crop_questions", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(QuestionStatus, max_length=16, default=QuestionStatus.OPEN)
    # The distan specialist holding it after a hand-off (null: the village officers).
    specialist: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="crop_questions_held", null=True,
        on_delete=fields.SET_NULL,
    )
    due_at = fields.DatetimeField()
    first_answer_at = fields.DatetimeField(null=True)
    first_answer_by_id = fields.IntField(null=True)
    # Set once when the first-answer deadline is missed (the job flags each question once).
    overdue_flagged_at = fields.DatetimeField(null=True)
    solved = fields.BooleanField(null=True)
    rating = fields.SmallIntField(null=True)
    closed_at = fields.DatetimeField(null=True)
    closed_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "farming_question"
        unique_together = (("asker", "client_request_id"),)
        indexes = (("status", "due_at"), ("commodity_code", "problem_type", "created_at"))


class QuestionOfficer(Model):
    # The officers a question was routed to: the PPL covering its village when it was asked.
    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[CropQuestion] = fields.ForeignKeyField(
        "tani_farming.CropQuestion", related_name="officer_links", on_delete=fields.CASCADE
    )
    officer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="routed_crop_questions", on_delete=fields.CASCADE
    )

    class Meta:
        table = "farming_question_officer"
        unique_together = (("question", "officer"),)


class QuestionMessage(Model):
    id = fields.IntField(primary_key=True)
    question: fields.ForeignKeyRelation[CropQuestion] = fields.ForeignKeyField(
        "tani_farming.CropQuestion", related_name="messages", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="crop_question_messages", null=True,
        on_delete=fields.SET_NULL,
    )
    kind = fields.CharEnumField(MessageKind, max_length=16)
    text = fields.TextField(default="")
    photo_ids = fields.JSONField(default=list)
    recommended_actions = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "farming_question_message"
        ordering = ["id"]


class OutbreakRule(Model):
    # When ``min_questions`` questions of one commodity and problem type fall within
    # ``radius_km`` in ``days`` days, a pest alert is raised. One row (data, not code).
    id = fields.IntField(primary_key=True)
    min_questions = fields.IntField(default=3)
    radius_km = fields.FloatField(default=2.0)
    days = fields.IntField(default=7)

    class Meta:
        table = "farming_outbreak_rule"


class PestAlert(Model):
    id = fields.IntField(primary_key=True)
    commodity_code = fields.CharField(max_length=32)
    problem_type = fields.CharEnumField(ProblemType, max_length=16)
    status = fields.CharEnumField(AlertStatus, max_length=16, default=AlertStatus.OPEN)
    question_ids = fields.JSONField(default=list)
    # [{lat, lon, villageCode}] of the questions, for distan's and the command center's map.
    points = fields.JSONField(default=list)
    village_ids = fields.JSONField(default=list)
    reviewed_by_id = fields.IntField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "farming_pest_alert"
        indexes = (("commodity_code", "problem_type", "status"),)


class Advisory(Model):
    id = fields.IntField(primary_key=True)
    title_id = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, default="")
    body_id = fields.TextField()  # Markdown, rendered and sanitised when served
    body_en = fields.TextField(default="")
    commodity_codes = fields.JSONField(default=list)
    village_ids = fields.JSONField(default=list)
    # A drawn target area (RFC 7946 Polygon), instead of or beside villages.
    area = fields.TextField(null=True)
    severity = fields.CharEnumField(Severity, max_length=16, default=Severity.INFO)
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField(null=True)
    published_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="advisories", null=True, on_delete=fields.SET_NULL
    )
    recipient_count = fields.IntField(default=0)
    # A knowledge article made from an answered question (identity removed), or null.
    source_question_id = fields.IntField(null=True, unique=True)
    is_article = fields.BooleanField(default=False)
    problem_type = fields.CharEnumField(ProblemType, max_length=16, null=True)
    search_text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "farming_advisory"


class ImportedFarmer(Model):
    # One farmer from an existing by-name-by-address list (``batt farmers import``): the key
    # says who it is (NIK, phone, or name + village + address), so a re-import finds them.
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="farming_imports", on_delete=fields.CASCADE
    )
    row_hash = fields.CharField(max_length=64)
    source = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "farming_imported_farmer"
