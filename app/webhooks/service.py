"""Webhooks: admins register endpoints; events become outbox rows in the transaction of the
change they report; the task queue delivers them (``app.webhooks.delivery``).

Each delivery is a JSON POST of ``{"event", "id", "timestamp", "data"}`` signed in the header
``X-Claimdesk-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>``.
Addresses follow the URL-ingest fetcher's rules (public addresses only, unless listed in
the allowed-hosts setting), checked when registered and again at every delivery.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Iterable, Optional

import sqlalchemy as sa

from app.database import begin_write
from app.errors import FetchRefused, Forbidden, Invalid, NotFound
from app.extensions import db
from app.ids import parse_id
from flask import current_app

from app.ingest.fetch import FetchSettings, parse_target, resolve_host, vetted_addresses
from app.models import WEBHOOK_EVENTS, Webhook, WebhookDelivery, iso_utc, utcnow
from app.transaction import rollback_on_error
from app.workflow.audit import record
from app.workflow.rules import can_administer

BUSY_MESSAGE = "Another change was being saved at the same moment; nothing was changed. Try again."
SECRET_MIN, SECRET_MAX = 16, 200


def address_settings() -> FetchSettings:
    """The fetcher's address rules for webhook endpoints: the allowed-hosts setting (tests'
    local servers), ``CLAIMDESK_WEBHOOK_TIMEOUT`` per attempt, no redirects."""
    config = current_app.config
    return FetchSettings(allowed_hosts=frozenset(h.lower() for h in config.get("CLAIMDESK_FETCH_ALLOWED_HOSTS", ())),
                         timeout=float(config.get("CLAIMDESK_WEBHOOK_TIMEOUT", 10)), max_redirects=0,
                         user_agent="Claimdesk-Webhooks/1.0")


def check_admin(user: Any) -> None:
    """Refuse anyone but an active admin."""
    if not can_administer(user):
        raise Forbidden("Only admins manage webhooks.")


def check_url(url: str, *, resolve=resolve_host) -> str:
    """The URL if deliveries may go there (the fetcher's rules), else Invalid naming why."""
    url = (url or "").strip()
    if not url:
        raise Invalid("Give the endpoint's URL.", field="url")
    if len(url) > 2000:
        raise Invalid("The URL is longer than 2,000 characters.", field="url")
    try:
        vetted_addresses(parse_target(url), address_settings(), resolve)
    except FetchRefused as exc:
        raise Invalid(exc.message.replace("Refused to fetch", "Refused"), field="url") from None
    return url


def _events(events: Any) -> list[str]:
    if not isinstance(events, (list, tuple)) or not events or not all(isinstance(e, str) for e in events):
        raise Invalid(f"events must be a list of one or more of: {', '.join(WEBHOOK_EVENTS)}.", field="events")
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        raise Invalid(f"Unknown events: {', '.join(unknown)}; known: {', '.join(WEBHOOK_EVENTS)}.", field="events")
    return [e for e in WEBHOOK_EVENTS if e in events]


def register(*, url: Any, secret: Any, events: Any, by: Any, resolve=resolve_host) -> Webhook:
    """Register an endpoint for ``events`` signed with ``secret`` (admins)."""
    check_admin(by)
    if not isinstance(url, str):
        raise Invalid("url must be a string.", field="url")
    if not isinstance(secret, str) or not (SECRET_MIN <= len(secret) <= SECRET_MAX):
        raise Invalid(f"secret must be a string of {SECRET_MIN} to {SECRET_MAX} characters.", field="secret")
    events = _events(events)
    url = check_url(url, resolve=resolve)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        hook = Webhook(url=url, secret=secret, events=events, created_by=by)
        db.session.add(hook)
        db.session.flush()
        record("webhook_created", user=by, after={"id": hook.id, "url": url, "events": events})
        db.session.commit()
    return hook


def set_active(webhook_id: Any, active: bool, *, by: Any) -> Webhook:
    """Pause or resume an endpoint (paused: no new deliveries are queued for it)."""
    check_admin(by)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        hook = get_webhook(webhook_id)
        if hook.active != active:
            hook.active = active
            record("webhook_changed", user=by, before={"url": hook.url, "active": not active},
                   after={"url": hook.url, "active": active})
            db.session.commit()
    return hook


def delete(webhook_id: Any, *, by: Any) -> None:
    """Remove an endpoint and its delivery log."""
    check_admin(by)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        hook = get_webhook(webhook_id)
        record("webhook_deleted", user=by, before={"id": hook.id, "url": hook.url, "events": hook.events})
        db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
        db.session.delete(hook)
        db.session.commit()


def get_webhook(webhook_id: Any) -> Webhook:
    hook = db.session.get(Webhook, parse_id(webhook_id)) if parse_id(webhook_id) else None
    if hook is None:
        raise NotFound(f"Webhook {webhook_id} does not exist.")
    return hook


def webhooks() -> list[Webhook]:
    return list(db.session.scalars(sa.select(Webhook).order_by(Webhook.id)))


def deliveries_of(webhook_id: Any, *, limit: int = 100, before_id: Optional[int] = None) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first."""
    hook = get_webhook(webhook_id)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
    if before_id:
        stmt = stmt.where(WebhookDelivery.id < before_id)
    return list(db.session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(max(1, min(limit, 500)))))


def emit(event: str, data: dict[str, Any], *, subscribers: Optional[Iterable[Webhook]] = None) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint subscribed to it, in the caller's
    transaction (committed with the change, or not at all)."""
    assert event in WEBHOOK_EVENTS, event
    hooks = subscribers if subscribers is not None else db.session.scalars(
        sa.select(Webhook).where(Webhook.active.is_(True)))
    now = utcnow()
    event_id = str(uuid.uuid4())
    body = json.dumps({"event": event, "id": event_id, "timestamp": iso_utc(now), "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    rows = []
    for hook in hooks:
        if event in (hook.events or ()):
            rows.append(WebhookDelivery(webhook=hook, event=event, event_id=event_id, body=body,
                                        created_at=now, next_attempt_at=now))
    db.session.add_all(rows)
    return rows
