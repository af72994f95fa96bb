"""Helpers for the workflow tests: claims from the seed article at each step of the flow,
and a check that a refusal leaves the database exactly as it was.

The claims (``claims`` in tests/conftest.py) are stored directly by the factories, as the
extractor attributes them (no spaCy here): the rules are what these tests are about.
Ingest and extraction have their own tests (tests/test_ingest.py, tests/extraction/)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Claim, ClaimEvidence, Comment, Evidence, Speaker, Verdict
from app.workflow import service


@pytest.fixture
def claim_id(claims) -> int:
    """A Jens Stoltenberg quote from the seed article."""
    return next(c.id for c in claims if c.content.startswith("Russia has attacked Ukraine"))


@pytest.fixture
def other_claim_id(claims) -> int:
    """A Kaja Kallas quote from the seed article."""
    return next(c.id for c in claims if c.content.startswith("The most effective response"))


def evidence_input(n: int = 1, **overrides: Any) -> service.EvidenceInput:
    """A piece of evidence as an editor types it."""
    values = dict(url=f"https://www.nato.int/cps/en/natohq/news_{n}.htm", title=f"NATO press release {n}",
                  stance="supports", publisher="NATO", excerpt="Allies condemn the attack.", note="Official record.")
    values.update(overrides)
    return service.EvidenceInput(**values)


@pytest.fixture
def to_review(editor) -> Callable[..., int]:
    """Factory: link evidence and propose a verdict as ``by`` (the editor by default)."""
    def make(claim_id: int, *, by=None, verdict: str = "true", n: int = 1) -> int:
        by = by or editor
        service.link_evidence(claim_id, user=by, evidence=evidence_input(n))
        service.propose_verdict(claim_id, user=by, verdict=verdict, rationale="The NATO record shows it.")
        return claim_id
    return make


@pytest.fixture
def to_approved(to_review, reviewer) -> Callable[..., int]:
    """Factory: a claim proposed by the editor and approved by the reviewer."""
    def make(claim_id: int, **kwargs: Any) -> int:
        to_review(claim_id, **kwargs)
        service.approve(claim_id, user=reviewer)
        return claim_id
    return make


def fingerprint(claim_id: int) -> dict[str, Any]:
    """Everything a workflow action may write about one claim, read fresh from the database."""
    db.session.expire_all()
    claim = db.session.get(Claim, claim_id)
    return {
        "claim": (claim.content, claim.kind, claim.start, claim.end, claim.speaker_id, claim.cue, claim.status,
                  claim.assignee_id, claim.dismiss_reason, claim.edited, claim.version),
        "events": db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.claim_id == claim_id)),
        "links": [(link.evidence_id, link.stance) for link in claim.evidence_links],
        "evidence": db.session.scalar(sa.select(sa.func.count(Evidence.id))),
        "verdicts": [(v.verdict, v.state, v.reviewed_by_id) for v in db.session.scalars(
            sa.select(Verdict).where(Verdict.claim_id == claim_id).order_by(Verdict.id))],
        "comments": db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.claim_id == claim_id)),
        "all_links": db.session.scalar(sa.select(sa.func.count(ClaimEvidence.id))),
    }


@contextmanager
def refused(error: type, claim_id: int, match: str | None = None):
    """Expect exactly ``error`` (not a subclass) and prove nothing was written: even a later
    commit in the same session (as in a bulk run) must carry none of the refused change."""
    before = fingerprint(claim_id)
    with pytest.raises(error, match=match) as info:
        yield info
    assert type(info.value) is error, f"expected {error.__name__}, got {type(info.value).__name__}"
    assert info.value.code == error.code
    db.session.commit()
    assert fingerprint(claim_id) == before


def actions(claim_id: int) -> list[str]:
    """The claim's history as action names, oldest first."""
    return [event.action for event in service.history(claim_id)]


KALLAS_2023 = """"Russia must lose this war," Prime Minister Kallas told reporters on Friday."""


@pytest.fixture
def kallas_ids(claims, make_article, make_claim) -> tuple[int, int]:
    """(Kaja Kallas, a duplicate record "Prime Minister Kallas" with one quote of a later article)."""
    later = make_article(KALLAS_2023, title="Kallas in Brussels", published_at=datetime(2023, 3, 3))
    make_claim(later, "Russia must lose this war", speaker="Prime Minister Kallas", speaker_role="Prime Minister")
    duplicate = db.session.scalar(sa.select(Speaker.id).where(Speaker.name == "Prime Minister Kallas"))
    return claims[4].speaker_id, duplicate
