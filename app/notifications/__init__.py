"""In-app notifications: the page (``bp``) and the navbar count; ``service`` holds the rules
and is what the workflow services call to notify people."""
from app.notifications.routes import bp

__all__ = ["bp"]
