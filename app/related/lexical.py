"""The lexical signal of related claims and evidence: the database's own full-text search.

SQLite: FTS5 tables ``claims_fts`` / ``evidence_fts`` / ``factchecks_fts``; PostgreSQL:
``search_vector`` columns (GIN). Both are kept in step by the database (triggers, generated columns: migrations 4177fe70392b,
c7a2e9f4b610, e4b8d2f7a913).

Words are tokenised as the engine's BM25 does (app/similarity/lexical.py): the databases
keep whole lowercased words (FTS5 ``unicode61`` without Porter, PostgreSQL's ``simple``
configuration: no stemming), and a query asks for each of the text's words (stop words
dropped) with and without its plural ``s``, the one folding the engine makes ("claims"
and "claim" are one term; "vaccination" and "vaccine" are not). So the desk and the
engine match the same documents.

The databases find the rows; the score is the engine's Okapi BM25 (k1 1.5, b 0.75, the
same IDF), worked out here from the matched rows' text: a term's document frequency is
the number of matched rows holding it (every row holding it matches), a row's length
its count of terms, the collection's size and average length are read from the table
(cached for ten minutes; the average from at most ``LENGTH_SAMPLE`` rows). The database's
own ranks (FTS5 ``bm25()`` with k1 1.2 and stop words counted, PostgreSQL
``ts_rank_cd``) order rows differently, and the fusion reads the lexical ranks closely.

A query's cost grows with the rows that match, so a lookup scores at most ``budget``
rows: terms are taken from the rarest up while their document frequencies fit (SQLite
counts a term's matches, PostgreSQL reads its frequency from the planner's statistics of
``search_vector``). A frequent term carries little weight in BM25, and none of the rows
it alone would add could reach the top. Every match of the query is returned, so the
signal's statistics over the collection are exact for it.
"""
from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Optional

import numpy as np
import sqlalchemy as sa

from app.extensions import db
from app.similarity.lexical import STOP_WORDS, BM25Index

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
CACHE_SECONDS = 3600.0  # document frequencies drift slowly
STATS_SECONDS = 600.0  # the collection's size and average length (read again every ten minutes)
LENGTH_SAMPLE = 20_000  # rows read for the average length
MAX_WORDS = 64
_ENGINE = BM25Index()  # its k1 and b


def query_words(text: str) -> list[str]:
    """The distinct terms of ``text`` a full-text query asks for: lowercase words, stop
    words dropped, a plural ``s`` folded as the engine's :func:`~app.similarity.lexical.tokenize`
    does (``claims`` -> ``claim``)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if word in STOP_WORDS:
            continue
        term = fold_plural(word)
        if term not in seen:
            seen[term] = None
    return list(seen)[:MAX_WORDS]


def terms(text: str) -> list[str]:
    """All the terms of ``text`` in order (as :func:`query_words`, repeats kept): for ASCII
    text the engine's :func:`~app.similarity.lexical.tokenize`."""
    return [fold_plural(w) for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOP_WORDS]


def fold_plural(word: str) -> str:
    """The engine's one folding: a trailing ``s`` off words longer than three letters
    (not ``ss``)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def word_forms(term: str) -> tuple[str, ...]:
    """The stored words that fold to ``term``: itself and, where the fold applies, its plural."""
    return (term, term + "s") if len(term) >= 3 and not term.endswith("s") else (term,)


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
# The indexed text of a row (as the FTS5 triggers and the generated columns build it).
_TEXT = {"claim": ("claims", "content"),
         "evidence": ("evidence", "coalesce(title, '') || ' ' || coalesce(excerpt, '')"),
         "factcheck": ("factchecks", "claim_reviewed || ' ' || coalesce(title, '')")}
_FTS5_TEXT = {"claim": "content", "evidence": "body", "factcheck": "body"}


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
    """All rows of ``kind`` ("claim", "evidence" or "factcheck") matching the terms of
    ``text`` that fit the budget, scored by the engine's BM25."""
    words = query_words(text)
    if not words:
        return LexicalMatches.empty()
    name = dialect()
    if name == "sqlite":
        found = _search_sqlite(kind, words, budget)
    elif name == "postgresql":
        found = _search_postgresql(kind, words, budget)
    else:
        raise NotImplementedError(f"full-text search on {name}")
    if found is None:
        return LexicalMatches.empty()
    rows, chosen = found
    return _bm25(kind, rows, chosen, Counter(terms(text)))


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


def _fts5_term(term: str) -> str:
    """An FTS5 query for a term's stored forms (``"claim" OR "claims"``)."""
    return " OR ".join(_fts5_phrase(form) for form in word_forms(term))


