"""The signed-in user's own settings: password, sign-ins, API tokens."""
from app.account.routes import bp

__all__ = ["bp"]
