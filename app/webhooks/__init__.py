"""Webhooks: registration and the outbox (``service.emit``, called by the services whose
changes they report), delivery with retries (``delivery``), admin pages (``bp``);
the task queue sends due deliveries every minute (``tasks``, imported by ``create_app``)."""
from app.webhooks.routes import bp

__all__ = ["bp"]
