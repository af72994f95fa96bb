"""Monitored sources (feeds, sitemaps, front pages), the items seen in them, and the per-host
pacing of the desk's fetches (app/sources)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import one_of, utcnow

if TYPE_CHECKING:
    from app.models.jobs import Job
    from app.models.users import User

SOURCE_KINDS = ("feed", "sitemap", "page")
ITEM_STATUSES = ("queued", "skipped")


class Source(db.Model):
    """A feed, sitemap or front page the desk polls every ``every_minutes``.

    ``lease_owner`` / ``lease_until`` hold the poll in progress: one poll per source at a
    time, whatever the number of consumers (a poll takes the lease by an UPDATE that only
    succeeds when it is free or expired).
    """

    __tablename__ = "sources"
    __table_args__ = (one_of("kind", SOURCE_KINDS, "kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    url: so.Mapped[str] = so.mapped_column(sa.String(2000))
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    every_minutes: so.Mapped[int] = so.mapped_column(default=30)
    paused: so.Mapped[bool] = so.mapped_column(default=False)
    # A front page's feed, found on it at the first poll.
    feed_url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(2000))
    # The validators of the last answer, sent back for a conditional request.
    etag: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    last_modified: so.Mapped[Optional[str]] = so.mapped_column(sa.String(100))
    last_polled_at: so.Mapped[Optional[datetime]]
    next_poll_at: so.Mapped[Optional[datetime]] = so.mapped_column(index=True)
    last_error: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    last_error_at: so.Mapped[Optional[datetime]]
    polls: so.Mapped[int] = so.mapped_column(default=0)
    items_seen: so.Mapped[int] = so.mapped_column(default=0)
    lease_owner: so.Mapped[Optional[str]] = so.mapped_column(sa.String(100))
    lease_until: so.Mapped[Optional[datetime]]
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    created_by: so.Mapped[Optional["User"]] = so.relationship()
    items: so.Mapped[list["SourceItem"]] = so.relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.kind} {self.url!r}>"


class SourceItem(db.Model):
    """An address seen in a source: queued as an ingest job, or skipped (robots.txt)."""

    __tablename__ = "source_items"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "url_sha1", name="uq_source_items_source_url"),
        one_of("status", ITEM_STATUSES, "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(2000))
    url_sha1: so.Mapped[str] = so.mapped_column(sa.String(40))
    title: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    published_at: so.Mapped[Optional[datetime]]
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="queued")
    note: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    job_id: so.Mapped[Optional[str]] = so.mapped_column(sa.ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    seen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    source: so.Mapped[Source] = so.relationship(back_populates="items")
    job: so.Mapped[Optional["Job"]] = so.relationship()


class FetchHost(db.Model):
    """When the desk may next send a request to a host (at least
    ``CLAIMDESK_FETCH_HOST_INTERVAL`` seconds apart, across every process)."""

    __tablename__ = "fetch_hosts"

    host: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    next_at: so.Mapped[datetime]
