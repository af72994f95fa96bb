"""The signed-in user's own settings: API tokens."""
from app.account.routes import bp

__all__ = ["bp"]
