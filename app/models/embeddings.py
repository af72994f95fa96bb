"""Stored sentence embeddings of claims and evidence, one row per (owner, model)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import one_of, utcnow

OWNER_KINDS = ("claim", "evidence", "factcheck", "factcheck_title")


class Embedding(db.Model):
    """A vector as float32 little-endian bytes, with the model that made it.

    Rows are never updated: a changed text gets a new row (higher id) and the old one is
    deleted, so every process can catch up by reading the rows it has not seen.
    """

    __tablename__ = "embeddings"
    __table_args__ = (
        sa.UniqueConstraint("owner_kind", "owner_id", "model", name="uq_embeddings_owner_model"),
        sa.Index("ix_embeddings_model_kind_created", "model", "owner_kind", "created_at"),
        one_of("owner_kind", OWNER_KINDS, "owner_kind"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    owner_kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    owner_id: so.Mapped[int]
    model: so.Mapped[str] = so.mapped_column(sa.String(300))
    dim: so.Mapped[int]
    text_sha1: so.Mapped[str] = so.mapped_column(sa.String(40))
    vector: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
