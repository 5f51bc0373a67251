from __future__ import annotations

from xml.etree import ElementTree as ET

from backend.accounts.models import Role
from backend.geo.services import load_demo_areas
from backend.push.models import PushMessage
from tests.among_warga.test_complaints import upload_photo

SAVE = """mutation($input: ArticleInput!) { saveArticle(input: $input) {
  article { id slug title urgency villageCodes coverPhoto { url } } errors { field code } } }"""
PUBLISH = """mutation($id: ID!) { publishArticle(id: $id) { article { id publishedAt }
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


async def test_an_urgent_road_closure_for_tulungrejo_reaches_its_followers_only(gql,
                                                                                make_user):
    await load_demo_areas(echo=lambda *_: None)
    _, editor = await make_user(Role.CONTENT_EDITOR, skpd="diskominfo")
    tulungrejo, tulungrejo_token = await make_user(Role.CITIZEN, name="Warga Tulungrejo")
    punten, punten_token = await make_user(Role.CITIZEN, name="Warga Punten")
    city, city_token = await make_user(Role.CITIZEN, name="Warga Kota")
    await make_user(Role.CITIZEN, name="Tidak Mengikuti")
    for token, city_wide, villages in ((tulungrejo_token, False, ["bumiaji-tulungrejo"]),
                                       (punten_token, False, ["bumiaji-punten"]),
                                       (city_token, True, [])):
        body = await gql(FOLLOW, {"city": city_wide, "villages": villages}, token=token)
        assert body["data"]["followAnnouncements"]["errors"] == [], body
    unknown = await gql(FOLLOW, {"city": False, "villages": ["atlantis"]}, token=city_token)
    assert [e["code"] for e in unknown["data"]["followAnnouncements"]["errors"]] == [
        "UNKNOWN_VILLAGE"]

    article_id = await save_and_publish(gql, editor, {
        "title": {"id": "Jalan Raya Selecta ditutup", "en": "Jalan Raya Selecta closed"},
        "body": {"id": "Longsor di Tulungrejo; gunakan jalur alternatif."},
        "urgency": "ROAD_CLOSURE", "villageCodes": ["bumiaji-tulungrejo"],
        "tags": ["lalu-lintas"]})
    pushed = await PushMessage.all()
    assert [p.user_id for p in pushed] == [tulungrejo.id]
    assert pushed[0].title == "Jalan Raya Selecta ditutup"
    assert pushed[0].data == {"type": "announcement", "articleId": article_id,
                              "urgency": "ROAD_CLOSURE"}
    # Editing and publishing again does not push it again.
    await gql(SAVE, {"input": {"id": article_id, "title": {"id": "Jalan Raya Selecta ditutup"},
                               "urgency": "ROAD_CLOSURE", "villageCodes": ["bumiaji-tulungrejo"]}},
              token=editor)
    await gql(PUBLISH, {"id": article_id}, token=editor)
    assert await PushMessage.all().count() == 1

    # A city-wide one reaches the city's followers.
    await save_and_publish(gql, editor, {"title": {"id": "Pemadaman air PDAM"},
                                         "urgency": "WATER_OUTAGE"})
    assert sorted(p.user_id for p in await PushMessage.all()) == sorted([tulungrejo.id,
                                                                         city.id])
    # What a resident follows is their personal data.
    my_data = await gql("{ myData }", token=punten_token)
    assert '"topic": "village:bumiaji-punten"' in my_data["data"]["myData"] or \
        "village:bumiaji-punten" in my_data["data"]["myData"]


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
