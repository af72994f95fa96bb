"""JSON API under /api/v1: token auth, JSON errors, the same services as the web views."""
from app.api.routes import bp

__all__ = ["bp"]