def _search_sqlite(kind: str, words: list[str], budget: int) -> Optional[tuple[list[tuple], list[str]]]:
    table = _TABLES["sqlite"][kind]
    counts = [_FREQUENCIES.get(("sqlite", table, word)) for word in words]
    unknown = [word for word, count in zip(words, counts) if count is None]
    if unknown:  # one round trip for the terms not seen lately
        found = _fetch_all("SELECT " + ", ".join(f"(SELECT count(*) FROM {table} WHERE {table} MATCH ?)"
                                                 for _ in unknown), tuple(_fts5_term(w) for w in unknown))[0]
        for word, count in zip(unknown, found):
            _FREQUENCIES.put(("sqlite", table, word), int(count or 0))
        counts = [_FREQUENCIES.get(("sqlite", table, word)) or 0 for word in words]
    chosen = [w for w, c in zip(words, counts) if c > 0]
    chosen = _within_budget(chosen, [c for c in counts if c > 0], budget)
    if not chosen:
        return None
    rows = _fetch_all(f"SELECT rowid, {_FTS5_TEXT[kind]} FROM {table} WHERE {table} MATCH ?",
                      (" OR ".join(_fts5_term(w) for w in chosen),))
    return rows, chosen


def _collection(kind: str) -> tuple[int, float]:
    """(rows, average terms per row) of ``kind``'s table (cached for ``STATS_SECONDS``)."""
    table, text = _TEXT[kind]
    key = ("*collection*", dialect(), kind)
    hit = _FREQUENCIES.values.get(key)
    if hit is not None and time.monotonic() - hit[1] < STATS_SECONDS:
        return hit[0]
    rows = int(_fetch_all(f"SELECT count(*) FROM {table}", ())[0][0] or 0)
    sample = _fetch_all(f"SELECT {text} FROM {table} LIMIT {LENGTH_SAMPLE}", ())
    lengths = [len(terms(r[0] or "")) for r in sample]
    value = (rows, float(sum(lengths)) / len(lengths) if lengths and sum(lengths) else 1.0)
    _FREQUENCIES.put(key, value)
    return value


_ROW_WORDS: dict[str, tuple[str, ...]] = {}
ROW_WORDS_CACHED = 20_000  # rows' words kept per process (the rows frequent words match recur)


def _row_words(text: str) -> tuple[str, ...]:
    """A row's words less stop words, not folded (cached by text: a lookup reads up to
    ``budget`` rows, tokenising them is most of its cost)."""
    found = _ROW_WORDS.get(text)
    if found is None:
        found = tuple(w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in STOP_WORDS)
        if len(_ROW_WORDS) >= ROW_WORDS_CACHED:
            _ROW_WORDS.clear()
        _ROW_WORDS[text] = found
    return found


def _bm25(kind: str, rows: list[tuple], words: list[str], repeats: Counter) -> LexicalMatches:
    """The engine's BM25 of the query ``words`` (each counted as often as the query
    repeats it) for matched ``(id, text)`` rows."""
    if not rows:
        return LexicalMatches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), words)
    # A word counts as the term it folds to; the forms of the query's terms are all that
    # is looked up (no stop word is one).
    term_of = {form: term for term in words for form in word_forms(term)}
    counts, lengths = [], np.zeros(len(rows), dtype=np.float64)
    df: dict[str, int] = dict.fromkeys(words, 0)
    for i, (_, text) in enumerate(rows):
        found = _row_words(text or "")
        lengths[i] = len(found)
        mine = Counter(term_of[w] for w in found if w in term_of)
        for term in mine:
            df[term] += 1
        counts.append(mine)
    n, avgdl = _collection(kind)
    n = max(n, len(rows))
    idf = {t: float(np.log(1.0 + (n - d + 0.5) / (d + 0.5))) * max(repeats.get(t, 1), 1)
           for t, d in df.items() if d}
    k1, b = _ENGINE.k1, _ENGINE.b
    norm = k1 * (1.0 - b + b * lengths / avgdl)
    scores = np.fromiter((sum(idf[t] * tf * (k1 + 1.0) / (tf + norm[i]) for t, tf in mine.items())
                          for i, mine in enumerate(counts)), dtype=np.float64, count=len(rows))
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    keep = scores > 0
    return LexicalMatches(ids[keep], scores[keep].astype(np.float32), words)


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


def _search_postgresql(kind: str, words: list[str], budget: int) -> Optional[tuple[list[tuple], list[str]]]:
    table = _TABLES["postgresql"][kind]
    shares, floor, rows = _common_lexemes(table)
    # A term's rows: those of its stored forms ('simple' lexemes are the lowercased words).
    # A form missing from the statistics is rarer than the rarest one they list: a term
    # none of whose forms is listed counts as that rarest one.
    estimates = [(sum(shares.get(form, 0.0) for form in word_forms(word)) or floor) * rows for word in words]
    chosen = _within_budget(list(words), estimates, budget)
    if not chosen:
        return None
    query = " | ".join(_tsquery_literal(form) for word in chosen for form in word_forms(word))
    rows_found = _fetch_all(  # CAST: the lexemes as they are, no parsing
        f"SELECT id, {_TEXT[kind][1]} FROM {table} WHERE search_vector @@ CAST(%s AS tsquery)", (query,))
    return rows_found, chosen
