"""What leaves the desk: the record of an approved fact-check, frozen when it is approved.

At approval ``freeze(claim, verdict)`` stores on the verdict what the reviewer saw and
signed off: the publication wording, the claim text, the speaker's name, role and kind,
the verdict with its rationale and the review comment, the evidence with its stances, and
the article the claim appeared in. The ClaimReview JSON-LD, the public page and the CSV
read ``published_record(claim)``, so a later change to a speaker (a role learnt from another
article, a rename, a merge) or to an evidence title does not change a published fact-check
until an admin reopens the claim and it is approved again (a new verdict, a new record).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from app.models import VERDICT_LABELS, Claim, Verdict, iso_utc
from app.workflow.rules import published_verdict

RECORD_VERSION = 1


@dataclass(frozen=True)
class PublishedSpeaker:
    name: str
    role: Optional[str]
    kind: str


@dataclass(frozen=True)
class PublishedEvidence:
    title: str
    url: Optional[str]
    publisher: Optional[str]
    published_at: Optional[datetime]
    stance: str


@dataclass(frozen=True)
class PublishedArticle:
    title: str
    url: Optional[str]
    publisher: Optional[str]
    published_at: Optional[datetime]


@dataclass(frozen=True)
class Publication:
    """One approved fact-check as it was signed off."""

    claim_id: int
    claim_reviewed: str  # the publication wording
    content: str  # the extracted claim text
    speaker: Optional[PublishedSpeaker]
    verdict: str
    rationale: str
    review_comment: Optional[str]
    proposed_by: Optional[str]
    approved_by: Optional[str]
    approved_at: Optional[datetime]
    evidence: tuple[PublishedEvidence, ...]
    article: PublishedArticle

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def snapshot(claim: Claim, verdict: Verdict) -> dict[str, Any]:
    """The JSON record of ``claim`` approved with ``verdict``, from their current values."""
    speaker = claim.speaker
    article = claim.article
    return {
        "v": RECORD_VERSION,
        "claim_reviewed": claim.wording,
        "content": claim.content,
        "speaker": {"name": speaker.name, "role": speaker.role, "kind": speaker.kind} if speaker else None,
        "verdict": verdict.verdict,
        "rationale": verdict.rationale,
        "review_comment": verdict.review_comment,
        "proposed_by": verdict.proposed_by.name if verdict.proposed_by else None,
        "approved_by": verdict.reviewed_by.name if verdict.reviewed_by else None,
        "approved_at": iso_utc(verdict.reviewed_at),
        "evidence": [{
            "title": link.evidence.title, "url": link.evidence.url, "publisher": link.evidence.publisher,
            "published_at": iso_utc(link.evidence.published_at), "stance": link.stance,
        } for link in claim.evidence_links],
        "article": {"title": article.title, "url": article.url, "publisher": article.publisher,
                    "published_at": iso_utc(article.published_at)},
    }


def freeze(claim: Claim, verdict: Verdict) -> None:
    """Store the record on the verdict being approved (in the caller's transaction)."""
    verdict.published = snapshot(claim, verdict)


def published_record(claim: Claim) -> Optional[Publication]:
    """The claim's published fact-check as approved, or None when it is not published.

    Verdicts approved before records were kept (``published`` empty) are read from the
    current values, as they were published then.
    """
    verdict = published_verdict(claim)
    if verdict is None:
        return None
    return from_json(claim.id, verdict.published or snapshot(claim, verdict))


def from_json(claim_id: int, data: dict[str, Any]) -> Publication:
    """A stored record as a Publication (timestamps back to naive UTC datetimes)."""
    speaker = data.get("speaker")
    article = data.get("article") or {}
    return Publication(
        claim_id=claim_id,
        claim_reviewed=data["claim_reviewed"],
        content=data.get("content") or data["claim_reviewed"],
        speaker=PublishedSpeaker(speaker["name"], speaker.get("role"), speaker.get("kind") or "person")
        if speaker else None,
        verdict=data["verdict"],
        rationale=data.get("rationale") or "",
        review_comment=data.get("review_comment"),
        proposed_by=data.get("proposed_by"),
        approved_by=data.get("approved_by"),
        approved_at=_datetime(data.get("approved_at")),
        evidence=tuple(PublishedEvidence(e["title"], e.get("url"), e.get("publisher"),
                                         _datetime(e.get("published_at")), e["stance"])
                       for e in data.get("evidence") or ()),
        article=PublishedArticle(article.get("title") or "", article.get("url"), article.get("publisher"),
                                 _datetime(article.get("published_at"))),
    )


def _datetime(value: Optional[str]) -> Optional[datetime]:
    """``iso_utc`` read back."""
    if not value:
        return None
    return datetime.fromisoformat(value.rstrip("Z"))
