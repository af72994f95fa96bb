"""Sending the outbox: one attempt per call, retried with backoff until delivered or given up.

``deliver(delivery_id)`` is what the task queue's task calls (and ``deliver_due()`` what its
periodic task, or ``flask webhooks deliver``, calls for every delivery whose time has come).
The HTTP request happens outside any database transaction; the outcome is written after.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from app.database import begin_write
from app.errors import FetchRefused
from app.extensions import db
from app.ingest.fetch import post_bytes, resolve_host
from app.models import WebhookDelivery, utcnow
from app.webhooks.service import address_settings

SIGNATURE_HEADER = "X-Claimdesk-Signature"
# Seconds to wait before attempt 2, 3, ...: about a day in all, then the delivery is failed.
BACKOFF = (30, 120, 600, 3600, 6 * 3600, 18 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1


def signature(secret: str, body: bytes) -> str:
    """The header value: ``sha256=`` and the hex HMAC-SHA256 of the raw body with the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass
class Attempt:
    delivery_id: int
    state: str
    status: Optional[int]
    error: Optional[str]


def deliver(delivery_id: int, *, resolve=resolve_host) -> Optional[Attempt]:
    """One attempt at a pending delivery; None when it is not pending (done, or gone)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != "pending":
        db.session.rollback()
        return None
    hook = delivery.webhook
    url, body = hook.url, delivery.body.encode("utf-8")
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(hook.secret, body),
               "X-Claimdesk-Event": delivery.event, "X-Claimdesk-Delivery": str(delivery.id)}
    db.session.rollback()  # no transaction stays open during the request
    status, error, final = None, None, False
    try:
        result = post_bytes(url, body, headers, address_settings(), resolve=resolve)
        status = result.status
        if not 200 <= status < 300:
            error = f"HTTP {status}: {result.body[:200].decode('utf-8', 'replace')}".strip()
    except FetchRefused as exc:
        error = exc.message
        final = "Refused" in exc.message  # a non-public address: retrying changes nothing
    return _record(delivery_id, status=status, error=error, final=final)


def _record(delivery_id: int, *, status: Optional[int], error: Optional[str], final: bool) -> Attempt:
    begin_write()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    now = utcnow()
    delivery.attempts += 1
    delivery.last_status, delivery.last_error, delivery.last_attempt_at = status, error, now
    if error is None:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_attempt_at = "failed", None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
    db.session.commit()
    return Attempt(delivery.id, delivery.state, status, error)


def due_ids(limit: int = 100) -> list[int]:
    """Pending deliveries whose next attempt is due, oldest first."""
    return list(db.session.scalars(
        sa.select(WebhookDelivery.id).where(WebhookDelivery.state == "pending",
                                            WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))


def deliver_due(limit: int = 100, *, resolve=resolve_host) -> list[Attempt]:
    """One attempt at each due delivery."""
    attempts = []
    for delivery_id in due_ids(limit):
        attempt = deliver(delivery_id, resolve=resolve)
        if attempt is not None:
            attempts.append(attempt)
    return attempts
