from __future__ import annotations

import graphene

from among_kota.umkm.listing import UmkmView
from among_kota.umkm.models import UmkmProduct, UmkmStatus
from among_kota.umkm.services import may_see_application, whatsapp_url
from backend.graphql.connections import connection_for
from backend.graphql.scalars import Rupiah
from backend.i18n import bilingual_field, localized
from backend.markdown import render_markdown
from backend.media.graphql.dataloaders import PhotoByIdLoader
from backend.media.graphql.types import PhotoType

UmkmStatusEnum = graphene.Enum.from_enum(UmkmStatus, name="UmkmStatus")


class UmkmCategoryType(graphene.ObjectType):
    class Meta:
        name = "UmkmCategory"

    code = graphene.String(required=True)
    name = bilingual_field(required=True)


class UmkmProductType(graphene.ObjectType):
    class Meta:
        name = "UmkmProduct"

    name = graphene.String(required=True)
    price_min = graphene.Field(Rupiah, description="Whole Rupiah; null: ask the seller.")
    price_max = graphene.Field(Rupiah)
    photo = graphene.Field(PhotoType)

    @staticmethod
    def resolve_name(product: UmkmProduct, info):
        return localized(product, "name", info.context.language)

    @staticmethod
    async def resolve_photo(product: UmkmProduct, info):
        if not product.photo_id:
            return None
        return await info.context.loader(PhotoByIdLoader).load(product.photo_id)


class UmkmApplicationType(graphene.ObjectType):
    class Meta:
        name = "UmkmApplication"
        description = "The application's state: only its owner and the UMKM office see it."

    status = graphene.Field(UmkmStatusEnum, required=True)
    decline_reason = graphene.String()
    decided_at = graphene.DateTime()
    pending_changes = graphene.JSONString(
        description="The owner's edits of a verified business, waiting for the office.")


class UmkmBusinessType(graphene.ObjectType):
    class Meta:
        name = "UmkmBusiness"
        description = ("A small business verified by the UMKM office. Its contact is the "
                       "business WhatsApp number its owner chose to publish.")

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True, description="Markdown as written.")
    description_html = graphene.String(required=True)
    owner_public_name = graphene.String(required=True,
                                        description="The name the owner chose to show.")
    category = graphene.Field(UmkmCategoryType, required=True)
    address = graphene.String(required=True)
    lat = graphene.Float(required=True)
    lon = graphene.Float(required=True)
    place_id = graphene.ID(description="Where it sells, when that is a place in Among Kota.")
    distance_km = graphene.Float(description="From the `near` point asked.")
    nib = graphene.String(description="Nomor Induk Berusaha (13 digits), when given.")
    whatsapp_url = graphene.String(description="https://wa.me/… link to the business.")
    products = graphene.List(graphene.NonNull(UmkmProductType), required=True)
    demo = graphene.Boolean(required=True, description="Demo data, not a real business.")
    verified_at = graphene.DateTime()
    application = graphene.Field(UmkmApplicationType)

    @staticmethod
    def resolve_id(view: UmkmView, info):
        return str(view.business.id)

    @staticmethod
    def resolve_slug(view: UmkmView, info):
        return view.business.slug

    @staticmethod
    def resolve_name(view: UmkmView, info):
        return localized(view.business, "name", info.context.language)

    @staticmethod
    def resolve_description(view: UmkmView, info):
        return localized(view.business, "description", info.context.language) or ""

    @staticmethod
    def resolve_description_html(view: UmkmView, info):
        return render_markdown(localized(view.business, "description", info.context.language))

    @staticmethod
    def resolve_owner_public_name(view: UmkmView, info):
        return view.business.owner_public_name

    @staticmethod
    def resolve_address(view: UmkmView, info):
        return view.business.address

    @staticmethod
    def resolve_lat(view: UmkmView, info):
        return view.business.lat

    @staticmethod
    def resolve_lon(view: UmkmView, info):
        return view.business.lon

    @staticmethod
    def resolve_place_id(view: UmkmView, info):
        return str(view.business.place_id) if view.business.place_id else None

    @staticmethod
    def resolve_nib(view: UmkmView, info):
        return view.business.nib

    @staticmethod
    def resolve_whatsapp_url(view: UmkmView, info):
        return whatsapp_url(view.business.whatsapp)

    @staticmethod
    def resolve_demo(view: UmkmView, info):
        return view.business.demo

    @staticmethod
    def resolve_verified_at(view: UmkmView, info):
        return view.business.verified_at

    @staticmethod
    async def resolve_application(view: UmkmView, info):
        principal = await info.context.principal()
        business = view.business
        if not may_see_application(principal, business):
            return None
        return UmkmApplicationType(status=business.status,
                                   decline_reason=business.decline_reason,
                                   decided_at=business.decided_at,
                                   pending_changes=business.pending)


UmkmConnection = connection_for(UmkmBusinessType)
