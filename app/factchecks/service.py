"""Fact-checks from other publishers: import, list, and rank them for a claim or a text.

The web page, the JSON API and the CLI call these functions; the parsing itself is the
framework-free :mod:`app.factchecks.parse`.

An import stores every readable item (a new url is added, a known one updated) and
reports each refused item with its place and reason; a file that cannot be read at all
is one refused entry. Vectors are encoded before the one write transaction, so an error
there, or while writing, stores nothing: no fact-check is ever half imported (a row
without its vectors, or its vectors without the row).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Optional, Sequence

import numpy as np
import sqlalchemy as sa
from flask import current_app

from app import related
from app.database import begin_write
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.factchecks.parse import FactCheckFileError, FactCheckRecord, ParseResult, Refused, parse_bytes
from app.models import Embedding, FactCheck, User
from app.priority import checked
from app.related import index
from app.similarity.ranking import clean_query_text
from app.transaction import rollback_on_error
from app.workflow.audit import record
from app.workflow.queries import Page, escape_like
from app.workflow.rules import can_edit

BUSY_MESSAGE = "The desk was busy saving something else; no fact-check was imported. Try again."
MAX_FILES = 20
LIMITS = {"publisher": 300, "title": 1000, "rating_name": 300, "claimant": 300}
FIELDS = ("publisher", "claim_reviewed", "title", "rating_name", "rating_value", "best_rating", "worst_rating",
          "published_at", "claimant")


@dataclass
class ImportReport:
    """What an import did: urls added, updated, unchanged, and the items refused (with why)."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        return (f"{len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.refused)} refused")

    def to_json(self) -> dict:
        return {"new": len(self.new), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "refused": [{"where": r.where, "reason": r.reason, "url": r.url} for r in self.refused]}


@dataclass(frozen=True)
class FactCheckFile:
    """A file as it was given: its name (used to tell JSON-LD, CSV and HTML apart) and bytes."""

    name: str
    data: bytes


def read_files(files: Sequence[FactCheckFile]) -> ParseResult:
    """Parse every file; an unreadable file becomes one refused entry; a url given twice
    is kept once (its first place) and the later one refused."""
    result = ParseResult()
    for item in files:
        try:
            result.extend(parse_bytes(item.data, name=item.name))
        except FactCheckFileError as exc:
            result.refused.append(Refused(item.name, str(exc)))
    seen: dict[str, str] = {}
    kept = ParseResult(refused=list(result.refused))
    for rec in result.records:
        if rec.url in seen:
            kept.refused.append(Refused(rec.where, f"same url as {seen[rec.url]}, which was kept", rec.url))
        elif len(rec.url) > 2000:
            kept.refused.append(Refused(rec.where, "the url is longer than 2,000 characters", rec.url[:200]))
        else:
            seen[rec.url] = rec.where
            kept.records.append(rec)
    return kept


def _values(rec: FactCheckRecord) -> dict:
    """The row's columns from a parsed record (long names cut to the column's size)."""
    published = rec.date
    if isinstance(published, date) and not isinstance(published, datetime):
        published = datetime.combine(published, datetime.min.time())
    elif isinstance(published, datetime) and published.tzinfo is not None:  # naive UTC, as every timestamp
        published = (published - published.utcoffset()).replace(tzinfo=None)
    values = {
        "publisher": rec.publisher, "claim_reviewed": rec.claim_reviewed, "title": rec.title,
        "rating_name": rec.rating_name, "rating_value": rec.rating_value, "best_rating": rec.best_rating,
        "worst_rating": rec.worst_rating, "published_at": published, "claimant": rec.claimant,
    }
    for name, limit in LIMITS.items():
        if values[name]:
            values[name] = values[name][:limit]
    return values


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9)
    return a == b


