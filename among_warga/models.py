"""Among Warga: residents' complaints, their photos, support, timeline and privacy log."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.accounts.models import Skpd, User


class ComplaintStatus(str, Enum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


OPEN_STATUSES = (
    ComplaintStatus.SUBMITTED,
    ComplaintStatus.VERIFIED,
    ComplaintStatus.DISPATCHED,
    ComplaintStatus.IN_PROGRESS,
)


class Visibility(str, Enum):
    PUBLIC = "public"  # shown with the reporter's display name
    ANONYMOUS = "anonymous"  # public, without a name (LAPOR!'s "Anonim")
    CONFIDENTIAL = "confidential"  # never public (LAPOR!'s "Rahasia")


PUBLIC_VISIBILITIES = (Visibility.PUBLIC, Visibility.ANONYMOUS)


class TimelineKind(str, Enum):
    STATUS = "status"  # a status change (public)
    RESPONSE = "response"  # a public response from the command center or an agency
    NOTE = "note"  # an internal note, never shown to the resident


class ComplaintCategory(Model):
    # A category residents pick (Jalan Rusak, Sampah, …) with the service targets the
    # command center holds agencies to, in minutes.
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_id = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100)
    description_id = fields.CharField(max_length=500, default="")
    description_en = fields.CharField(max_length=500, default="")
    icon = fields.CharField(max_length=64, default="report")
    active = fields.BooleanField(default=True)
    # Public maps show its reports at about 100 m precision, never the exact spot.
    sensitive_location = fields.BooleanField(default=False)
    triage_minutes = fields.IntField()
    response_minutes = fields.IntField()
    resolution_minutes = fields.IntField()
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "complaint_category"
        ordering = ["sort_order", "code"]


class Complaint(Model):
    id = fields.IntField(primary_key=True)
    ticket_number = fields.CharField(max_length=20, unique=True)
    reporter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="complaints", on_delete=fields.RESTRICT
    )
    category: fields.ForeignKeyRelation[ComplaintCategory] = fields.ForeignKeyField(
        "among_warga.ComplaintCategory", related_name="complaints", on_delete=fields.RESTRICT
    )
    description = fields.TextField()
    lat = fields.FloatField()
    lon = fields.FloatField()
    # The point the public may learn: the exact one, or for a sensitive category the exact one
    # snapped to a 0.001° grid (among_warga.visibility.public_point). Every public filter,
    # distance and sort uses it, through its own spatial index. Null only in rows a migration
    # has not filled yet (the column was added to a table in use).
    public_lat = fields.FloatField(null=True)
    public_lon = fields.FloatField(null=True)
    village_code = fields.CharField(max_length=64, null=True)
    village_name = fields.CharField(max_length=120, null=True)
    district_code = fields.CharField(max_length=64, null=True)
    district_name = fields.CharField(max_length=120, null=True)
    status = fields.CharEnumField(ComplaintStatus, max_length=16, default=ComplaintStatus.SUBMITTED)
    visibility = fields.CharEnumField(Visibility, max_length=16, default=Visibility.PUBLIC)
    # Idempotency: one complaint per (reporter, client request id); the fingerprint tells a
    # retry of the same submission from different content sent under a reused id.
    client_request_id = fields.CharField(max_length=64)
    request_fingerprint = fields.CharField(max_length=64)
    sla_due_at = fields.DatetimeField(null=True)
    # The deadline already reported as missed: the SLA job flags each deadline once.
    overdue_flagged_for = fields.DatetimeField(null=True)
    support_count = fields.IntField(default=0)
    rejection_reason = fields.CharField(max_length=500, null=True)
    duplicate_of: fields.ForeignKeyNullableRelation[Complaint] = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="duplicates", null=True, on_delete=fields.SET_NULL
    )
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    rating = fields.SmallIntField(null=True)
    rating_comment = fields.CharField(max_length=1000, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "complaint"
        unique_together = (("reporter", "client_request_id"),)
        indexes = (("status", "category_id"), ("reporter_id", "status"))


class ComplaintPhoto(Model):
    id = fields.IntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="photo_links", on_delete=fields.CASCADE
    )
    photo = fields.ForeignKeyField(
        "media.Photo", related_name="complaint_links", on_delete=fields.RESTRICT
    )
    position = fields.SmallIntField(default=0)

    class Meta:
        table = "complaint_photo"
        unique_together = (("complaint", "photo"),)


class ComplaintSupport(Model):
    # "Me too": one per user and complaint, instead of a duplicate report.
    id = fields.IntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="supports", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="complaint_supports", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "complaint_support"
        unique_together = (("complaint", "user"),)


class TimelineEntry(Model):
    id = fields.IntField(primary_key=True)
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="timeline", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(TimelineKind, max_length=16)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16, null=True)
    note = fields.TextField(default="")
    public = fields.BooleanField(default=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="timeline_entries", null=True, on_delete=fields.SET_NULL
    )
    # Which side wrote it, for the resident's view ("Command Center", "Dinas PUPR").
    actor_label = fields.CharField(max_length=120, default="")
    # The SKPD whose responder wrote it (null: command center, reporter, system). An internal
    # note is shown to operators and to this SKPD only — not to another agency.
    author_skpd: fields.ForeignKeyNullableRelation[Skpd] = fields.ForeignKeyField(
        "accounts.Skpd", related_name="timeline_entries", null=True, on_delete=fields.SET_NULL
    )
    photo_ids = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "complaint_timeline"
        ordering = ["id"]


class PersonalDataAccess(Model):
    # Every read of a reporter's personal data by staff, for the privacy audit.
    id = fields.BigIntField(primary_key=True)
    staff: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "accounts.User", related_name="personal_data_reads", on_delete=fields.CASCADE
    )
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="personal_data_reads", on_delete=fields.CASCADE
    )
    reporter_id = fields.IntField()
    fields_read = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "personal_data_access"


class TicketCounter(Model):
    # Ticket numbers restart every month: BTU-2611-00042 is the 42nd of November 2026 (WIB).
    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=4, unique=True)
    last_number = fields.IntField(default=0)

    class Meta:
        table = "complaint_ticket_counter"


class Dispatch(Model):
    # A complaint handed to an agency. Active while the agency holds the case; a recall or
    # re-dispatch ends it (``ended_at``) but keeps the row for the record. Part of the
    # complaint's state (the command center writes it, responders end it; both through this
    # package's rules); its table predates the move from command_center (state-only
    # migrations among_warga.0006 / command_center.0003, nothing rebuilt).
    id = fields.IntField(primary_key=True)
    complaint = fields.ForeignKeyField(
        "among_warga.Complaint", related_name="dispatches", on_delete=fields.CASCADE
    )
    skpd: fields.ForeignKeyRelation[Skpd] = fields.ForeignKeyField(
        "accounts.Skpd", related_name="dispatches", on_delete=fields.RESTRICT
    )
    note = fields.CharField(max_length=1000, default="")
    active = fields.BooleanField(default=True)
    dispatched_by = fields.ForeignKeyField(
        "accounts.User", related_name="dispatches_made", null=True, on_delete=fields.SET_NULL
    )
    dispatched_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "dispatch"
        indexes = (("skpd_id", "active"), ("complaint_id", "active"))
