"""Photos of confidential reports are not public files: they are served only through
short-lived signed URLs (HMAC with the server's secret, expiry in the URL) with
`Cache-Control: private`, while photos of public reports keep their immutable public URL.
Real bytes fetched over HTTP; headers, expiry and tampering checked."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from backend.accounts.models import Role
from backend.clock import utcnow
from backend.media.storage import url_signer
from tests.among_warga.test_complaints import upload_photo
from tests.backend.media.conftest import client_for, upload_to
from tests.backend.media.samples import encode, photo_like
from tests.command_center.conftest import submit_complaint
from tests.conftest import GraphQL, replace_settings

PHOTOS = """query($id: ID) { complaint(id: $id) { photos { id url thumbnailUrl }
  timeline { public photos { url } } } }"""
DISPATCH = """mutation($id: ID!) { dispatchComplaint(id: $id, skpdCodes: ["dlh"]) {
  errors { code } } }"""
ACCEPT = "mutation($id: ID!) { acceptCase(id: $id) { errors { code } } }"
PROGRESS = """mutation($id: ID!, $photos: [ID!]) {
  addProgress(id: $id, note: "Foto internal.", photoIds: $photos, public: false) {
    errors { code } } }"""
RESOLVE = """mutation($id: ID!, $photos: [ID!]!) {
  resolveCase(id: $id, note: "Sudah beres.", proofPhotoIds: $photos) { errors { code } } }"""


def key_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1]


def is_signed(url: str) -> bool:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return parts.path.startswith("/media/private/") and {"expires", "signature"} <= set(query)


async def assert_served_privately(client, url: str, ttl: int = 900) -> None:
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "JPEG"
    cache = response.headers["cache-control"]
    assert cache.startswith("private, max-age=") and "immutable" not in cache
    max_age = int(cache.rsplit("=", 1)[1])
    assert 0 < max_age <= ttl + max(60, ttl // 4)
    assert response.headers["x-content-type-options"] == "nosniff"
    again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_confidential_photos_only_through_signed_urls(gql, client, make_user, settings):
    _, token = await make_user(Role.CITIZEN)
    case = await submit_complaint(gql, client, token, visibility="CONFIDENTIAL")
    [photo] = (await gql(PHOTOS, {"id": case["id"]}, token=token))["data"]["complaint"]["photos"]
    for url in (photo["url"], photo["thumbnailUrl"]):
        assert is_signed(url), url
        await assert_served_privately(client, url)
        # The content address alone opens nothing, whoever asks.
        assert (await client.get(f"/media/{key_of(url)}")).status_code == 404

    url = photo["url"]
    query = parse_qs(urlsplit(url).query)
    expires, signature = int(query["expires"][0]), query["signature"][0]
    path = urlsplit(url).path
    tampered = [
        f"{path}?expires={expires}&signature={signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{path}?expires={expires + 1}&signature={signature}",
        f"{path}?expires={expires}",
        f"{path}?expires=soon&signature={signature}",
        f"/media/private/{key_of(photo['thumbnailUrl'])}?expires={expires}&signature={signature}",
    ]
    for bad in tampered:
        refused = await client.get(bad)
        assert refused.status_code == 403, bad
        assert refused.headers["cache-control"] == "no-store"
    # A URL that was genuine but has run out.
    past = int(utcnow().timestamp()) - 1
    stale = f"{path}?expires={past}&signature={url_signer(settings).signature(key_of(url), past)}"
    expired = await client.get(stale)
    assert expired.status_code == 403 and "expired" in expired.text

    # The operator gets signed URLs too; other residents get no complaint at all.
    _, operator = await make_user(Role.OPERATOR)
    staff = (await gql(PHOTOS, {"id": case["id"]}, token=operator))["data"]["complaint"]
    assert is_signed(staff["photos"][0]["url"])
    _, stranger = await make_user(Role.CITIZEN)
    assert (await gql(PHOTOS, {"id": case["id"]}, token=stranger))["data"]["complaint"] is None


async def test_public_reports_keep_immutable_public_urls(gql, client, make_user):
    _, token = await make_user(Role.CITIZEN)
    case = await submit_complaint(gql, client, token, visibility="ANONYMOUS")
    [photo] = (await gql(PHOTOS, {"id": case["id"]}))["data"]["complaint"]["photos"]
    for url in (photo["url"], photo["thumbnailUrl"]):
        assert urlsplit(url).path == f"/media/{key_of(url)}" and not urlsplit(url).query
        response = await client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # The reporter sees the very same URL (one photo, one URL, for every viewer).
    mine = (await gql(PHOTOS, {"id": case["id"]}, token=token))["data"]["complaint"]
    assert mine["photos"][0]["url"] == photo["url"]


async def test_proof_photos_follow_their_report(gql, client, make_user):
    _, resident = await make_user(Role.CITIZEN)
    _, operator = await make_user(Role.OPERATOR)
    _, dlh = await make_user(Role.RESPONDER, skpd="dlh")
    secret = await submit_complaint(gql, client, resident, visibility="CONFIDENTIAL")
    public = await submit_complaint(gql, client, resident, visibility="PUBLIC")
    for n, case in enumerate((secret, public)):
        await gql(DISPATCH, {"id": case["id"]}, token=operator)
        await gql(ACCEPT, {"id": case["id"]}, token=dlh)
        internal = await upload_photo(client, dlh, seed=40 + n)
        progress = await gql(PROGRESS, {"id": case["id"], "photos": [internal]}, token=dlh)
        assert progress["data"]["addProgress"]["errors"] == []
        proof = await upload_photo(client, dlh, seed=50 + n)
        resolved = await gql(RESOLVE, {"id": case["id"], "photos": [proof]}, token=dlh)
        assert resolved["data"]["resolveCase"]["errors"] == []

    # On the confidential report, the proof is signed; on the public one, public.
    seen = (await gql(PHOTOS, {"id": secret["id"]}, token=resident))["data"]["complaint"]
    [proof_url] = [p["url"] for t in seen["timeline"] for p in t["photos"]]
    assert is_signed(proof_url)
    await assert_served_privately(client, proof_url)
    assert (await client.get(f"/media/{key_of(proof_url)}")).status_code == 404

    shown = (await gql(PHOTOS, {"id": public["id"]}))["data"]["complaint"]
    [proof_url] = [p["url"] for t in shown["timeline"] for p in t["photos"]]
    assert not is_signed(proof_url)
    assert "immutable" in (await client.get(proof_url)).headers["cache-control"]
    # The internal progress photo on the public report: staff only, and signed.
    staff = (await gql(PHOTOS, {"id": public["id"]}, token=operator))["data"]["complaint"]
    internal_urls = [p["url"] for t in staff["timeline"] if not t["public"] for p in t["photos"]]
    assert len(internal_urls) == 1 and is_signed(internal_urls[0])
    assert (await client.get(f"/media/{key_of(internal_urls[0])}")).status_code == 404


async def test_uploads_are_private_until_attached_to_something_public(make_user, settings):
    _, token = await make_user(Role.CITIZEN)
    # The uploader's own copy is signed until a public report shows it …
    async with client_for(replace_settings(settings, media_url_ttl_seconds=120)) as short:
        data = encode(photo_like((800, 600), seed=3), "JPEG", quality=80)
        again = (await upload_to(short, data, token=token))["data"]["uploadPhoto"]["photo"]
        photo_id = again["id"]
        assert is_signed(again["url"])
        # … with the lifetime the settings give (BATT_MEDIA_URL_TTL), rounded up a little.
        expires = int(parse_qs(urlsplit(again["url"]).query)["expires"][0])
        left = expires - utcnow().timestamp()
        assert 110 < left <= 120 + 60
        await assert_served_privately(short, again["url"], ttl=120)

        http = GraphQL(short)
        case = await http(
            """mutation($i: SubmitComplaintInput!) { submitComplaint(input: $i) {
                 complaint { photos { url } } errors { code } } }""",
            {"i": {"clientRequestId": "attach-0001", "categoryCode": "sampah",
                   "description": "Sampah menumpuk di pinggir jalan.", "lat": -7.8713,
                   "lon": 112.5269, "photoIds": [photo_id], "visibility": "PUBLIC"}},
            token=token)
        [shown] = case["data"]["submitComplaint"]["complaint"]["photos"]
        assert not is_signed(shown["url"])
        assert (await short.get(shown["url"])).status_code == 200
