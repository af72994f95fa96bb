"""The desk's corrections as gold data: every article whose claims an editor corrected,
added, split, merged or removed, in the gold JSONL format of ``../shared/eval/``
(README_quotes.md): one article per line, its text and its live claims as quotes with
offsets and speakers, so the next extractor can be trained and tested on them
(``score_quotes.py GOLD PRED`` reads the file as it is).

Speakers are the desk's resolved names with their aliases (as in ``seed_quotes.jsonl``),
not mentions, so ``speaker_start``/``speaker_end`` are null; a repeated quote (e.g. a
caption printed twice) goes to ``ignore_spans``, as in the seed.
"""
from __future__ import annotations

import json
from typing import IO, Any, Iterator, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Article, Claim, Speaker, iso_utc

# Desk kinds as the gold format names them: a "statement" is reported, not quoted.
GOLD_KINDS = {"direct": "direct", "partial": "partial", "indirect": "indirect", "statement": "indirect"}
CUE_WINDOW = 300  # characters either side of a claim searched for its cue's words


def corrected_article_ids() -> list[int]:
    """Articles with at least one claim an editor corrected, added or removed, oldest first."""
    touched = sa.or_(Claim.edited.is_(True), Claim.removed_at.is_not(None))
    return list(db.session.scalars(sa.select(Claim.article_id).where(touched).distinct().order_by(Claim.article_id)))


def _cue_span(text: str, cue: Optional[str], claim: Claim) -> Optional[tuple[int, int]]:
    """The cue's words nearest the claim (outside it first), or None when they are not there."""
    if not cue:
        return None
    lo, hi = max(0, claim.start - CUE_WINDOW), min(len(text), claim.end + CUE_WINDOW)
    best: Optional[tuple[int, int]] = None  # (distance, offset)
    pos = text.find(cue, lo, hi)
    while pos != -1:
        inside = claim.start <= pos < claim.end
        distance = (len(text) if inside else 0) + min(abs(pos - claim.end), abs(pos + len(cue) - claim.start))
        if best is None or distance < best[0]:
            best = (distance, pos)
        pos = text.find(cue, pos + 1, hi)
    return None if best is None else (best[1], best[1] + len(cue))


def gold_quote(claim: Claim, text: str) -> dict[str, Any]:
    """One live claim as a gold quote (``text[content_start:content_end] == content``)."""
    pieces = [list(p) for p in claim.pieces]
    cue = _cue_span(text, claim.cue, claim)
    speaker = claim.speaker
    return {
        "content": text[claim.start:claim.end], "content_start": claim.start, "content_end": claim.end,
        "content_spans": pieces,
        "speaker": speaker.name if speaker else None, "speaker_start": None, "speaker_end": None,
        "speaker_spans": None, "speaker_aliases": [a.alias for a in speaker.aliases] if speaker else [],
        "cue": text[cue[0]:cue[1]] if cue else None, "cue_start": cue[0] if cue else None,
        "cue_end": cue[1] if cue else None, "cue_spans": [list(cue)] if cue else None,
        "kind": GOLD_KINDS.get(claim.kind, "indirect"), "direct": claim.kind == "direct",
        "claim_id": claim.id, "edited": claim.edited,
    }


def gold_record(article: Article, claims: list[Claim]) -> dict[str, Any]:
    """The article as one gold line: its text and its live claims in reading order."""
    text = article.text
    live = [c for c in claims if not c.removed]
    quotes = [gold_quote(c, text) for c in live if c.duplicate_of_id is None]
    return {
        "id": f"claimdesk-{article.id}", "split": "claimdesk", "title": article.title,
        "publisher": article.publisher, "url": article.url, "text": text, "quotes": quotes,
        "ignore_spans": [[c.start, c.end] for c in live if c.duplicate_of_id is not None],
        "removed_claims": sorted(c.id for c in claims if c.removed),
        "published_at": iso_utc(article.published_at),
    }


def corrected_records(batch_size: int = 50) -> Iterator[dict[str, Any]]:
    """Gold records of every corrected article, read ``batch_size`` articles at a time."""
    ids = corrected_article_ids()
    for i in range(0, len(ids), batch_size):
        chunk = ids[i:i + batch_size]
        claims: dict[int, list[Claim]] = {}
        for claim in db.session.scalars(
                sa.select(Claim).where(Claim.article_id.in_(chunk))
                .options(so.selectinload(Claim.speaker).selectinload(Speaker.aliases))
                .order_by(Claim.start, Claim.id)):
            claims.setdefault(claim.article_id, []).append(claim)
        for article in db.session.scalars(sa.select(Article).where(Article.id.in_(chunk)).order_by(Article.id)):
            yield gold_record(article, claims.get(article.id, []))
        db.session.expunge_all()


def write_corrections(out: IO[str]) -> tuple[int, int]:
    """Write the gold JSONL to ``out``; (articles, quotes) written."""
    articles = quotes = 0
    for record in corrected_records():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        articles += 1
        quotes += len(record["quotes"])
    return articles, quotes
