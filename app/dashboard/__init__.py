"""The desk's dashboard: claims by status and speaker, approvals per day, time to approval,
and the claims waiting longest for review."""
from app.dashboard.routes import bp

__all__ = ["bp"]
