"""Fixtures for the export tests: claims taken through the real workflow services."""
from __future__ import annotations

from typing import Callable, Sequence

import pytest

from app.extensions import db

from app.workflow import service

from tests.export.hostile import (
    HOSTILE_ARTICLE, HOSTILE_CONTENT, HOSTILE_PUBLISHER, HOSTILE_RATIONALE, HOSTILE_SPEAKER, HOSTILE_TITLE,
    HOSTILE_URL,
)


@pytest.fixture
def approve(editor, reviewer) -> Callable:
    """Factory: take a claim through evidence, a verdict by the editor and approval by the
    reviewer (the real service functions); returns the claim id."""
    def run(claim_id: int, verdict: str = "false", *, rationale: str = "The record says otherwise.",
            urls: Sequence[str] = ("https://example.org/source",), by=None, reviewer_user=None) -> int:
        author = by or editor
        for n, url in enumerate(urls):
            service.link_evidence(claim_id, user=author, evidence=service.EvidenceInput(
                url=url, title=f"Source {n + 1}", stance="contradicts"))
        service.propose_verdict(claim_id, user=author, verdict=verdict, rationale=rationale)
        service.approve(claim_id, user=reviewer_user or reviewer)
        return claim_id
    return run


@pytest.fixture
def propose(editor) -> Callable:
    """Factory: link evidence and propose a verdict (the claim waits in review)."""
    def run(claim_id: int, verdict: str = "mixed", *, rationale: str = "Partly right.",
            url: str = "https://example.org/pending") -> int:
        service.link_evidence(claim_id, user=editor, evidence=service.EvidenceInput(
            url=url, title="Pending source", stance="context"))
        service.propose_verdict(claim_id, user=editor, verdict=verdict, rationale=rationale)
        return claim_id
    return run


@pytest.fixture
def claim_ids(seed) -> list[int]:
    """The seed article's claim ids, in reading order."""
    return [c.id for c in seed.claims]


@pytest.fixture
def hostile(ingest, editor, reviewer, approve):
    """An approved claim whose every text column carries something hostile."""
    result = ingest(HOSTILE_ARTICLE, title=HOSTILE_TITLE, publisher=HOSTILE_PUBLISHER)
    result.article.url = HOSTILE_URL  # the service refuses it now; older rows may still hold such a value
    db.session.commit()
    first, second = result.claims
    service.update_claim(first.id, user=editor, version=None,
                         changes={"content": HOSTILE_CONTENT, "speaker": HOSTILE_SPEAKER})
    approve(first.id, "mostly_false", rationale=HOSTILE_RATIONALE,
            urls=["https://example.org/a", "https://example.org/b?q=1,2"])
    return first.id, second.id
