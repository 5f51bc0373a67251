from __future__ import annotations

from xml.etree import ElementTree as ET

from backend.accounts.models import Role
from backend.geo.services import load_demo_areas
from backend.push import sender
from backend.push.models import PushMessage, TopicPush
from tests.among_warga.test_complaints import upload_photo
from tests.backend.push.conftest import fake_fcm, fcm_settings, service_account_key  # noqa: F401

SAVE = """mutation($input: ArticleInput!) { saveArticle(input: $input) {
  article { id slug title urgency villageCodes coverPhoto { url } } errors { field code } } }"""
PUBLISH = """mutation($id: ID!) { publishArticle(id: $id) { article { id publishedAt }
  errors { code } } }"""
REGISTER = """mutation($token: String!) { registerDevice(token: $token, platform: ANDROID) {
  errors { code } } }"""
FOLLOW = """mutation($city: Boolean!, $villages: [String!]) {
  followAnnouncements(city: $city, villageCodes: $villages) {
    follows { city villageCodes } errors { field code } } }"""
NEWS = """query($tag: String, $first: Int, $after: String) { news(tag: $tag, first: $first,
  after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id title summary bodyHtml pinned tags urgency coverPhoto { url }
                 editorial { status } } } } }"""


async def save_and_publish(gql, token, article):
    saved = await gql(SAVE, {"input": article}, token=token)
    assert saved["data"]["saveArticle"]["errors"] == [], saved
    article_id = saved["data"]["saveArticle"]["article"]["id"]
    published = await gql(PUBLISH, {"id": article_id}, token=token)
    assert published["data"]["publishArticle"]["errors"] == [], published
    return article_id


async def test_an_urgent_road_closure_for_tulungrejo_reaches_its_followers_only(
        gql, make_user, fcm_settings, fake_fcm):  # noqa: F811 (fixtures)
    """Urgent announcements go out as FCM topic messages: each follower's phone is put in the
    village's (or the city's) topic through firebase-admin, and one message to the topic is
    all the city sends. The fake FCM keeps the topic members and says whom a send reaches."""
    await load_demo_areas(echo=lambda *_: None)
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    phones = {}
    for name, city_wide, villages in (("Warga Tulungrejo", False, ["bumiaji-tulungrejo"]),
                                      ("Warga Punten", False, ["bumiaji-punten"]),
                                      ("Warga Kota", True, []),
                                      ("Tidak Mengikuti", False, [])):
        _, token = await make_user(Role.CITIZEN, name=name)
        phones[name] = (token, f"fcm-token-of-{name.replace(' ', '-').lower()}")
        registered = await gql(REGISTER, {"token": phones[name][1]}, token=token)
        assert registered["data"]["registerDevice"]["errors"] == [], registered
        body = await gql(FOLLOW, {"city": city_wide, "villages": villages}, token=token)
        assert body["data"]["followAnnouncements"]["errors"] == [], body
    unknown = await gql(FOLLOW, {"city": False, "villages": ["atlantis"]},
                        token=phones["Warga Kota"][0])
    assert [e["code"] for e in unknown["data"]["followAnnouncements"]["errors"]] == [
        "UNKNOWN_VILLAGE"]

    article_id = await save_and_publish(gql, editor, {
        "title": {"id": "Jalan Raya Selecta ditutup", "en": "Jalan Raya Selecta closed"},
        "body": {"id": "Longsor di Tulungrejo; gunakan jalur alternatif."},
        "urgency": "ROAD_CLOSURE", "villageCodes": ["bumiaji-tulungrejo"],
        "tags": ["lalu-lintas"]})
    # One topic message queued with the publication, no push per person.
    queued = await TopicPush.all()
    assert [q.topics for q in queued] == [["batt.kota%3Avillage%3Abumiaji-tulungrejo"]]
    assert await PushMessage.all().count() == 0

    report = await sender.run_push_job(fcm_settings)
    assert report["topic_joined"] == 3 and report["topic_push_sent"] == 1, report
    [send] = [s for s in fake_fcm.sends if "token" not in s.message]
    assert fake_fcm.reached_by(send) == {phones["Warga Tulungrejo"][1]}
    assert send.message["notification"]["title"] == "Jalan Raya Selecta ditutup"
    assert send.message["data"] == {"type": "announcement", "articleId": article_id,
                                    "urgency": "ROAD_CLOSURE"}

    # Editing and publishing again does not push it again.
    await gql(SAVE, {"input": {"id": article_id, "title": {"id": "Jalan Raya Selecta ditutup"},
                               "urgency": "ROAD_CLOSURE", "villageCodes": ["bumiaji-tulungrejo"]}},
              token=editor)
    await gql(PUBLISH, {"id": article_id}, token=editor)
    assert await TopicPush.all().count() == 1

    # Punten's resident stops following: the phone leaves the topic at FCM.
    body = await gql(FOLLOW, {"city": False, "villages": []}, token=phones["Warga Punten"][0])
    assert body["data"]["followAnnouncements"]["errors"] == [], body
    # A city-wide one reaches the city's followers only.
    await save_and_publish(gql, editor, {"title": {"id": "Pemadaman air PDAM"},
                                         "urgency": "WATER_OUTAGE"})
    report = await sender.run_push_job(fcm_settings)
    assert report["topic_left"] == 1 and report["topic_push_sent"] == 1, report
    assert fake_fcm.topics["batt.kota%3Avillage%3Abumiaji-punten"] == set()
    city_send = [s for s in fake_fcm.sends if "token" not in s.message][-1]
    assert fake_fcm.reached_by(city_send) == {phones["Warga Kota"][1]}
    # What a resident follows is their personal data.
    my_data = await gql("{ myData }", token=phones["Warga Tulungrejo"][0])
    assert "village:bumiaji-tulungrejo" in my_data["data"]["myData"]


async def test_news_list_pinned_first_by_tag_with_cover_and_atom_feed(gql, client, make_user):
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    photo = await upload_photo(client, editor)
    first = await save_and_publish(gql, editor, {"title": {"id": "Festival Apel"},
                                                 "tags": ["wisata"], "coverPhotoId": photo,
                                                 "body": {"id": "Panen **apel** manalagi."}})
    pinned = await save_and_publish(gql, editor, {"title": {"id": "Jam layanan Balai Kota"},
                                                  "pinned": True, "tags": ["layanan"]})
    latest = await save_and_publish(gql, editor, {"title": {"id": "Pasar Tani Minggu"},
                                                  "tags": ["wisata"]})
    body = await gql(NEWS, {})
    ids = [e["node"]["id"] for e in body["data"]["news"]["edges"]]
    assert ids == [pinned, latest, first]
    cover = body["data"]["news"]["edges"][2]["node"]["coverPhoto"]["url"]
    assert "/media/" in cover and "signature" not in cover  # published photo: public URL
    tagged = await gql(NEWS, {"tag": "wisata", "first": 1})
    page = tagged["data"]["news"]
    assert page["totalCount"] == 2 and page["edges"][0]["node"]["id"] == latest
    rest = await gql(NEWS, {"tag": "wisata", "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["id"] for e in rest["data"]["news"]["edges"]] == [first]

    response = await client.get("/feeds/news.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == [
        "Jam layanan Balai Kota", "Pasar Tani Minggu", "Festival Apel"]
    assert "<strong>apel</strong>" in entries[2].find(f"{atom}content").text
    again = await client.get("/feeds/news.atom",
                             headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
