"""JSON API under /api/v1: token auth, JSON errors, the same services as the web views."""
from app.api import export_routes  # noqa: F401  (adds the export routes to bp)
from app.api.docs import bp as docs_bp
from app.api.routes import bp

__all__ = ["bp", "docs_bp"]