def import_factchecks(
    files: Sequence[FactCheckFile],
    *,
    user_id: Optional[int] = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> ImportReport:
    """Import ClaimReview JSON-LD / HTML / CSV files: new urls are added, known ones updated.

    Args:
        files: the files' names and bytes.
        user_id: who imports (recorded in the audit log and on new rows).
        on_progress: called with (items encoded, items to encode) while vectors are made.
    Returns:
        The report; refused items carry their place in the file and the reason.
    Raises:
        Invalid: no file given, or more than ``MAX_FILES``. Forbidden: the user may not
        change the desk. Busy: nothing was stored.
    """
    started = time.perf_counter()
    if not files:
        raise Invalid("Choose at least one ClaimReview JSON-LD, HTML or CSV file to import.", field="file")
    if len(files) > MAX_FILES:
        raise Invalid(f"Import at most {MAX_FILES} files at once.", field="file")
    user = db.session.get(User, user_id) if user_id else None
    if user is not None and not can_edit(user):
        raise Forbidden("You may not import fact-checks.")
    parsed = read_files(files)
    report = ImportReport(refused=list(parsed.refused))
    records = parsed.records
    existing: dict[str, FactCheck] = {}
    urls = [r.url for r in records]
    for start in range(0, len(urls), 500):
        for row in db.session.scalars(sa.select(FactCheck).where(FactCheck.url.in_(urls[start:start + 500]))):
            existing[row.url] = row
    plans: list[tuple[FactCheckRecord, dict, Optional[FactCheck]]] = []
    for rec in records:
        values = _values(rec)
        row = existing.get(rec.url)
        if row is not None and all(_same(getattr(row, k), values[k]) for k in FIELDS):
            report.unchanged.append(rec.url)
            continue
        plans.append((rec, values, row))
    # The slow part (encoding) before the write transaction, so it stays short.
    texts = [(i, values["claim_reviewed"]) for i, (_rec, values, row) in enumerate(plans)
             if row is None or row.claim_reviewed != values["claim_reviewed"]]
    titles = [(i, values["title"]) for i, (_rec, values, row) in enumerate(plans)
              if values["title"] and (row is None or row.title != values["title"])]
    total = len(texts) + len(titles)
    model = related.embedder()
    vectors: dict[tuple[str, int], np.ndarray] = {}
    done = 0
    for kind, items in (("factcheck", texts), ("factcheck_title", titles)):
        for start in range(0, len(items), 256):
            chunk = items[start:start + 256]
            encoded = model.encode([t for _, t in chunk], batch_size=64,
                                   cache_dir=current_app.config.get("CLAIMDESK_EMBEDDING_CACHE") or None)
            for (i, _t), vector in zip(chunk, encoded):
                vectors[(kind, i)] = vector
            done += len(chunk)
            on_progress(done, total)
    if not plans:
        report.seconds = time.perf_counter() - started
        return report
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        rows: list[FactCheck] = []
        for rec, values, row in plans:
            if row is None:
                row = FactCheck(url=rec.url, imported_by_id=user.id if user else None, **values)
                db.session.add(row)
                report.new.append(rec.url)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                report.updated.append(rec.url)
            rows.append(row)
        db.session.flush()
        for kind, items in (("factcheck", texts), ("factcheck_title", titles)):
            if items:
                related.write_vectors(kind, [(rows[i].id, t) for i, t in items],
                                      np.stack([vectors[(kind, i)] for i, _ in items]), model.dim)
        untitled = [rows[i].id for i, (_rec, values, row) in enumerate(plans) if row is not None and not values["title"]]
        if untitled:  # a headline removed: its vector goes too
            related.delete_vectors("factcheck_title", untitled)
        record("factchecks_imported", user=user, after={
            "files": [f.name for f in files][:MAX_FILES], "new": len(report.new), "updated": len(report.updated),
            "unchanged": len(report.unchanged), "refused": len(report.refused)})
        db.session.commit()
    changed_ids = [row.id for row in rows]
    index.wait_for_rebuild(("factcheck", "factcheck_title"))  # a first import builds the index
    checked.refresh_near_factchecks(changed_ids)
    report.seconds = time.perf_counter() - started
    return report


# --- reading ---------------------------------------------------------------------------------


# A page of fact-checks is the queue's page (items, total, page, per_page, pages, has_prev/next).
FactCheckPage = Page


def search_factchecks(q: str = "", *, page: int = 1, per_page: int = 50) -> FactCheckPage:
    """Imported fact-checks whose claim, headline, publisher or claimant contain every
    word of ``q`` (any case), newest first."""
    per_page = max(1, min(per_page, 200))
    page = max(1, min(page, 1_000_000))
    stmt = sa.select(FactCheck)
    for term in (q or "").split()[:10]:
        pattern = f"%{escape_like(term)}%"
        stmt = stmt.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in (
            FactCheck.claim_reviewed, FactCheck.title, FactCheck.publisher, FactCheck.claimant))))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(stmt.order_by(FactCheck.published_at.desc().nulls_last(), FactCheck.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return FactCheckPage(list(items), total, page, per_page)


def get_factcheck(factcheck_id: int) -> Optional[FactCheck]:
    return db.session.get(FactCheck, factcheck_id)


@dataclass
class RankedFactCheck:
    factcheck: FactCheck
    score: float  # the fusion's score (higher is better)
    cosine: float


def rank_for_text(text: str, vector: Optional[np.ndarray] = None, k: int = 10) -> list[related.Ranked]:
    """Imported fact-checks ranked for a text (cleaned as the engine cleans queries: URLs,
    handles and tweet signatures), as ``python -m app.similarity rank`` ranks its corpus.

    ``vector``: the cleaned text's embedding when the caller has it (else it is encoded).
    """
    cleaned = clean_query_text(text)
    if vector is None:
        vector = related.embedder().encode([cleaned])[0]
    return related.rank("factcheck", cleaned, vector, k=k, title_kind="factcheck_title")


def rank_many(texts: Sequence[str], k: int = 10) -> list[list[related.Ranked]]:
    """``rank_for_text`` for many texts, encoded in one batch."""
    cleaned = [clean_query_text(t) for t in texts]
    vectors = related.embedder().encode(cleaned, batch_size=64) if cleaned else []
    return [related.rank("factcheck", c, v, k=k, title_kind="factcheck_title") for c, v in zip(cleaned, vectors)]


def urls_of(ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(FactCheck.id, FactCheck.url).where(FactCheck.id.in_(list(ids)))).all())


def factchecks_for_claim(claim, k: int = 5) -> list[RankedFactCheck]:
    """The imported fact-checks most like a claim (the claim page's ranking)."""
    if not index.reader("factcheck").available:
        return []
    cleaned = clean_query_text(claim.content)
    vector = related.stored_vector("claim", claim.id) if cleaned == " ".join(claim.content.split()) else None
    ranked = rank_for_text(claim.content, vector, k=k)
    found = {f.id: f for f in db.session.scalars(sa.select(FactCheck).where(FactCheck.id.in_([r.id for r in ranked])))}
    return [RankedFactCheck(found[r.id], r.score, r.cosine) for r in ranked if r.id in found]


def factcheck_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(FactCheck.id))) or 0


def embedded_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Embedding.id)).where(
        Embedding.owner_kind == "factcheck", Embedding.model == related.model_name())) or 0
