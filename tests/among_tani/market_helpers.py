from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.among_warga.test_complaints import upload_photo

TULUNGREJO = (-7.8150, 112.5230)  # a point in desa Tulungrejo (demo boundaries)
ALUN_ALUN = (-7.871, 112.527)

CREATE = """mutation($i: CreateListingInput!) { createListing(input: $i) {
  listing { id status availableQuantity pricePerBaseUnit lat lon }
  errors { field code message } } }"""
PLACE = """mutation($i: PlaceOrderInput!) { placeOrder(input: $i) {
  order { id number status total subtotal counterpart { name phone } }
  errors { field code message } } }"""


def listing_input(photo_ids: list[str], **overrides: Any) -> dict[str, Any]:
    today = dt.date.today()
    lat, lon = overrides.pop("at", TULUNGREJO)
    return {"commodityCode": "apel_manalagi", "variety": "Manalagi", "grade": "A",
            "description": "Apel manalagi segar dari kebun Tulungrejo, manis dan renyah.",
            "unit": "KG", "pricePerUnit": 12000, "quantity": "300", "minOrderQuantity": "5",
            "harvestDate": str(today), "availableUntil": str(today + dt.timedelta(days=14)),
            "lat": lat, "lon": lon, "fulfilment": ["PICKUP", "DELIVERY"],
            "deliveryRadiusKm": 15, "deliveryFee": 25000, "photoIds": photo_ids,
            **overrides}


async def create_listing(gql, client, token, **overrides) -> dict[str, Any]:
    photos = overrides.pop("photoIds", None)
    if photos is None:
        photos = [await upload_photo(client, token)]
    body = await gql(CREATE, {"i": listing_input(photos, **overrides)}, token=token)
    return body["data"]["createListing"]


def order_input(listing_id: str, quantity: str = "40", **overrides: Any) -> dict[str, Any]:
    return {"clientRequestId": overrides.pop("clientRequestId", uuid.uuid4().hex),
            "lines": overrides.pop("lines", [{"listingId": listing_id, "quantity": quantity}]),
            "fulfilment": "PICKUP", "paymentMethod": "COD", **overrides}


async def place(gql, token, listing_id, quantity="40", **overrides) -> dict[str, Any]:
    body = await gql(PLACE, {"i": order_input(listing_id, quantity, **overrides)},
                     token=token)
    return body["data"]["placeOrder"]
