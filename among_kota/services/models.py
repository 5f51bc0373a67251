"""The public-service catalogue ("standar pelayanan") and the satisfaction survey (IKM,
Permenpan RB 14/2017)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from among_kota.content.models import Publishable


class PublicService(Publishable):
    """A service the city provides: who is responsible (the owning SKPD), what to bring,
    the steps, how long, how much (0: free), what you get, where to complain, the legal
    basis, and where (service points: places, with their opening hours)."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    name_id = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, null=True)
    sort_name = fields.CharField(max_length=200, db_index=True)
    cost = fields.BigIntField(default=0)  # whole Rupiah; 0 is free
    processing_days = fields.IntField(null=True)  # working days, when stated as a number
    complaint_category_code = fields.CharField(max_length=32, null=True)
    demo = fields.BooleanField(default=False)
    search_text = fields.TextField(default="")

    class Meta:
        table = "kota_public_service"


class SurveyAnswer(Model):
    """One resident's answer to the nine-element survey for one service, at most one per
    person, service and month (WIB). Personal data: in myData; when the account is erased
    the answer stays in the statistics, detached from the person."""

    id = fields.IntField(primary_key=True)
    service = fields.ForeignKeyField("kota_services.PublicService", related_name="answers",
                                     on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("accounts.User", related_name=False, null=True,
                                  on_delete=fields.SET_NULL)
    month = fields.CharField(max_length=7)  # "2026-12", WIB
    u1 = fields.SmallIntField()  # requirements (persyaratan)
    u2 = fields.SmallIntField()  # procedure (sistem, mekanisme dan prosedur)
    u3 = fields.SmallIntField()  # time (waktu penyelesaian)
    u4 = fields.SmallIntField()  # cost (biaya/tarif)
    u5 = fields.SmallIntField()  # product (produk spesifikasi jenis pelayanan)
    u6 = fields.SmallIntField()  # staff competence (kompetensi pelaksana)
    u7 = fields.SmallIntField()  # staff behaviour (perilaku pelaksana)
    u8 = fields.SmallIntField()  # complaint handling (penanganan pengaduan, saran, masukan)
    u9 = fields.SmallIntField()  # facilities (sarana dan prasarana)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "kota_survey_answer"
        unique_together = (("service", "user", "month"),)
        indexes = (("service_id", "created_at"),)
