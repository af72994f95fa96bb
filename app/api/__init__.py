"""JSON API under /api/v1: token auth, JSON errors, the same services as the web views."""
from app.api import correction_routes, export_routes, notice_routes, routes, source_routes, speaker_routes  # noqa: F401,E501  (each adds its routes to bp)
from app.api.blueprint import bp
from app.api.docs import bp as docs_bp

__all__ = ["bp", "docs_bp"]
