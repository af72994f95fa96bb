"""Priority: what to check first.

``priority = checkworthiness - 1 (a repeat) - 2 (already checked)``, so the queue's
default sort puts fresh checkable claims first, then repeats, then claims something
already answers. Check-worthiness comes from the engine (:mod:`app.checkworthiness`) on
what ingest already computed: the claim texts, their MiniLM vectors and speakers.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from app.checkworthiness import Score, get_model
from app.models import Claim

REPEAT_PENALTY = 1.0
CHECKED_PENALTY = 2.0


def score_texts(texts: Sequence[str], vectors: np.ndarray,
                speakers: Optional[Sequence[Optional[str]]] = None) -> list[Score]:
    """Check-worthiness of claims: one article's claims in reading order with their
    speakers (context counts), or claims on their own (``speakers=None``)."""
    if not len(texts):
        return []
    return get_model().score(list(texts), np.asarray(vectors), speakers=speakers)


def is_already_checked(claim: Claim) -> bool:
    """True when the claim carries an "already checked" match (see app.priority.checked)."""
    return claim.checked_kind is not None


def checked_label(claim: Claim) -> Optional[str]:
    """"already checked by …" for the queue's why-column, or None."""
    if claim.checked_kind == "factcheck":
        publisher = claim.checked_factcheck.publisher if claim.checked_factcheck else None
        return f"already checked by {publisher or 'a fact-checker'}"
    if claim.checked_kind == "claim":
        return f"already checked by the desk (#{claim.checked_claim_id})"
    return None


def priority_value(checkworthiness: Optional[float], *, repeat: bool, already_checked: bool) -> float:
    """The queue's sort key: check-worthiness (0 when not scored), moved down for a repeat
    and further for a claim already checked."""
    value = float(checkworthiness or 0.0)
    if already_checked:
        return value - CHECKED_PENALTY
    if repeat:
        return value - REPEAT_PENALTY
    return value


def set_priority(claim: Claim) -> float:
    """Recompute ``claim.priority`` from its own fields (in the caller's transaction)."""
    claim.priority = priority_value(claim.checkworthiness, repeat=claim.duplicate_of_id is not None
                                    or claim.duplicate_of is not None, already_checked=is_already_checked(claim))
    return claim.priority


def apply_score(claim: Claim, score: Score) -> None:
    claim.checkworthiness = round(float(score.score), 6)
    claim.checkworthiness_reason = score.reason[:40]
    set_priority(claim)


def rescore_claim(claim: Claim, vector: np.ndarray) -> None:
    """Score one claim on its own after its text changed (its new vector given)."""
    apply_score(claim, score_texts([claim.content], np.asarray(vector).reshape(1, -1))[0])


def priority_reason(claim: Claim) -> str:
    """A word or two on why the claim sits where it does in the Priority sort."""
    checked = checked_label(claim)
    if checked:
        return checked
    if claim.duplicate_of_id is not None:
        return f"repeat of #{claim.duplicate_of_id}"
    return claim.checkworthiness_reason or "not scored"


def score_article(article_id: int) -> int:
    """Score one article's claims together (their speakers as context) from their stored
    vectors and commit; claims with no vector are left as they are. Returns how many."""
    import sqlalchemy as sa

    from app import related
    from app.extensions import db

    claims = list(db.session.scalars(sa.select(Claim).where(Claim.article_id == article_id)
                                     .order_by(Claim.start, Claim.id)))
    pairs = [(c, related.stored_vector("claim", c.id)) for c in claims]
    pairs = [(c, v) for c, v in pairs if v is not None]
    if not pairs:
        return 0
    scores = score_texts([c.content for c, _ in pairs], np.stack([v for _, v in pairs]),
                         speakers=[c.speaker.name if c.speaker else None for c, _ in pairs])
    table = Claim.__table__
    for (claim, _), score in zip(pairs, scores):  # bookkeeping: no version bump, updated_at kept
        value = priority_value(score.score, repeat=claim.duplicate_of_id is not None,
                               already_checked=claim.checked_kind is not None)
        db.session.execute(sa.update(table).where(table.c.id == claim.id).values(
            checkworthiness=round(float(score.score), 6), checkworthiness_reason=score.reason[:40],
            priority=value, updated_at=table.c.updated_at))
    db.session.commit()
    return len(pairs)
