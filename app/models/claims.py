"""Claims (quotes and reported speech) and what the desk attaches to them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import one_of, utcnow

if TYPE_CHECKING:
    from app.models.articles import Article
    from app.models.factchecks import FactCheck
    from app.models.speakers import Speaker
    from app.models.users import User

CLAIM_STATUSES = ("new", "in_progress", "in_review", "approved", "dismissed")
CLAIM_KINDS = ("direct", "partial", "indirect", "statement")
STANCES = ("supports", "contradicts", "context")
VERDICTS = ("true", "mostly_true", "mixed", "mostly_false", "false", "misleading", "unverifiable")
VERDICT_LABELS = {
    "true": "True",
    "mostly_true": "Mostly true",
    "mixed": "Mixed",
    "mostly_false": "Mostly false",
    "false": "False",
    "misleading": "Misleading",
    "unverifiable": "Unverifiable",
}
STATUS_LABELS = {
    "new": "New",
    "in_progress": "In progress",
    "in_review": "In review",
    "approved": "Approved",
    "dismissed": "Dismissed",
}
REVIEW_STATES = ("proposed", "approved", "returned")


class Claim(db.Model):
    __tablename__ = "claims"
    __table_args__ = (
        one_of("status", CLAIM_STATUSES, "status"),
        one_of("kind", CLAIM_KINDS, "kind"),
        one_of("checked_kind", ("claim", "factcheck"), "checked_kind"),
        sa.Index("ix_claims_status_updated", "status", "updated_at"),
        # The queue's "recently updated" sort and its date filters.
        sa.Index("ix_claims_updated_at_id", "updated_at", "id"),
        sa.Index("ix_claims_created_at", "created_at"),
        # The queue's default "Priority" sort (app/priority).
        sa.Index("ix_claims_priority_id", "priority", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    speaker_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("speakers.id"), index=True)
    content: so.Mapped[str] = so.mapped_column(sa.Text)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    # Character offsets into article.text; spans lists the quoted pieces of a split quote.
    start: so.Mapped[int]
    end: so.Mapped[int]
    spans: so.Mapped[Optional[list[list[int]]]] = so.mapped_column(sa.JSON)
    speaker_start: so.Mapped[Optional[int]]
    speaker_end: so.Mapped[Optional[int]]
    cue: so.Mapped[Optional[str]] = so.mapped_column(sa.String(100))
    # The speaker's role as this article gives it ("Estonian Prime Minister"): roles over time.
    speaker_role: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="new", index=True)
    assignee_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    # A repeated quote (e.g. a caption printed twice) points at the first one.
    duplicate_of_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="SET NULL"))
    edited: so.Mapped[bool] = so.mapped_column(default=False)
    # An editor's correction took the claim out of the desk (not a quote, or merged into
    # ``merged_into``); the row and its history stay, every list and highlight leaves it out.
    removed_at: so.Mapped[Optional[datetime]]
    # No foreign key (SQLite adds one only by rebuilding the table): claims are never deleted
    # one by one, only with their article, which takes both ends of a merge with it.
    merged_into_id: so.Mapped[Optional[int]]
    dismiss_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    # What is published as ClaimReview ``claimReviewed``; None: the extracted content (``wording``).
    publication_wording: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    due_date: so.Mapped[Optional[date]] = so.mapped_column(sa.Date, index=True)  # optional deadline
    version: so.Mapped[int] = so.mapped_column(default=1)
    # Set at ingest by app/priority from the check-worthiness engine (None: not scored).
    checkworthiness: so.Mapped[Optional[float]] = so.mapped_column(sa.Float)
    checkworthiness_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    # The queue's order: check-worthiness, minus 1 for a repeat, minus 2 when already checked.
    priority: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0, server_default=sa.text("0"))
    # "Already checked" (app/priority/checked.py): the best match above the calibrated
    # threshold, an approved claim of the desk or an imported fact-check; None: none is.
    checked_kind: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    # No foreign keys (as merged_into_id): adding one on SQLite rebuilds claims, which drops
    # its full-text triggers and cascades into its history; a stale id is refreshed away.
    checked_claim_id: so.Mapped[Optional[int]]
    checked_factcheck_id: so.Mapped[Optional[int]]
    checked_score: so.Mapped[Optional[float]] = so.mapped_column(sa.Float)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    article: so.Mapped["Article"] = so.relationship(back_populates="claims")
    speaker: so.Mapped[Optional["Speaker"]] = so.relationship(back_populates="claims")
    assignee: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[assignee_id])
    duplicate_of: so.Mapped[Optional["Claim"]] = so.relationship(remote_side=[id], foreign_keys=[duplicate_of_id])
    merged_into: so.Mapped[Optional["Claim"]] = so.relationship(
        primaryjoin="foreign(Claim.merged_into_id) == remote(Claim.id)", viewonly=True)
    checked_claim: so.Mapped[Optional["Claim"]] = so.relationship(
        primaryjoin="foreign(Claim.checked_claim_id) == remote(Claim.id)", viewonly=True)
    checked_factcheck: so.Mapped[Optional["FactCheck"]] = so.relationship(
        primaryjoin="foreign(Claim.checked_factcheck_id) == FactCheck.id", viewonly=True)
    evidence_links: so.Mapped[list["ClaimEvidence"]] = so.relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimEvidence.id"
    )
    verdicts: so.Mapped[list["Verdict"]] = so.relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Verdict.id"
    )
    comments: so.Mapped[list["Comment"]] = so.relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Comment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def wording(self) -> str:
        """The publication wording: the editor's, else the extracted content."""
        return self.publication_wording or self.content

    @property
    def removed(self) -> bool:
        """Taken out by a correction (removed, or merged into another claim)."""
        return self.removed_at is not None

    @property
    def pieces(self) -> list[tuple[int, int]]:
        """The quoted pieces as (start, end): ``spans`` of a split quote, else the one span."""
        if self.spans:
            return [(int(a), int(b)) for a, b in self.spans]
        return [(self.start, self.end)]

    @property
    def current_verdict(self) -> Optional["Verdict"]:
        """The latest verdict proposed for the claim, if any."""
        return self.verdicts[-1] if self.verdicts else None

    def __repr__(self) -> str:
        return f"<Claim {self.id} {self.status} {self.content[:30]!r}>"


