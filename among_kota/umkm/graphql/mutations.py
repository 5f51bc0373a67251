from __future__ import annotations

import graphene

from among_kota.content.graphql.types import KotaError, TextInput
from among_kota.content.rights import EDITOR
from among_kota.errors import KotaErrorCode as C
from among_kota.umkm import listing, services
from among_kota.umkm.graphql.types import UmkmBusinessType
from backend.graphql.core import BaseMutation, parse_int_id
from backend.graphql.scalars import Rupiah
from backend.permissions import SIGNED_IN


class UmkmProductInput(graphene.InputObjectType):
    name = TextInput(required=True)
    price_min = Rupiah(description="Whole Rupiah; omitted: ask the seller.")
    price_max = Rupiah(description="Omitted: one price (priceMin).")
    photo_id = graphene.ID(description="A photo you uploaded (uploadPhoto).")


class UmkmInput(graphene.InputObjectType):
    id = graphene.ID(description="Omitted: a new application.")
    name = TextInput(required=True)
    description = TextInput(description="Markdown.")
    owner_public_name = graphene.String(
        required=True, description="The name shown with the business (e.g. \"Bu Sri\").")
    category_code = graphene.String(required=True, description="See umkmCategories.")
    place_id = graphene.ID(description="Where it sells: a published place …")
    lat = graphene.Float(description="… or its own point.")
    lon = graphene.Float()
    address = graphene.String()
    nib = graphene.String(description="Nomor Induk Berusaha, 13 digits (optional).")
    whatsapp = graphene.String(
        description="The business's WhatsApp number, published as a wa.me link (optional; "
        "give one you want customers to use).")
    products = graphene.List(graphene.NonNull(UmkmProductInput))


class UmkmPayload:
    business = graphene.Field(UmkmBusinessType)


async def _payload(business_id: int) -> dict:
    return {"business": (await listing.views([business_id]))[0]}


class ApplyUmkm(UmkmPayload, BaseMutation):
    class Arguments:
        input = UmkmInput(required=True)

    class Meta:
        description = ("Apply to list your business in the UMKM directory, or change your "
                       "application; the UMKM office verifies it (a verified business keeps "
                       "showing its verified values until the changes are verified).")
        need = SIGNED_IN
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, input):
        business_id = parse_int_id(input.id, C.NOT_FOUND, "id") if input.id else None
        if input.place_id is not None:
            input.place_id = parse_int_id(input.place_id, C.NOT_FOUND, "placeId")
        content = await services.clean_business(input, owner_id=principal.user.id)
        business = await services.apply(principal, business_id, content)
        return await _payload(business.id)


class VerifyUmkm(UmkmPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "The UMKM office: verify an application (or a business's changes)."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id):
        business = await services.verify(principal, parse_int_id(id, C.NOT_FOUND, "id"))
        return await _payload(business.id)


class DeclineUmkm(UmkmPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True, description="Shown to the applicant.")

    class Meta:
        description = "The UMKM office: decline an application (or a business's changes)."
        need = EDITOR
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id, reason):
        business = await services.decline(principal, parse_int_id(id, C.NOT_FOUND, "id"),
                                           reason)
        return await _payload(business.id)


class WithdrawUmkm(UmkmPayload, BaseMutation):
    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Take a business off the directory (its owner or the UMKM office)."
        need = SIGNED_IN
        error_type = KotaError

    @classmethod
    async def perform(cls, root, info, principal, id):
        business = await services.withdraw(principal, parse_int_id(id, C.NOT_FOUND, "id"))
        return await _payload(business.id)


class UmkmMutations(graphene.ObjectType):
    apply_umkm = ApplyUmkm.Field()
    verify_umkm = VerifyUmkm.Field()
    decline_umkm = DeclineUmkm.Field()
    withdraw_umkm = WithdrawUmkm.Field()
