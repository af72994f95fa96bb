"""Fact-checks published by other organisations, imported as schema.org ClaimReview."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import utcnow


class FactCheck(db.Model):
    """One external fact-check; its ``url`` names it (a re-import updates the row)."""

    __tablename__ = "factchecks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(2000), unique=True)
    publisher: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))
    claim_reviewed: so.Mapped[str] = so.mapped_column(sa.Text)
    title: so.Mapped[Optional[str]] = so.mapped_column(sa.String(1000))  # the review's headline
    rating_name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))  # reviewRating.alternateName
    rating_value: so.Mapped[Optional[float]] = so.mapped_column(sa.Float)
    best_rating: so.Mapped[Optional[float]] = so.mapped_column(sa.Float)
    worst_rating: so.Mapped[Optional[float]] = so.mapped_column(sa.Float)
    published_at: so.Mapped[Optional[datetime]]
    claimant: so.Mapped[Optional[str]] = so.mapped_column(sa.String(300))  # itemReviewed.author.name
    imported_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<FactCheck {self.id} {self.url}>"
