"""The claim page and every action on a claim."""
from app.claims.routes import bp

__all__ = ["bp"]
