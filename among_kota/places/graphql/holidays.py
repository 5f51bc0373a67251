"""The city's holidays: everyone reads them, admins and Diskominfo editors keep them."""

from __future__ import annotations

from datetime import date

import graphene

from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.content.rights import EDITOR
from among_kota.events import KotaEvent
from among_kota.places import holidays
from among_kota.places.models import Holiday
from backend.graphql.core import BaseMutation, guarded
from backend.i18n import bilingual_field
from backend.permissions import PUBLIC
from backend.read_cache import public_read


class HolidayType(graphene.ObjectType):
    class Meta:
        name = "Holiday"
        description = ("A public holiday in Kota Batu: places that close on holidays show "
                       "closed (openNow false) all that day (WIB).")

    date = graphene.Date(required=True)
    name = bilingual_field(required=True)

    @staticmethod
    def resolve_date(holiday: Holiday, info):
        return holiday.day


class HolidayQueries(graphene.ObjectType):
    holidays = graphene.List(graphene.NonNull(HolidayType), required=True,
                             year=graphene.Int(required=True))

    @staticmethod
    @public_read(invalidated_by=(KotaEvent.HOLIDAYS_CHANGED,))
    @guarded(PUBLIC)
    async def resolve_holidays(root, info, year):
        if not 2000 <= year <= 2100:
            return []
        return await Holiday.filter(day__gte=date(year, 1, 1),
                                    day__lte=date(year, 12, 31)).order_by("day")


class HolidayInput(graphene.InputObjectType):
    date = graphene.Date(required=True)
    name = TextInput(required=True)


class SaveHoliday(BaseMutation):
    holiday = graphene.Field(HolidayType)

    class Arguments:
        input = HolidayInput(required=True)

    class Meta:
        description = ("Admins and Diskominfo editors: add a holiday, or rename the one on "
                       "that date.")
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, input):
        return {"holiday": await holidays.save_holiday(principal, input.date, input.name)}


class DeleteHoliday(BaseMutation):
    date = graphene.Date()

    class Arguments:
        date = graphene.Date(required=True)

    class Meta:
        description = "Admins and Diskominfo editors: the date is no longer a holiday."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, date):
        return {"date": await holidays.delete_holiday(principal, date)}


class HolidayMutations(graphene.ObjectType):
    save_holiday = SaveHoliday.Field()
    delete_holiday = DeleteHoliday.Field()
