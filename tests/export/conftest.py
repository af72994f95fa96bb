"""Fixtures for the export tests: claims taken through the real workflow services."""
from __future__ import annotations

from typing import Callable, Sequence

import pytest

from app.workflow import service


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
