from __future__ import annotations

import pytest

from among_tani.registry.commodities import seed_commodities
from backend.accounts.models import Role, Skpd, UserRole
from backend.geo.services import load_demo_areas


@pytest.fixture
async def batu() -> None:
    """Kota Batu's villages, the commodity catalogue and the distan SKPD."""
    await load_demo_areas(echo=lambda *_: None)
    await seed_commodities()
    await Skpd.get_or_create(code="distan", defaults={"name": "Dinas Pertanian"})


@pytest.fixture
def tani(gql, make_user, batu):
    """Helpers to set up Among Tani people through the API."""
    return TaniPeople(gql, make_user)


APPLY_FARMER = """mutation($i: ApplyAsFarmerInput!) { applyAsFarmer(input: $i) {
  application { id status kind village { code name } }
  errors { field code message } } }"""
APPLY_BUYER = """mutation($i: ApplyAsBuyerInput!) { applyAsBuyer(input: $i) {
  application { id status kind } errors { field code message } } }"""
REVIEW = """mutation($id: ID!, $ok: Boolean!, $reason: String) {
  reviewApplication(id: $id, approve: $ok, reason: $reason) {
    application { id status declineReason } errors { field code message } } }"""
ASSIGN = """mutation($u: ID!, $v: [String!]!) { assignExtensionOfficer(userId: $u, villageCodes: $v) {
  officer { id villages { code } } errors { field code } } }"""


class TaniPeople:
    def __init__(self, gql, make_user) -> None:
        self.gql = gql
        self.make_user = make_user
        self._admin = None

    async def distan_admin(self):
        if self._admin is None:
            user, token = await self.make_user(Role.RESPONDER, skpd="distan",
                                               name="Kabid Distan")
            await UserRole.filter(user_id=user.id, role=Role.RESPONDER).update(supervisor=True)
            self._admin = (user, token)
        return self._admin

    async def officer(self, *villages: str, name: str = "PPL Uji"):
        user, token = await self.make_user(Role.CITIZEN, name=name)
        _, admin = await self.distan_admin()
        body = await self.gql(ASSIGN, {"u": str(user.id), "v": list(villages)}, token=admin)
        assert body["data"]["assignExtensionOfficer"]["errors"] == [], body
        return user, token

    async def apply_farmer(self, token, **overrides):
        data = {"villageCode": "bumiaji-tulungrejo", "farmerGroup": "Poktan Makmur",
                "commodityCodes": ["apel_manalagi"], **overrides}
        body = await self.gql(APPLY_FARMER, {"i": data}, token=token)
        return body["data"]["applyAsFarmer"]

    async def review(self, token, application_id, ok=True, reason=None):
        body = await self.gql(REVIEW, {"id": application_id, "ok": ok, "reason": reason},
                              token=token)
        return body["data"]["reviewApplication"]

    async def farmer(self, village="bumiaji-tulungrejo", name="Pak Tani Uji",
                     commodities=("apel_manalagi",), officer=None):
        """A verified farmer (reviewed by the village officer); returns (user, token)."""
        user, token = await self.make_user(Role.CITIZEN, name=name)
        applied = await self.apply_farmer(token, villageCode=village,
                                          commodityCodes=list(commodities))
        assert applied["errors"] == [], applied
        if officer is None:
            _, officer_token = await self.distan_admin()
        else:
            officer_token = officer
        reviewed = await self.review(officer_token, applied["application"]["id"])
        assert reviewed["errors"] == [], reviewed
        return user, token

    async def buyer(self, name="Hotel Kitchen", buyer_type="RESTAURANT_HOTEL"):
        user, token = await self.make_user(Role.CITIZEN, name=name)
        body = await self.gql(APPLY_BUYER, {"i": {"buyerType": buyer_type,
                                                  "businessName": name}}, token=token)
        applied = body["data"]["applyAsBuyer"]
        assert applied["errors"] == [], applied
        _, admin = await self.distan_admin()
        reviewed = await self.review(admin, applied["application"]["id"])
        assert reviewed["errors"] == [], reviewed
        return user, token
