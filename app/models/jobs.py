"""Background work: ingest jobs, the consumers that run them, periodic-task slots."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import one_of, utcnow

if TYPE_CHECKING:
    from app.models.articles import Article
    from app.models.users import User

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One ingest: what was sent (kept until it is stored), where it stands, what came of it.

    The id is a random hex string: it is what the API, the job page and the queue message
    carry. ``attempts`` counts runs begun; ``consumer_id`` names the consumer running it.
    """

    __tablename__ = "jobs"
    __table_args__ = (one_of("status", JOB_STATUSES, "status"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="ingest")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued", index=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(20))
    label: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # What was sent: cleared once the article is stored (the article keeps the text).
    text: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    data: so.Mapped[Optional[bytes]] = so.mapped_column(sa.LargeBinary)
    filename: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))
    url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(2000))
    meta: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)  # title, publisher, published_at (ISO)
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    article_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("articles.id", ondelete="SET NULL"))
    claims: so.Mapped[int] = so.mapped_column(default=0)
    error_code: so.Mapped[Optional[str]] = so.mapped_column(sa.String(50))
    error_message: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    error_status: so.Mapped[Optional[int]]
    error_details: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    consumer_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    started_at: so.Mapped[Optional[datetime]]
    finished_at: so.Mapped[Optional[datetime]]

    user: so.Mapped[Optional["User"]] = so.relationship()
    article: so.Mapped[Optional["Article"]] = so.relationship()

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.status}>"


class Consumer(db.Model):
    """A running ``flask worker`` process; ``seen_at`` is its heartbeat."""

    __tablename__ = "consumers"

    id: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)  # host:pid:random
    hostname: so.Mapped[str] = so.mapped_column(sa.String(255))
    pid: so.Mapped[int]
    started_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    seen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class PeriodicRun(db.Model):
    """The last time slot a periodic task ran in: every consumer's scheduler enqueues it,
    the first to move ``slot`` forward runs it, the others skip."""

    __tablename__ = "periodic_runs"

    name: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    slot: so.Mapped[datetime]
