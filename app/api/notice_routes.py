"""API routes for knowing what happened: the token user's notifications, webhooks (admins)
and their deliveries, due dates on claims."""
from __future__ import annotations

from typing import Any

from app.api import schemas as s
from app.api.blueprint import api_user, bp, errors, role_first
from app.api.views import claim_view
from app.notifications import service as notifications
from app.webhooks import service as webhooks
from app.workflow import service


@bp.get("/notifications", tags=["notifications"])
@bp.doc(operationId="listNotifications")
@bp.arguments(s.NotificationsQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.NotificationPageSchema, description="A page of notifications and the unread count.")
@errors(422)
def list_notifications(unread: str = "0", page: int = 1, per_page: int = 50):
    """The token user's notifications, newest first"""
    return notifications.notifications_of(api_user(), unread_only=unread in ("1", "true"), page=page,
                                          per_page=per_page)


@bp.post("/notifications/read", tags=["notifications"])
@bp.doc(operationId="readNotifications")
@bp.arguments(s.NotificationsReadInSchema, required=False)
@bp.response(200, s.NotificationsReadSchema, description="How many were marked, how many stay unread.")
@errors(400, 415, 422)
def read_notifications(data: dict[str, Any]):
    """Mark notifications read: `ids`, or all of them with an empty body"""
    marked = notifications.mark_read(api_user(), data.get("ids"))
    return {"marked": marked, "unread": notifications.unread_count(api_user())}


@bp.get("/webhooks", tags=["webhooks"])
@bp.doc(operationId="listWebhooks")
@bp.response(200, s.WebhookListSchema, description="The webhooks.")
@errors(403)
def list_webhooks():
    """Registered webhooks (admins)"""
    webhooks.check_admin(api_user())
    return {"items": webhooks.webhooks()}


@bp.post("/webhooks", tags=["webhooks"])
@role_first(webhooks.check_admin)
@bp.doc(operationId="createWebhook")
@bp.arguments(s.WebhookInSchema)
@bp.response(201, s.WebhookSchema, description="The webhook (its secret is not sent back).")
@errors(400, 403, 415, 422)
def create_webhook(data: dict[str, Any]):
    """Register an endpoint, its secret and events (admins; public addresses only)"""
    return webhooks.register(url=data["url"], secret=data["secret"], events=data["events"], by=api_user())


@bp.get("/webhooks/<int:webhook_id>/deliveries", tags=["webhooks"])
@role_first(webhooks.check_admin)
@bp.doc(operationId="webhookDeliveries")
@bp.arguments(s.DeliveriesQuerySchema, location="query", as_kwargs=True)
@bp.response(200, s.DeliveryListSchema, description="The deliveries.")
@errors(403, 404, 422)
def webhook_deliveries(webhook_id: int, limit: int = 100):
    """An endpoint's deliveries, newest first (admins)"""
    webhooks.check_admin(api_user())
    return {"items": webhooks.deliveries_of(webhook_id, limit=limit)}


@bp.post("/claims/<int:claim_id>/due", tags=["workflow"])
@bp.doc(operationId="setDueDate")
@bp.arguments(s.DueInSchema)
@bp.response(200, s.ClaimDetailSchema, description="The claim.")
@errors(400, 403, 404, 409, 415, 422)
def set_due_date(data: dict[str, Any], claim_id: int):
    """Set or clear a claim's due date"""
    service.set_due_date(claim_id, user=api_user(), due=data["due_date"], version=data["version"])
    return claim_view(claim_id)
