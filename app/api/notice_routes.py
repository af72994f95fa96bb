"""API routes for knowing what happened: the token user's notifications, webhooks (admins)
and their deliveries, due dates on claims."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.api import serializers as ser
from app.api.blueprint import api_user, bp
from app.api.inputs import json_body
from app.errors import Invalid
from app.models import Notification, Webhook, WebhookDelivery, iso_utc
from app.notifications import service as notifications
from app.webhooks import service as webhooks
from app.workflow import service


def notification_json(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "message": n.message, "claim_id": n.claim_id,
            "actor": n.actor.name if n.actor else None, "created_at": iso_utc(n.created_at),
            "read_at": iso_utc(n.read_at)}


def webhook_json(hook: Webhook) -> dict[str, Any]:
    """A webhook; its secret is never sent back (only its length)."""
    return {"id": hook.id, "url": hook.url, "events": list(hook.events), "active": hook.active,
            "secret_length": len(hook.secret), "created_at": iso_utc(hook.created_at)}


def delivery_json(d: WebhookDelivery) -> dict[str, Any]:
    return {"id": d.id, "event": d.event, "event_id": d.event_id, "state": d.state, "attempts": d.attempts,
            "last_status": d.last_status, "last_error": d.last_error, "created_at": iso_utc(d.created_at),
            "last_attempt_at": iso_utc(d.last_attempt_at), "next_attempt_at": iso_utc(d.next_attempt_at),
            "delivered_at": iso_utc(d.delivered_at)}


@bp.get("/notifications")
def list_notifications():
    """The token user's notifications, newest first (``?unread=1``: unread only)."""
    page = notifications.notifications_of(api_user(), unread_only=request.args.get("unread") in ("1", "true"),
                                          page=request.args.get("page", 1, type=int) or 1,
                                          per_page=request.args.get("per_page", 50, type=int) or 50)
    return jsonify({"items": [notification_json(n) for n in page.items], "unread": page.unread,
                    "total": page.total, "page": page.page, "pages": page.pages})


@bp.post("/notifications/read")
def read_notifications():
    """Mark notifications read: ``{"ids": [...]}``, or ``{}`` for all of them."""
    data = json_body() if request.data else {}
    ids = data.get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(type(i) is int for i in ids)):
        raise Invalid("ids must be a list of notification ids.", field="ids")
    marked = notifications.mark_read(api_user(), ids)
    return jsonify({"marked": marked, "unread": notifications.unread_count(api_user())})


@bp.get("/webhooks")
def list_webhooks():
    webhooks.check_admin(api_user())
    return jsonify({"items": [webhook_json(h) for h in webhooks.webhooks()]})


@bp.post("/webhooks")
def create_webhook():
    """Register ``{"url", "secret", "events": [...]}`` (admins) → 201."""
    webhooks.check_admin(api_user())
    data = json_body()
    unknown = sorted(set(data) - {"url", "secret", "events"})
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(unknown)}.", fields=unknown)
    for name in ("url", "secret", "events"):
        if name not in data:
            raise Invalid(f"{name} is required.", field=name)
    hook = webhooks.register(url=data["url"], secret=data["secret"], events=data["events"], by=api_user())
    return jsonify(webhook_json(hook)), 201


@bp.get("/webhooks/<int:webhook_id>/deliveries")
def webhook_deliveries(webhook_id: int):
    """The endpoint's deliveries, newest first (``?limit=``, at most 500)."""
    webhooks.check_admin(api_user())
    items = webhooks.deliveries_of(webhook_id, limit=request.args.get("limit", 100, type=int) or 100)
    return jsonify({"items": [delivery_json(d) for d in items]})


@bp.post("/claims/<int:claim_id>/due")
def set_due_date(claim_id: int):
    """Set ``{"due_date": "YYYY-MM-DD" or null, "version"}``."""
    data = json_body()
    if "due_date" not in data:
        raise Invalid("Send due_date (YYYY-MM-DD, or null for none).", field="due_date")
    if data["due_date"] is not None and not isinstance(data["due_date"], str):
        raise Invalid("due_date must be a date as YYYY-MM-DD (or null for none).", field="due_date")
    claim = service.set_due_date(claim_id, user=api_user(), due=data["due_date"], version=data.get("version"))
    return jsonify(ser.claim_detail(claim, service.history(claim_id)))
