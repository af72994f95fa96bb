"""Log in and out, and the role checks views use."""
from app.auth.routes import bp

__all__ = ["bp"]
