"""The review queue: filter, sort, page through and act on claims."""
from app.queue.routes import bp

__all__ = ["bp"]
