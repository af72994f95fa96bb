"""Admin pages: people (invite, roles, deactivate/reactivate, password resets) and the audit
log (``bp``, admins only); the pages behind the one-time links (``links_bp``, public). The
rules are in ``service``, which the CLI calls too."""
from app.admin.link_routes import links_bp
from app.admin.routes import bp

__all__ = ["bp", "links_bp"]
