"""Every public Among Kota response — GraphQL lists and details, the feeds — walked for
personal data: no phone or name of an editor or resident, no one's survey answers, no
editorial state (who edited what), no reporter, ticket or exact point of a complaint behind
the city conditions' counts, no UMKM owner's account (only the public name and business
number they chose), whoever asks."""

from __future__ import annotations

import json
from typing import Any

from among_kota.conditions.services import NOTICES, clean_notice
from among_kota.content import services as editorial
from among_kota.demo import loader
from among_kota.services.models import PublicService
from among_kota.umkm.models import UmkmBusiness
from among_warga.categories import seed_categories
from backend.accounts.models import Role, Skpd, User
from backend.clock import utcnow
from backend.demo import DemoContext, play
from backend.geo.services import load_demo_areas
from backend.media.storage import storage_for
from tests.among_kota.test_news import FOLLOW
from tests.among_warga.test_complaints import submit, upload_photo

PUBLIC_QUERIES = (
    """{ placeCategories { code name groupCode icon } eventCategories { code name } }""",
    """{ places(first: 100, near: {lat: -7.8714, lon: 112.5269}, radiusKm: 50) { totalCount
         edges { cursor node { id slug name description descriptionHtml address lat lon
           locationApproximate phone website facilities categories { code name }
           ticketPrices { label price } openNow distanceKm editorial { status }
           openingHours { periods { openDay openTime closeDay closeTime }
                          specialDays { date closed } closedOnHolidays } } } } }""",
    """{ events(first: 100) { edges { node { id startsAt endsAt event { id slug title
         description venueName organiser lat lon priceMin priceMax free placeId
         category { code } editorial { status } } } } } }""",
    """{ news(first: 100) { edges { node { id title body summary tags urgency villageCodes
         coverPhoto { url } editorial { status } } } } }""",
    """{ publicServices(first: 100) { edges { node { id name description skpdCode
         requirements steps processingTime cost costNote product complaintChannel
         complaintCategoryCode legalBasis demo editorial { status }
         servicePoints { name phone editorial { status } } } } } }""",
    """{ cityConditions { notices { id kind severity title body bodyHtml geometry validFrom
         validUntil skpdCode editorial { status } }
         openReports { villageCode villageName categoryCode categoryName count }
         openReportTotal } }""",
    """{ umkmCategories { code name } umkm(first: 100) { totalCount edges { node { id slug
         name description descriptionHtml ownerPublicName category { code name } address lat
         lon placeId distanceKm nib whatsappUrl demo verifiedAt application { status }
         products { name priceMin priceMax photo { url thumbnailUrl takenAt } } } } } }""",
)


def walk(value: Any):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


async def test_public_answers_carry_no_personal_data(settings, gql, client, make_user):
    await load_demo_areas(echo=lambda *_: None)
    context = DemoContext(settings=settings, now=utcnow(), storage=storage_for({}, settings),
                          echo=lambda *_: None)
    await play(context, [loader])
    editor = await User.get(User.identified_by(phone="+6281100000009"))
    resident, token = await make_user(Role.CITIZEN, name="Warga Penilai Rahasia")
    await gql(FOLLOW, {"city": True, "villages": ["bumiaji-tulungrejo"]}, token=token)
    service = await PublicService.filter(demo=True).first()
    # A complaint behind the city conditions' counts, and a notice on the map.
    await seed_categories()
    complaint = (await submit(gql, token, photo_ids=[await upload_photo(client, token)],
                              at=(-7.87137, 112.52693)))["complaint"]
    bpbd, _ = await Skpd.get_or_create(code="bpbd", defaults={"name": "BPBD"})
    notice = await editorial.save_draft(NOTICES, None, None, await clean_notice({
        "kind": "road_closed", "severity": "severe", "title": {"id": "Jalan ditutup"},
        "geometry": {"type": "Point", "coordinates": [112.53, -7.83]},
        "valid_from": utcnow()}), owner=bpbd)
    await editorial.publish(NOTICES, None, notice.id, as_system=True)
    umkm_owner = await User.get(id=(await UmkmBusiness.filter(demo=True).first()).owner_id)
    body = await gql("""mutation($i: SatisfactionSurveyInput!) { submitSatisfactionSurvey(
        input: $i) { ok } }""", {"i": {"serviceId": str(service.id),
                                       "scores": [1, 2, 3, 4, 1, 2, 3, 4, 1]}}, token=token)
    assert body["data"]["submitSatisfactionSurvey"]["ok"] is True
    secrets = [editor.phone, editor.phone[3:], editor.name, resident.phone, resident.phone[3:],
               resident.name, "bumiaji-tulungrejo", "[1, 2, 3, 4, 1, 2, 3, 4, 1]",
               complaint["ticketNumber"], "Sampah menumpuk", "-7.87137", "112.52693",
               umkm_owner.name, umkm_owner.phone, umkm_owner.phone[3:]]
    other_token = (await make_user(Role.CITIZEN))[1]

    responses = []
    for viewer in (None, other_token):
        for language in ("id", "en"):
            headers = {"Accept-Language": language}
            for query in PUBLIC_QUERIES:
                body = await gql(query, token=viewer, headers=headers)
                assert "errors" not in body, body
                responses.append(body)
            body = await gql("""query($id: ID!) { serviceSatisfaction(serviceId: $id) {
                answers index grade elements { element mean } } }""", {"id": str(service.id)},
                             token=viewer, headers=headers)
            assert body["data"]["serviceSatisfaction"] == {
                "answers": 1, "index": None, "grade": None, "elements": None}
            responses.append(body)
    assert any(body["data"].get("places", {}).get("totalCount") for body in responses)
    assert any(body["data"].get("umkm", {}).get("totalCount") == 12 for body in responses)
    assert any(body["data"].get("cityConditions", {}).get("openReportTotal") == 1
               and body["data"]["cityConditions"]["notices"] for body in responses)
    for body in responses:
        text = json.dumps(body)
        for secret in secrets:
            assert secret not in text, secret
        for key, value in walk(body):
            if key in ("editorial", "application", "takenAt"):
                assert value is None, body
    for feed in ("/feeds/events.ics", "/feeds/news.atom", "/feeds/conditions.geojson"):
        response = await client.get(feed)
        assert response.status_code == 200
        for secret in secrets:
            assert secret not in response.text, (feed, secret)
