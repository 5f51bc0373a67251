"""Typo-tolerant text search on PostgreSQL and SQLite, with the same answers on both.

A searchable table has a ``search_text`` column that its domain fills with
:func:`search_document` — every name and description a user may type, in Indonesian and
English, plus synonyms (``kentang``/``potato``) — and a search index from a migration::

    from backend.search import add_search_index

    operations = [ops.AddField(...search_text...), add_search_index("listing")]

Queries compose a condition with SQLAlchemy Core (like the spatial ones) and run it on
Tortoise's connection (:func:`backend.geo.sql.fetch_all`)::

    query = parse_search("manalgi")          # ServiceError for empty / too long input
    condition = matches(LISTINGS, query)    # every word must be found
    order = relevance(LISTINGS, query)      # optional: best matches first

A word matches when its *word similarity* (PostgreSQL pg_trgm's: the best share of the
word's trigrams found in one stretch of the document) reaches :data:`WORD_SIMILARITY` —
"manalgi" finds "Manalagi" (0.62), "musem" finds "Museum" (0.67). PostgreSQL answers from a
GIN trigram index (``word <% search_text``, threshold set per connection in backend/db.py);
SQLite from an FTS5 trigram table that narrows the candidates, then the same similarity
computed by :func:`word_similarity` (registered as an SQL function). The document is
stored with word-boundary markers (``__word_``) so the FTS5 trigrams of a word are exactly
pg_trgm's (which pads words with spaces): the candidates are never fewer than PostgreSQL's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from tortoise.migrations import operations as ops

from backend import db
from backend.errors import ErrorCode, ServiceError, messages
from backend.geo.sql import register_sqlite_function

# The share of a query word's trigrams that must be found together in the document.
# pg_trgm's default is 0.6; 0.5 lets one typo in a 5–8 letter word through ("musem",
# "manalgi", "kentnag") while "apel" does not find "api".
WORD_SIMILARITY = 0.5
SEARCH_COLUMN = "search_text"
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8
# Words shorter than this are ignored in queries ("di", "ke"): too short to tell anything.
MIN_WORD_CHARS = 3
SIMILARITY_FUNCTION = "batt_word_similarity"


class SearchErrorCode(ErrorCode):
    SEARCH_TEXT_TOO_LONG = "search_text_too_long"
    SEARCH_TEXT_EMPTY = "search_text_empty"


messages({
    SearchErrorCode.SEARCH_TEXT_TOO_LONG: (
        f"Kata pencarian terlalu panjang (maksimal {MAX_QUERY_CHARS} karakter).",
        f"The search text is too long (at most {MAX_QUERY_CHARS} characters)."),
    SearchErrorCode.SEARCH_TEXT_EMPTY: (
        "Tulis minimal satu kata dengan 3 huruf atau lebih.",
        "Write at least one word of 3 or more letters."),
})


# -- normalising and trigrams (pg_trgm's rules) ---------------------------------------------


def words_of(text: str | None) -> list[str]:
    """Lower-case words of letters and digits, accents removed ("Café" → "cafe"), as pg_trgm
    splits them (anything not alphanumeric separates words)."""
    if not text:
        return []
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words, current = [], []
    for char in plain:
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def search_document(*texts: str | None) -> str:
    """What to store in ``search_text``: the words of every text, each once, with the
    boundary markers FTS5 needs (``__apel_ __manalagi_``). PostgreSQL ignores the markers."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words_of(text):
            seen.setdefault(word, None)
    return " ".join(f"__{word}_" for word in seen)


def _trigrams(word: str) -> list[str]:
    padded = f"  {word} "
    return [padded[i:i + 3] for i in range(len(padded) - 2)]


def _fts_trigrams(word: str) -> list[str]:
    # The same trigrams as _trigrams, spelled with the stored markers instead of spaces.
    return [t.replace(" ", "_") for t in _trigrams(word)]


def word_similarity(word: str, document: str | None) -> float:
    """pg_trgm's ``word_similarity(word, document)``: the greatest
    ``|T(word) ∩ E| / |T(word) ∪ E|`` over every continuous stretch ``E`` of the document's
    trigram sequence. Only stretches that begin and end on a shared trigram can be best
    (trimming an unshared trigram off an edge never lowers the score), so those are tried."""
    query = set(_trigrams(word))
    if not query or not document:
        return 0.0
    sequence = [t for w in words_of(document) for t in _trigrams(w)]
    shared_at = [i for i, t in enumerate(sequence) if t in query]
    best = 0.0
    for a_index, start in enumerate(shared_at):
        window: set[str] = set()
        end_prev = start - 1
        for end in shared_at[a_index:]:
            window.update(sequence[end_prev + 1:end + 1])
            end_prev = end
            common = len(window & query)
            score = common / (len(query) + len(window) - common)
            if score > best:
                best = score
                if best == 1.0:
                    return best
    return best


def _sqlite_similarity(word: Any, document: Any) -> float:
    if not isinstance(word, str) or not isinstance(document, str):
        return 0.0
    return word_similarity(word, document)


register_sqlite_function(SIMILARITY_FUNCTION, 2, _sqlite_similarity)


# -- queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]

    @property
    def fts_match(self) -> str:
        """An FTS5 query matching any trigram of any word (the candidates)."""
        grams = dict.fromkeys(g for w in self.words for g in _fts_trigrams(w))
        return " OR ".join(f'"{g}"' for g in grams)


