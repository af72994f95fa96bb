"""The lexical signal of related claims and evidence: the database's own full-text search.

SQLite: FTS5 tables ``claims_fts`` / ``evidence_fts`` ranked by ``bm25()``; PostgreSQL:
``search_vector`` columns (GIN) ranked by ``ts_rank_cd``. Both are kept in step by the
database (triggers, generated columns: migration 4177fe70392b).

A query is the text's words (stop words dropped, the database stems them). Its cost grows
with the rows that match, so a lookup scores at most ``budget`` rows: words are taken
from the rarest up while their document frequencies fit (SQLite counts a word's matches,
PostgreSQL reads its frequency from the planner's statistics of ``search_vector``). A
frequent word carries little weight in BM25, and none of the rows it alone would add
could reach the top. Every match of the query is returned, so the signal's statistics
over the collection are exact for it.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from app.extensions import db
from app.similarity.lexical import STOP_WORDS

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
CACHE_SECONDS = 3600.0  # document frequencies drift slowly
MAX_WORDS = 64


def query_words(text: str) -> list[str]:
    """The distinct words of ``text`` a full-text query asks for (lowercase, no stop words)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if word not in STOP_WORDS and word not in seen:
            seen[word] = None
    return list(seen)[:MAX_WORDS]


@dataclass
class LexicalMatches:
    """Every row matching a lexical query, with its score (higher is better)."""

    ids: np.ndarray
    scores: np.ndarray
    words: list[str]  # the words queried (after the budget)

    @classmethod
    def empty(cls) -> "LexicalMatches":
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), [])


_TABLES = {
    "sqlite": {"claim": "claims_fts", "evidence": "evidence_fts", "factcheck": "factchecks_fts"},
    "postgresql": {"claim": "claims", "evidence": "evidence", "factcheck": "factchecks"},
}


class _Frequencies:
    """Per-process cache of document frequencies, refreshed every few minutes."""

    def __init__(self) -> None:
        self.values: dict[tuple, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple):
        hit = self.values.get(key)
        if hit is not None and time.monotonic() - hit[1] < CACHE_SECONDS:
            return hit[0]
        return None

    def put(self, key: tuple, value) -> None:
        with self.lock:
            if len(self.values) > 200_000:
                self.values.clear()
            self.values[key] = (value, time.monotonic())


_FREQUENCIES = _Frequencies()


def forget_frequencies() -> None:
    """Drop this process's cached word frequencies (e.g. after the tables were emptied)."""
    with _FREQUENCIES.lock:
        _FREQUENCIES.values.clear()


def dialect() -> str:
    return db.session.get_bind().dialect.name


def _fetch_all(sql: str, params: tuple) -> list[tuple]:
    """Rows of a query on the session's connection, through the driver's own cursor
    (thousands of (id, score) rows: SQLAlchemy's row objects would cost more than the query)."""
    dbapi = db.session.connection().connection.dbapi_connection
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def search(kind: str, text: str, *, budget: int) -> LexicalMatches:
    """All rows of ``kind`` ("claim" or "evidence") matching the words of ``text`` that fit
    the budget, scored by the database (SQLite: -bm25(), PostgreSQL: ts_rank_cd())."""
    words = query_words(text)
    if not words:
        return LexicalMatches.empty()
    name = dialect()
    if name == "sqlite":
        return _search_sqlite(kind, words, budget)
    if name == "postgresql":
        return _search_postgresql(kind, words, budget)
    raise NotImplementedError(f"full-text search on {name}")


def _within_budget(words: list, frequencies: list[float], budget: int) -> list:
    """The rarest words whose frequencies add up to at most ``budget`` rows."""
    chosen, total = [], 0.0
    for frequency, word in sorted(zip(frequencies, range(len(words)))):
        if total + frequency > budget:
            break
        chosen.append(words[word])
        total += frequency
    return chosen


# --- SQLite FTS5 --------------------------------------------------------------------------


def _fts5_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _search_sqlite(kind: str, words: list[str], budget: int) -> LexicalMatches:
    table = _TABLES["sqlite"][kind]
    counts = [_FREQUENCIES.get(("sqlite", table, word)) for word in words]
    unknown = [word for word, count in zip(words, counts) if count is None]
    if unknown:  # one round trip for the words not seen lately
        found = _fetch_all("SELECT " + ", ".join(f"(SELECT count(*) FROM {table} WHERE {table} MATCH ?)"
                                                 for _ in unknown), tuple(_fts5_phrase(w) for w in unknown))[0]
        for word, count in zip(unknown, found):
            _FREQUENCIES.put(("sqlite", table, word), int(count or 0))
        counts = [_FREQUENCIES.get(("sqlite", table, word)) or 0 for word in words]
    chosen = [w for w, c in zip(words, counts) if c > 0]
    chosen = _within_budget(chosen, [c for c in counts if c > 0], budget)
    if not chosen:
        return LexicalMatches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), [])
    rows = _fetch_all(f"SELECT rowid, -bm25({table}) FROM {table} WHERE {table} MATCH ?",
                      (" OR ".join(_fts5_phrase(w) for w in chosen),))
    return _matches(rows, chosen)


def _matches(rows, words) -> LexicalMatches:
    if not rows:
        return LexicalMatches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), words)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    scores = np.fromiter((r[1] for r in rows), dtype=np.float32, count=len(rows))
    return LexicalMatches(ids, scores, words)


# --- PostgreSQL ---------------------------------------------------------------------------


def _tsquery_literal(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _common_lexemes(table: str) -> tuple[dict[str, float], float, float]:
    """(lexeme -> share of rows, the smallest share listed, rows) from pg_stats (cached)."""
    key = ("postgresql", table, "*stats*")
    cached = _FREQUENCIES.get(key)
    if cached is not None:
        return cached
    row = db.session.execute(sa.text(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = :t AND attname = 'search_vector'"),
        {"t": table}).first()
    # reltuples: -1 until the table is first analysed (then no word counts as frequent).
    rows = float(db.session.execute(sa.text(
        "SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}).scalar() or 0)
    shares: dict[str, float] = {}
    floor = 0.0
    if row is not None and row[0] and row[1]:
        # most_common_elem_freqs: one share per element, then min, max and the null share.
        shares = dict(zip(row[0], row[1][: len(row[0])]))
        floor = float(row[1][len(row[0])]) if len(row[1]) > len(row[0]) else min(shares.values())
    value = (shares, floor, max(rows, 0.0))
    _FREQUENCIES.put(key, value)
    return value


def _search_postgresql(kind: str, words: list[str], budget: int) -> LexicalMatches:
    table = _TABLES["postgresql"][kind]
    lexemes = db.session.execute(sa.text("SELECT tsvector_to_array(to_tsvector('english', :t))"),
                                 {"t": " ".join(words)}).scalar() or []
    if not lexemes:
        return LexicalMatches.empty()
    shares, floor, rows = _common_lexemes(table)
    # A lexeme missing from the statistics is rarer than the rarest one they list.
    estimates = [shares.get(lexeme, floor) * rows for lexeme in lexemes]
    chosen = _within_budget(list(lexemes), estimates, budget)
    if not chosen:
        return LexicalMatches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), [])
    query = " | ".join(_tsquery_literal(lexeme) for lexeme in chosen)
    rows_found = _fetch_all(  # CAST: the lexemes as they are, no re-stemming
        f"SELECT id, ts_rank_cd(search_vector, q) FROM {table}, CAST(%s AS tsquery) AS q WHERE search_vector @@ q",
        (query,))
    return _matches(rows_found, chosen)
