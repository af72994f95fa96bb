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
    return getattr(claim, "checked_kind", None) is not None


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
    checked = getattr(claim, "checked_label", None)
    if checked:
        return checked
    if claim.duplicate_of_id is not None:
        return f"repeat of #{claim.duplicate_of_id}"
    return claim.checkworthiness_reason or "not scored"
