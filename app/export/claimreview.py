"""schema.org ClaimReview for approved claims: what search engines and CMSs read.

Rating scale (``reviewRating``), 1 = false .. 5 = true, as Google asks (the closer to
``bestRating`` the truer; ``worstRating`` at least 1):

====================  ===========  =========================================================
verdict               ratingValue  why
====================  ===========  =========================================================
true                  5
mostly_true           4
mixed                 3
mostly_false          2
false                 1
misleading            2            true in parts, but leaves a false impression: it sits with
                                   "mostly false"
unverifiable          (none)       no degree of truth could be established, so no number is
                                   given (Google: omit ratingValue when a numeric rating does
                                   not apply); the scale is still stated
====================  ===========  =========================================================

``alternateName`` always carries the verdict's label ("Misleading", "Unverifiable"), which
is the text search results show.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.errors import NotFound
from app.extensions import db
from app.links import is_web_url
from app.models import VERDICT_LABELS, Claim, Verdict, iso_utc
from app.workflow.publication import PublishedSpeaker, published_record
from app.workflow.rules import published_in_sql, published_verdict

WORST_RATING, BEST_RATING = 1, 5
RATING_VALUES: dict[str, Optional[int]] = {
    "true": 5,
    "mostly_true": 4,
    "mixed": 3,
    "mostly_false": 2,
    "false": 1,
    "misleading": 2,
    "unverifiable": None,
}
# Speakers that are not people are authored as organisations (a country speaks through
# its government, a document through its publisher).
PERSON_KINDS = ("person", "unknown")


iso = iso_utc


def get_published_claim(claim_id: int) -> Claim:
    """An approved claim, else NotFound (unpublished claims do not exist for the public)."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or published_verdict(claim) is None:
        raise NotFound(f"There is no published fact-check {claim_id}.")
    return claim


def published_claims(*, since: Optional[datetime] = None, limit: int = 100) -> list[Claim]:
    """Approved claims, oldest approval first, approved at or after ``since``."""
    latest = (
        sa.select(sa.func.max(Verdict.id)).where(Verdict.claim_id == Claim.id).correlate(Claim).scalar_subquery()
    )
    stmt = (
        sa.select(Claim)
        .join(Verdict, sa.and_(Verdict.claim_id == Claim.id, Verdict.id == latest))
        .where(published_in_sql())
        .options(so.joinedload(Claim.speaker), so.joinedload(Claim.article), so.selectinload(Claim.verdicts))
        .order_by(Verdict.reviewed_at, Claim.id)
        .limit(max(1, min(limit, 1000)))
    )
    if since is not None:
        stmt = stmt.where(Verdict.reviewed_at >= since)
    return list(db.session.scalars(stmt).unique())


def rating(verdict: str) -> dict[str, Any]:
    """The schema.org Rating of a verdict key (see the module's table)."""
    value = RATING_VALUES[verdict]
    body: dict[str, Any] = {"@type": "Rating", "bestRating": BEST_RATING, "worstRating": WORST_RATING,
                            "alternateName": VERDICT_LABELS[verdict]}
    if value is not None:
        body["ratingValue"] = value
    return body


def speaker_json(speaker: PublishedSpeaker) -> dict[str, Any]:
    """The speaker as a schema.org Person (role as jobTitle) or Organization (role as description)."""
    if speaker.kind in PERSON_KINDS:
        body: dict[str, Any] = {"@type": "Person", "name": speaker.name}
        if speaker.role:
            body["jobTitle"] = speaker.role
    else:
        body = {"@type": "Organization", "name": speaker.name}
        if speaker.role:
            body["description"] = speaker.role
    return body


def claim_review(claim: Claim, *, url: str, publisher: str, publisher_url: Optional[str] = None) -> dict[str, Any]:
    """The ClaimReview JSON-LD of an approved claim, from what the reviewer approved
    (app.workflow.publication): later changes to its speaker or evidence do not show.

    Args:
        claim: an approved claim (NotFound otherwise).
        url: the absolute URL of its public page.
        publisher: the organisation that publishes the fact-check (``CLAIMDESK_PUBLISHER``).
    """
    record = published_record(claim)
    if record is None:
        raise NotFound(f"There is no published fact-check {claim.id}.")
    article = record.article
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title}
    if is_web_url(article.url):
        appearance["url"] = article.url
    if article.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": article.publisher}
    if article.published_at:
        appearance["datePublished"] = iso(article.published_at)
    item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if record.speaker is not None:
        item["author"] = speaker_json(record.speaker)
    if article.published_at:
        item["datePublished"] = iso(article.published_at)
    author: dict[str, Any] = {"@type": "Organization", "name": publisher}
    if publisher_url:
        author["url"] = publisher_url
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": record.claim_reviewed,
        "itemReviewed": item,
        "author": author,
        "datePublished": iso(record.approved_at),
        "reviewRating": rating(record.verdict),
    }


def parse_since(value: Optional[str]) -> Optional[datetime]:
    """``since`` as an ISO 8601 date or date-time (naive UTC); ValueError when unreadable."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed
