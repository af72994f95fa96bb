"""Already checked: a claim whose best match, an approved claim of the desk or an imported
fact-check, is likely right.

"Likely right" is the engine's calibration (:mod:`app.similarity.confidence`): the
probability that a ranking's top match is correct, from its cosine and its lead over the
other candidates' cosines, fitted on held-out CLEF-2020 *train* rankings; the threshold
is where the flagged train queries were right 90% of the time (lower end of the 95%
interval).

The match is stored on the claim (``checked_*``) so the queue can filter and sort on it.
It is worked out at ingest (before the write transaction, like the claim's vectors),
after an edit of the claim's text, and refreshed for the claims near a fact-check that
was imported or a claim that was approved or reopened. A refresh is bookkeeping: it
writes with a plain UPDATE that leaves the claim's version and ``updated_at`` alone, so
nobody's open form goes stale because of it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np
import sqlalchemy as sa
from flask import current_app

from app import related
from app.database import begin_write
from app.extensions import db
from app.models import Claim, FactCheck
from app.priority.service import priority_value
from app.related import index
from app.similarity.confidence import confidence_features, default_confidence
from app.similarity.ranking import clean_query_text
from app.transaction import rollback_on_error
from app.workflow.rules import published_verdict

log = logging.getLogger(__name__)

CANDIDATES = 30  # claims ranked to find the best approved one
NEAR = 20  # claims re-examined around an imported fact-check or an approved claim
NEAR_COSINE = 0.5  # below this cosine a claim cannot have the fact-check as its match


@dataclass(frozen=True)
class Match:
    """A claim's best match that passes the threshold: ``kind`` is claim or factcheck."""

    kind: str
    id: int
    score: float  # probability that it is the right match (0..1)


def _probability(ranked: Sequence[related.Ranked], top: int = 0) -> float:
    """P(``ranked[top]`` is the right match), from the cosines of the ranked candidates."""
    return default_confidence().probability(confidence_features([r.cosine for r in ranked], top))


def threshold() -> float:
    return float(current_app.config.get("CLAIMDESK_CHECKED_THRESHOLD") or default_confidence().threshold)


def best_match(text: str, vector: np.ndarray, *, exclude_claim_id: Optional[int] = None,
               any_approved: Optional[bool] = None) -> Optional[Match]:
    """The best approved claim or fact-check for a claim's text and vector, when its
    probability of being right reaches the threshold; else None. (``any_approved``: whether
    the desk has an approved claim, when the caller knows already.)"""
    cleaned = clean_query_text(text)
    found: list[Match] = []
    if index.reader("factcheck").available:
        ranked = related.rank("factcheck", cleaned, vector, k=10, title_kind="factcheck_title")
        if ranked:
            found.append(Match("factcheck", ranked[0].id, _probability(ranked)))
    if (_any_approved() if any_approved is None else any_approved) and index.reader("claim").available:
        exclude = {exclude_claim_id} if exclude_claim_id else set()
        ranked = related.rank("claim", cleaned, vector, k=CANDIDATES, exclude=exclude)
        approved = set(db.session.scalars(sa.select(Claim.id).where(
            Claim.id.in_([r.id for r in ranked]), Claim.status == "approved", Claim.removed_at.is_(None))))
        for position, r in enumerate(ranked):
            if r.id in approved:
                found.append(Match("claim", r.id, _probability(ranked, position)))
                break
    if not found:
        return None
    best = max(found, key=lambda m: m.score)
    return best if best.score >= threshold() else None


def _any_approved() -> bool:
    return db.session.scalar(sa.select(Claim.id).where(Claim.status == "approved").limit(1)) is not None


def values_for(match: Optional[Match]) -> dict:
    """The claim's ``checked_*`` columns for a match (all None for no match)."""
    return {
        "checked_kind": match.kind if match else None,
        "checked_claim_id": match.id if match and match.kind == "claim" else None,
        "checked_factcheck_id": match.id if match and match.kind == "factcheck" else None,
        "checked_score": round(match.score, 4) if match else None,
    }


def apply_match(claim: Claim, match: Optional[Match]) -> None:
    """Set a claim's match and priority through the ORM (a new claim, or a save that
    changes the claim anyway)."""
    for name, value in values_for(match).items():
        setattr(claim, name, value)
    claim.priority = priority_value(claim.checkworthiness, repeat=claim.duplicate_of_id is not None
                                    or claim.duplicate_of is not None, already_checked=match is not None)


def matches_for_new(texts: Sequence[str], vectors: np.ndarray) -> list[Optional[Match]]:
    """The match of each claim about to be stored (ingest, before its write transaction)."""
    if not len(texts):
        return []
    any_approved = _any_approved()  # once per article, not once per claim
    return [best_match(text, vector, any_approved=any_approved) for text, vector in zip(texts, vectors)]


