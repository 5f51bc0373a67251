"""``GET /feeds/news.atom``: published news and announcements as an Atom feed (RFC 4287),
newest 50, pinned first like the app; bilingual by ``Accept-Language`` (or ``?lang=en``);
with an ETag, served from the public-read cache."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from among_kota.events import KotaEvent
from among_kota.news.listing import answers_hold_until, news_queryset
from backend.clock import utcnow
from backend.i18n import localized, preferred_language
from backend.markdown import plain_text, render_markdown
from backend.read_cache import cached_public_route

ATOM = "http://www.w3.org/2005/Atom"
FEED_ID = "tag:batt.batukota.go.id,2026:among-kota/news"
FEED_SIZE = 50


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


async def atom_bytes(language: str, base_url: str, now: datetime | None = None) -> bytes:
    articles = await news_queryset(None, now).order_by("-feed_key", "-id").limit(FEED_SIZE)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": language})
    _sub(feed, "id", FEED_ID)
    _sub(feed, "title", "Berita Kota Batu" if language != "en" else "Kota Batu news")
    updated = max((a.updated_at for a in articles), default=utcnow())
    _sub(feed, "updated", updated.isoformat())
    _sub(feed, "link", rel="self", href=f"{base_url}/feeds/news.atom")
    author = _sub(feed, "author")
    _sub(author, "name", "Pemerintah Kota Batu")
    for article in articles:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{FEED_ID}/{article.id}")
        _sub(entry, "title", localized(article, "title", language))
        _sub(entry, "published", (article.published_at or article.updated_at).isoformat())
        _sub(entry, "updated", article.updated_at.isoformat())
        body = localized(article, "body", language)
        _sub(entry, "summary", plain_text(body, 300))
        _sub(entry, "content", render_markdown(body), type="html")
        for tag in article.content.get("tags") or []:
            _sub(entry, "category", term=tag)
        if article.urgency is not None:
            _sub(entry, "category", term=f"urgent:{article.urgency.value.lower()}")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@cached_public_route(invalidated_by=(KotaEvent.NEWS_PUBLISHED, KotaEvent.NEWS_UPDATED,
                                     KotaEvent.NEWS_WITHDRAWN))
async def news_atom(request: Request) -> Response:
    """Served from the read cache with an ETag (``If-None-Match`` → 304) and the platform's
    public Cache-Control; dropped when news changes or the first article shown expires."""
    language = request.query_params.get("lang") or preferred_language(
        request.headers.get("accept-language"))
    language = "en" if language == "en" else "id"
    base = f"{request.url.scheme}://{request.url.netloc}"
    now = utcnow()
    body = await atom_bytes(language, base, now)
    await answers_hold_until(now)
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"Vary": "Accept-Language"})


routes = [Route("/feeds/news.atom", news_atom)]
