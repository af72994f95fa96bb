"""Wire copies in the database: the LSH band keys of every article (table ``article_bands``)
and the copy each ingest finds (``article_copies``); claims of a copy that repeat the
original's are linked to them (``Claim.duplicate_of``) so they are not new work.

``app.ingest.service.ingest_article`` calls ``find_copy`` before its write transaction and
``remember`` / ``link_repeats`` inside it. Every process reads the same table, so the index
survives restarts and serves any number of web workers and consumers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import sqlalchemy as sa

from app.copies.minhash import Sketch, jaccard, shingle_hashes, sketch, words
from app.extensions import db
from app.models import Article, ArticleBand, ArticleCopy, Claim

# An article is a copy of a stored one when their word shingles' Jaccard similarity reaches
# this (bench/copies.py: copies of PolNeAR articles 0.32-1.0, different reports <= 0.12).
COPY_THRESHOLD = 0.3
MAX_CANDIDATES = 10  # stored articles, most shared band keys first, checked exactly
# A claim of the copy repeats one of the original's when their words overlap this much.
REPEAT_THRESHOLD = 0.8


@dataclass(frozen=True)
class CopyMatch:
    original_id: int
    similarity: float


def find_copy(text_sketch: Sketch, *, exclude: Optional[int] = None) -> Optional[CopyMatch]:
    """The stored article that ``text_sketch``'s text copies (most similar, at or above
    ``COPY_THRESHOLD``), or None. Reads only: call it before the write transaction."""
    if text_sketch.empty:
        return None
    hits = sa.func.count().label("hits")
    stmt = (sa.select(ArticleBand.article_id, hits)
            .where(ArticleBand.band_key.in_(text_sketch.band_keys))
            .group_by(ArticleBand.article_id).order_by(hits.desc(), ArticleBand.article_id).limit(MAX_CANDIDATES))
    if exclude is not None:
        stmt = stmt.where(ArticleBand.article_id != exclude)
    candidates = [row.article_id for row in db.session.execute(stmt)]
    if not candidates:
        return None
    best: Optional[CopyMatch] = None
    for article_id, text in db.session.execute(
            sa.select(Article.id, Article.text).where(Article.id.in_(candidates)).order_by(Article.id)):
        similarity = jaccard(text_sketch.shingles, shingle_hashes(text))
        if similarity >= COPY_THRESHOLD and (best is None or similarity > best.similarity):
            best = CopyMatch(article_id, similarity)
    return best


def remember(article: Article, text_sketch: Sketch, match: Optional[CopyMatch]) -> None:
    """Store the article's band keys and, for a copy, what it copies (in the caller's
    transaction; the article has an id)."""
    db.session.add_all(ArticleBand(band_key=key, article_id=article.id) for key in set(text_sketch.band_keys))
    if match is not None:
        db.session.add(ArticleCopy(article_id=article.id, original_id=match.original_id,
                                   similarity=float(match.similarity)))


def link_repeats(claims: Sequence[Claim], original_id: int) -> int:
    """Point each new claim that repeats a claim of the original article at it
    (``duplicate_of``), unless the extractor already linked it to an earlier quote of its
    own article. Call before the claims are flushed. Returns how many were linked."""
    with db.session.no_autoflush:
        original_words = [(claim_id, frozenset(words(content))) for claim_id, content in db.session.execute(
            sa.select(Claim.id, Claim.content).where(Claim.article_id == original_id, Claim.removed_at.is_(None))
            .order_by(Claim.start, Claim.id))]
    linked = 0
    for claim in claims:
        if claim.duplicate_of is not None:
            continue
        mine = frozenset(words(claim.content))
        best_id, best = None, 0.0
        for claim_id, theirs in original_words:
            overlap = _overlap(mine, theirs)
            if overlap > best:
                best_id, best = claim_id, overlap
        if best_id is not None and best >= REPEAT_THRESHOLD:
            claim.duplicate_of_id = best_id
            linked += 1
    return linked


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def index_missing(*, rebuild: bool = False, batch_size: int = 200,
                  on_progress: Callable[[int], None] = lambda n: None) -> int:
    """Store band keys for articles that have none (all of them with ``rebuild``). Copies are
    not looked for: only articles ingested from now on are compared with these. Returns the
    number of articles indexed."""
    if rebuild:
        db.session.execute(sa.delete(ArticleBand))
        db.session.commit()
    done = 0
    last_id = 0
    while True:
        indexed = sa.select(ArticleBand.article_id).where(ArticleBand.article_id == Article.id).exists()
        rows = db.session.execute(sa.select(Article.id, Article.text).where(Article.id > last_id, ~indexed)
                                  .order_by(Article.id).limit(batch_size)).all()
        if not rows:
            return done
        for article_id, text in rows:
            keys = set(sketch(text).band_keys)
            db.session.add_all(ArticleBand(band_key=key, article_id=article_id) for key in keys)
            last_id = article_id
        db.session.commit()
        done += len(rows)
        on_progress(len(rows))
