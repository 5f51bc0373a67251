"""Text search: the same typo-tolerant answers on SQLite (FTS5 trigrams + the similarity in
Python) and PostgreSQL (pg_trgm's GIN index), and Markdown rendered safely."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from backend import db
from backend.errors import ServiceError
from backend.geo.sql import fetch_all, fetch_raw
from backend.markdown import plain_text, render_markdown
from backend.search import (
    SearchErrorCode,
    create_search_index,
    matches,
    parse_search,
    relevance,
    search_document,
    search_ids,
    word_similarity,
)
from tests.conftest import USING_POSTGRES

CORPUS = {
    1: ("Apel Manalagi", "Manalagi apple", "Apel manis dari Tulungrejo, panen minggu ini."),
    2: ("Kentang Granola", "Granola potato", "Kentang dataran tinggi Sumber Brantas."),
    3: ("Museum Angkut", "Transport museum", "Museum kendaraan di Jalan Terusan Sultan Agung."),
    4: ("Apel Anna", "Anna apple", "Apel hijau segar."),
    5: ("Jeruk Keprok Batu 55", "Batu 55 mandarin orange", "Jeruk manis khas Kota Batu."),
    6: ("Pasar Besar Malang", "Malang market", "Pasar di kota tetangga."),
    7: ("Bunga Krisan", "Chrysanthemum", "Krisan potong dari Sidomulyo, desa bunga."),
}

PROBE = sa.table("search_probe", sa.column("id"), sa.column("search_text"))


@pytest.fixture
async def probe(database):
    conn = db.connection()
    key = "SERIAL PRIMARY KEY" if db.dialect() == "postgres" else "INTEGER PRIMARY KEY"
    await conn.execute_script(f"CREATE TABLE search_probe (id {key}, search_text TEXT)")
    await create_search_index("search_probe")
    for row_id, texts in CORPUS.items():
        await conn.execute_query(
            "INSERT INTO search_probe (id, search_text) VALUES "
            + ("($1, $2)" if db.dialect() == "postgres" else "(?, ?)"),
            [row_id, search_document(*texts)])
    yield
    await conn.execute_script("DROP TABLE IF EXISTS search_probe")
    if db.dialect() == "sqlite":
        await conn.execute_script("DROP TABLE IF EXISTS search_probe_search")


async def found(text: str) -> list[int]:
    query = parse_search(text)
    score = relevance(PROBE, query)
    rows = await fetch_all(sa.select(PROBE.c.id, score).where(matches(PROBE, query))
                           .order_by(score.desc(), PROBE.c.id))
    return [int(r["id"]) for r in rows]


@pytest.mark.parametrize(("text", "expected"), [
    ("manalgi", [1]),                    # a typo still finds Manalagi …
    ("Manalagi", [1]),
    ("kentang", [2]),                    # … in Indonesian and in English
    ("potato", [2]),
    ("musem angkut", [3]),               # two words, one with a typo: both must match
    ("apple anna", [4]),
    ("crysanthemum", [7]),
    ("krisan sidomulyo", [7]),
    ("jeruk batu", [5]),
    ("bromo", []),
])
async def test_typo_tolerant_search_finds_the_same_on_both_databases(probe, text, expected):
    assert sorted(await found(text)) == sorted(expected)


async def test_best_matches_come_first_and_small_tables_get_ids(probe):
    assert (await found("apel"))[:2] in ([1, 4], [4, 1])
    assert set(await found("apel")) == {1, 4}
    query = parse_search("museum")
    assert await search_ids("search_probe", query) == [3]


async def test_word_similarity_is_pg_trgms(probe):
    pairs = [(w, search_document(*texts)) for texts in CORPUS.values()
             for w in ("manalgi", "apel", "potato", "musem", "krisan", "batu", "malang",
                       "sidomulyo", "chrysantemum", "anna", "55")]
    for word, document in pairs:
        ours = word_similarity(word, document)
        if USING_POSTGRES:
            theirs = (await fetch_raw("SELECT word_similarity($1, $2) AS s",
                                      [word, document]))[0]["s"]
            assert ours == pytest.approx(theirs, abs=1e-6), (word, document)
    assert word_similarity("manalgi", "apel manalagi") == pytest.approx(0.625)


def test_queries_are_checked():
    assert parse_search(None) is None and parse_search("   ") is None
    with pytest.raises(ServiceError) as too_long:
        parse_search("a" * 101)
    assert too_long.value.code == SearchErrorCode.SEARCH_TEXT_TOO_LONG
    with pytest.raises(ServiceError) as empty:
        parse_search("di ke")
    assert empty.value.code == SearchErrorCode.SEARCH_TEXT_EMPTY
    assert parse_search("Café  CAFE café!").words == ("cafe",)


def test_the_postgres_threshold_is_the_search_modules():
    from backend.db import _connection_config
    from backend.search import WORD_SIMILARITY

    config = _connection_config("postgres://u:p@127.0.0.1:5432/batt")
    settings = config["credentials"]["server_settings"]
    assert float(settings["pg_trgm.word_similarity_threshold"]) == WORD_SIMILARITY


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "# Waspada **wereng**\n\n<script>alert(1)</script>\n\n"
        "[Dinas](https://pertanian.batukota.go.id) [x](javascript:alert(1)) "
        "![foto](https://batt.example/media/a.jpg)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Waspada <strong>wereng</strong></h1>" in html
    assert "<script" not in html and "href=\"javascript" not in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert '<img src="https://batt.example/media/a.jpg" alt="foto">' in html
    assert "<table>" in html
    assert render_markdown(None) == "" and render_markdown("") == ""
    assert plain_text("**Panen** & _jual_ <b>sekarang</b>") == "Panen & jual <b>sekarang</b>"
