"""Wire copies (app/copies): which earlier article an article reprints, and the MinHash LSH
band keys every article is found by."""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db

if TYPE_CHECKING:
    from app.models.articles import Article


class ArticleBand(db.Model):
    """One LSH band key of one article. Looking a new article's keys up here finds the
    stored articles it may copy; every process sees the same index, and it survives restarts."""

    __tablename__ = "article_bands"

    band_key: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True)
    article_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True)


class ArticleCopy(db.Model):
    """An article found at ingest to be a copy of an earlier one (``similarity``: the Jaccard
    similarity of their word shingles, 0..1)."""

    __tablename__ = "article_copies"

    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    original_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    similarity: so.Mapped[float] = so.mapped_column(sa.Float)

    original: so.Mapped["Article"] = so.relationship(foreign_keys=[original_id])
