"""Articles as ingested: the text that claims point into."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import utcnow

if TYPE_CHECKING:
    from app.models.claims import Claim
    from app.models.copies import ArticleCopy
    from app.models.users import User

SOURCES = ("paste", "upload", "url", "cli", "api", "seed", "source")  # source: a monitored source's item


class Article(db.Model):
    __tablename__ = "articles"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(500))
    publisher: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(2000))
    published_at: so.Mapped[Optional[datetime]]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    # SHA-256 of the normalised text: the same article is never stored twice.
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(20), default="paste")
    filename: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    ingested_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    ingested_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)

    ingested_by: so.Mapped[Optional["User"]] = so.relationship()
    # Set when the article is a wire copy of an earlier one (app/copies).
    copy: so.Mapped[Optional["ArticleCopy"]] = so.relationship(
        foreign_keys="ArticleCopy.article_id", cascade="all, delete-orphan", passive_deletes=True, lazy="select")
    claims: so.Mapped[list["Claim"]] = so.relationship(
        back_populates="article", order_by="Claim.start", cascade="all, delete-orphan"
    )

    @property
    def copy_of(self) -> Optional[dict]:
        """``{"id", "similarity"}`` of the article this one copies, or None."""
        return {"id": self.copy.original_id, "similarity": round(self.copy.similarity, 4)} if self.copy else None

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.title[:40]!r}>"
