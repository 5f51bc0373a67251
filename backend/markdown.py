"""Long text written by staff (advisories, news, place descriptions) is Markdown; apps get it
rendered to HTML on the server, sanitised, so no client has to trust what an editor typed.

Two layers, on purpose: markdown-it-py renders CommonMark with raw HTML switched off (a
``<script>`` in the source comes out as text), and nh3 (the Rust ``ammonia`` sanitiser) then
keeps only an allow-list of tags and attributes and only http(s)/mailto links — so a bug or
a future option in one layer is not a hole.
"""

from __future__ import annotations

import functools
import html as html_entities

import nh3
from markdown_it import MarkdownIt

MAX_MARKDOWN_CHARS = 50_000

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "commonmark" with html off; tables and strikethrough are what editors ask for.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}
                      ).enable(["table", "strikethrough"])


def render_markdown(source: str | None) -> str:
    """Sanitised HTML for ``source`` (empty for no text). Links open no window and pass no
    referrer or ranking (``rel="noopener noreferrer nofollow"``)."""
    if not source:
        return ""
    html = _parser().render(source)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(source: str | None, limit: int = 200) -> str:
    """A one-line summary of the Markdown (for lists, pushes and feeds): no markup."""
    if not source:
        return ""
    text = html_entities.unescape(nh3.clean(_parser().render(source), tags=set())).strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
