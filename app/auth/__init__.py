"""Signing in and out (the role checks live in app.workflow.rules)."""
from app.auth.routes import bp

__all__ = ["bp"]