def parse_search(text: str | None, *, field: str = "text") -> SearchQuery | None:
    """The words to look for; None when there is no text at all (no filter)."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise ServiceError(SearchErrorCode.SEARCH_TEXT_TOO_LONG, field)
    words = [w for w in dict.fromkeys(words_of(text)) if len(w) >= MIN_WORD_CHARS]
    if not words:
        raise ServiceError(SearchErrorCode.SEARCH_TEXT_EMPTY, field)
    return SearchQuery(tuple(words[:MAX_QUERY_WORDS]))


def fts_table_name(table: str) -> str:
    return f"{table}_search"


def matches(table: sa.Table, query: SearchQuery, *, id_column: str = "id",
            column: str = SEARCH_COLUMN, indexed: bool = True) -> sa.ColumnElement[bool]:
    """Rows of ``table`` where every word of the query is found (typos allowed).
    ``indexed=False``: the same test row by row, never through the search index — for a
    statement that already holds a few rows (a small circle from the spatial index), where
    reading the index's posting lists for a common word costs more than the rows do."""
    text = table.c[column]
    if not indexed:
        function = "word_similarity" if db.dialect() == "postgres" else SIMILARITY_FUNCTION
        return sa.and_(*(getattr(sa.func, function)(w, text) >= WORD_SIMILARITY
                         for w in query.words))
    if db.dialect() == "postgres":
        return sa.and_(*(sa.literal(w).op("<%")(text) for w in query.words))
    fts = sa.table(fts_table_name(table.name), sa.column("rowid"))
    candidates = sa.select(fts.c.rowid).where(
        sa.text(f'"{fts_table_name(table.name)}" MATCH :fts_match').bindparams(
            fts_match=query.fts_match))
    return sa.and_(
        table.c[id_column].in_(candidates),
        *(getattr(sa.func, SIMILARITY_FUNCTION)(w, text) >= WORD_SIMILARITY
          for w in query.words),
    )


def relevance(table: sa.Table, query: SearchQuery, *,
              column: str = SEARCH_COLUMN) -> sa.ColumnElement[float]:
    """Higher for better matches: the mean word similarity of the query's words."""
    text = table.c[column]
    function = "word_similarity" if db.dialect() == "postgres" else SIMILARITY_FUNCTION
    total = sum((getattr(sa.func, function)(w, text) for w in query.words),
                sa.literal(0.0))
    return (total / len(query.words)).label("relevance")


async def search_ids(table: str, query: SearchQuery, *, where: Iterable[Any] = (),
                     limit: int = 1000) -> list[int]:
    """Ids of matching rows, best first — for small tables (a catalogue of a few hundred
    rows) queried through Tortoise (``.filter(id__in=...)``). Large lists compose
    :func:`matches` into their own select instead."""
    from backend.geo.sql import fetch_all

    t = sa.table(table, sa.column("id"), sa.column(SEARCH_COLUMN))
    score = relevance(t, query)
    select = (sa.select(t.c.id, score).where(matches(t, query), *where)
              .order_by(score.desc(), t.c.id).limit(limit))
    return [int(r["id"]) for r in await fetch_all(select)]


# -- migrations -----------------------------------------------------------------------------


def _q(name: str) -> str:
    if '"' in name:
        raise ValueError(f"unsupported identifier {name!r}")
    return f'"{name}"'


def postgres_index_sql(table: str, column: str = SEARCH_COLUMN) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX {_q(f'{table}_{column}_trgm')} ON {_q(table)} "
        f"USING gin ({_q(column)} gin_trgm_ops)",
    ]


def postgres_drop_sql(table: str, column: str = SEARCH_COLUMN) -> list[str]:
    return [f"DROP INDEX IF EXISTS {_q(f'{table}_{column}_trgm')}"]


def sqlite_index_sql(table: str, column: str = SEARCH_COLUMN, id_column: str = "id"
                     ) -> list[str]:
    """An FTS5 trigram table over the column, kept in sync by triggers (plain SQL: the
    markers are stored in the column itself, so no function is needed while writing)."""
    t, fts, col, idc = _q(table), _q(fts_table_name(table)), _q(column), _q(id_column)
    name = fts_table_name(table)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(doc, tokenize='trigram')",
        f"INSERT INTO {fts} (rowid, doc) SELECT {idc}, {col} FROM {t} WHERE {col} IS NOT NULL",
        f"CREATE TRIGGER {_q(name + '_insert')} AFTER INSERT ON {t} "
        f"WHEN NEW.{col} IS NOT NULL BEGIN "
        f"INSERT INTO {fts} (rowid, doc) VALUES (NEW.{idc}, NEW.{col}); END",
        f"CREATE TRIGGER {_q(name + '_update')} AFTER UPDATE OF {col} ON {t} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.{idc}; "
        f"INSERT INTO {fts} (rowid, doc) SELECT NEW.{idc}, NEW.{col} "
        f"WHERE NEW.{col} IS NOT NULL; END",
        f"CREATE TRIGGER {_q(name + '_delete')} AFTER DELETE ON {t} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = OLD.{idc}; END",
    ]


def sqlite_drop_sql(table: str) -> list[str]:
    name = fts_table_name(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {_q(name + s)}" for s in ("_insert", "_update", "_delete")),
        f"DROP TABLE IF EXISTS {_q(name)}",
    ]


def add_search_index(table: str, *, column: str = SEARCH_COLUMN, id_column: str = "id"
                     ) -> ops.RunPython:
    """The migration operation giving ``table.column`` its search index on either database."""
    from backend.geo.indexes import dialect_operation

    return dialect_operation(
        postgres_index_sql(table, column), sqlite_index_sql(table, column, id_column),
        postgres_drop_sql(table, column), sqlite_drop_sql(table),
    )


async def create_search_index(table: str, *, column: str = SEARCH_COLUMN,
                              id_column: str = "id") -> None:
    """Create the index on the current connection (tests, or a table made outside
    migrations)."""
    statements = (postgres_index_sql(table, column) if db.dialect() == "postgres"
                  else sqlite_index_sql(table, column, id_column))
    for statement in statements:
        await db.connection().execute_query(statement)
