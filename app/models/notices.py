"""What the desk tells people: in-app notifications, and webhooks with their delivery outbox."""
from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models.base import one_of, utcnow

if TYPE_CHECKING:
    from app.models.claims import Claim
    from app.models.users import User

NOTIFICATION_KINDS = ("assigned", "returned", "approved", "mentioned")
WEBHOOK_EVENTS = ("claim.approved", "claim.returned", "factcheck.published", "article.ingested")
DELIVERY_STATES = ("pending", "delivered", "failed")


class Notification(db.Model):
    """Something that happened to one person's work: read when they open it."""

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("kind", NOTIFICATION_KINDS, "kind"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    claim_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    read_at: so.Mapped[Optional[datetime]]

    user: so.Mapped["User"] = so.relationship(foreign_keys=[user_id])
    actor: so.Mapped[Optional["User"]] = so.relationship(foreign_keys=[actor_id])
    claim: so.Mapped[Optional["Claim"]] = so.relationship()


class Webhook(db.Model):
    """An endpoint an admin registered: signed JSON POSTs of the events it subscribes to."""

    __tablename__ = "webhooks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(2000))
    # Kept as given: every delivery is signed with it (HMAC-SHA256), so it cannot be hashed.
    secret: so.Mapped[str] = so.mapped_column(sa.String(200))
    events: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    created_by: so.Mapped[Optional["User"]] = so.relationship()
    deliveries: so.WriteOnlyMapped["WebhookDelivery"] = so.relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True)


class WebhookDelivery(db.Model):
    """The outbox: one event for one webhook, written in the transaction of the change it
    reports, then sent (and retried) by the task queue. ``body`` is the exact JSON sent,
    so every attempt carries the same bytes and signature."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        one_of("state", DELIVERY_STATES, "state"),
        sa.Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    webhook_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: so.Mapped[str] = so.mapped_column(sa.String(50))
    event_id: so.Mapped[str] = so.mapped_column(sa.String(40))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_status: so.Mapped[Optional[int]]
    last_error: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    next_attempt_at: so.Mapped[Optional[datetime]]
    last_attempt_at: so.Mapped[Optional[datetime]]
    delivered_at: so.Mapped[Optional[datetime]]

    webhook: so.Mapped[Webhook] = so.relationship(back_populates="deliveries")

    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)