class Evidence(db.Model):
    """A source, stored once and linked to as many claims as it serves."""

    __tablename__ = "evidence"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(2000), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(500))
    publisher: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    published_at: so.Mapped[Optional[datetime]]
    excerpt: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    # Evidence can be another claim the desk has already checked.
    source_claim_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="SET NULL"))
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    source_claim: so.Mapped[Optional[Claim]] = so.relationship(foreign_keys=[source_claim_id])
    created_by: so.Mapped[Optional["User"]] = so.relationship()
    links: so.Mapped[list["ClaimEvidence"]] = so.relationship(back_populates="evidence")


class ClaimEvidence(db.Model):
    __tablename__ = "claim_evidence"
    __table_args__ = (
        sa.UniqueConstraint("claim_id", "evidence_id", name="uq_claim_evidence_claim_evidence"),
        one_of("stance", STANCES, "stance"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    claim_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    evidence_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("evidence.id", ondelete="CASCADE"), index=True)
    stance: so.Mapped[str] = so.mapped_column(sa.String(20))
    note: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    added_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    added_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    claim: so.Mapped[Claim] = so.relationship(back_populates="evidence_links")
    evidence: so.Mapped[Evidence] = so.relationship(back_populates="links")
    added_by: so.Mapped[Optional["User"]] = so.relationship()


class Verdict(db.Model):
    """A verdict proposed by an editor and its review by someone else."""

    __tablename__ = "verdicts"
    __table_args__ = (
        one_of("verdict", VERDICTS, "verdict"),
        one_of("state", REVIEW_STATES, "state"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    claim_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    verdict: so.Mapped[str] = so.mapped_column(sa.String(20))
    rationale: so.Mapped[str] = so.mapped_column(sa.Text)
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default="proposed")
    proposed_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    proposed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    reviewed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: so.Mapped[Optional[datetime]] = so.mapped_column(index=True)
    review_comment: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    # What the reviewer approved, frozen at approval (app.workflow.publication); None before.
    published: so.Mapped[Optional[dict[str, Any]]] = so.mapped_column(sa.JSON)

    claim: so.Mapped[Claim] = so.relationship(back_populates="verdicts")
    proposed_by: so.Mapped["User"] = so.relationship(foreign_keys=[proposed_by_id])
    reviewed_by: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[reviewed_by_id])

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


class Comment(db.Model):
    __tablename__ = "comments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    claim_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    claim: so.Mapped[Claim] = so.relationship(back_populates="comments")
    author: so.Mapped["User"] = so.relationship()


class AuditEvent(db.Model):
    """One change: who did what, when, with the values before and after. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_claim_at", "claim_id", "at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    claim_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"))
    article_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    speaker_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("speakers.id"), index=True)  # speaker events
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    # The person an admin action was about (invited, role changed, deactivated ...).
    subject_user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(50))
    before: so.Mapped[Optional[dict[str, Any]]] = so.mapped_column(sa.JSON)
    after: so.Mapped[Optional[dict[str, Any]]] = so.mapped_column(sa.JSON)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    user: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[user_id])
    subject_user: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[subject_user_id])
    claim: so.Mapped[Optional[Claim]] = so.relationship(passive_deletes=True)
