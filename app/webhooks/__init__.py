"""Webhooks: registration and the outbox (``service.emit``, called by the services whose
changes they report), delivery with retries (``delivery``), admin pages (``bp``)."""
from app.webhooks.routes import bp

__all__ = ["bp"]