# --- refreshing stored matches ------------------------------------------------------------


def refresh_claims(claim_ids: Iterable[int]) -> int:
    """Work out the match of these claims again and store what changed (no version bump).
    Returns how many changed. A busy SQLite write is logged and skipped (derived data:
    ``flask score-claims`` recomputes it)."""
    ids = sorted({int(i) for i in claim_ids if i is not None})
    if not ids:
        return 0
    rows = db.session.execute(sa.select(
        Claim.id, Claim.content, Claim.checkworthiness, Claim.duplicate_of_id, Claim.checked_kind,
        Claim.checked_claim_id, Claim.checked_factcheck_id, Claim.checked_score, Claim.priority,
    ).where(Claim.id.in_(ids), Claim.removed_at.is_(None))).all()
    updates = []
    for row in rows:
        vector = related.stored_vector("claim", row.id)
        if vector is None:
            continue
        match = best_match(row.content, vector, exclude_claim_id=row.id)
        values = values_for(match)
        values["priority"] = priority_value(row.checkworthiness, repeat=row.duplicate_of_id is not None,
                                            already_checked=match is not None)
        if any(getattr(row, k) != v for k, v in values.items()):
            updates.append((row.id, values))
    db.session.rollback()  # end the read transaction before the write one
    if not updates:
        return 0
    table = Claim.__table__
    try:
        with rollback_on_error("busy"):
            begin_write()
            for claim_id, values in updates:  # updated_at kept: this is not a person's change
                db.session.execute(sa.update(table).where(table.c.id == claim_id)
                                   .values(**values, updated_at=table.c.updated_at))
            db.session.commit()
    except Exception:
        log.exception("refreshing the 'already checked' match of %d claim(s) failed", len(updates))
        return 0
    return len(updates)


def _claims_near(vectors: np.ndarray) -> set[int]:
    reader = index.reader("claim")
    if not reader.available:
        return set()
    near: set[int] = set()
    for vector in vectors:
        near.update(i for i, cosine in reader.search(np.asarray(vector, dtype=np.float32), NEAR)
                    if cosine >= NEAR_COSINE)
    return near


def refresh_near_factchecks(factcheck_ids: Sequence[int]) -> int:
    """After fact-checks were imported or updated: the claims they may now answer."""
    if not factcheck_ids:
        return 0
    reader = index.reader("factcheck")
    found, vectors = reader.vectors(list(factcheck_ids)) if reader.available else (np.zeros(0), np.zeros((0, 1)))
    near = _claims_near(vectors) if len(found) else set()
    near.update(db.session.scalars(sa.select(Claim.id).where(Claim.checked_factcheck_id.in_(list(factcheck_ids)))))
    return refresh_claims(near)


def refresh_near_claim(claim_id: int) -> int:
    """After a claim was approved or reopened: the claims it may answer, or answered."""
    vector = related.stored_vector("claim", claim_id)
    near = _claims_near(vector.reshape(1, -1)) if vector is not None else set()
    near.discard(claim_id)
    near.update(db.session.scalars(sa.select(Claim.id).where(Claim.checked_claim_id == claim_id)))
    return refresh_claims(near)


# --- what the desk shows --------------------------------------------------------------------


@dataclass(frozen=True)
class AlreadyChecked:
    """The match as the queue, the claim page and the API show it."""

    kind: str
    score: float
    verdict: Optional[str]  # the desk's verdict code, or the fact-check's rating (alternateName)
    verdict_label: Optional[str]
    publisher: Optional[str]
    url: Optional[str]  # the fact-check's address (kind factcheck)
    claim_id: Optional[int] = None
    factcheck_id: Optional[int] = None
    text: str = ""

    def to_json(self) -> dict:
        body = {"kind": self.kind, "verdict": self.verdict, "publisher": self.publisher, "score": self.score}
        if self.kind == "claim":
            return {**body, "id": self.claim_id}
        return {**body, "url": self.url, "factcheck_id": self.factcheck_id}


def already_checked(claim: Claim) -> Optional[AlreadyChecked]:
    """The claim's stored match with what it says, or None."""
    if claim.checked_kind == "factcheck" and claim.checked_factcheck is not None:
        fc: FactCheck = claim.checked_factcheck
        return AlreadyChecked("factcheck", float(claim.checked_score or 0), fc.rating_name, fc.rating_name,
                              fc.publisher, fc.url, factcheck_id=fc.id, text=fc.claim_reviewed)
    if claim.checked_kind == "claim" and claim.checked_claim is not None:
        source = claim.checked_claim
        verdict = published_verdict(source)
        return AlreadyChecked("claim", float(claim.checked_score or 0), verdict.verdict if verdict else None,
                              verdict.label if verdict else None, current_app.config.get("CLAIMDESK_PUBLISHER"),
                              None, claim_id=source.id, text=source.content)
    return None
