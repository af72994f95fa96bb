"""Speakers: who said what across the desk."""
from app.speakers.routes import bp

__all__ = ["bp"]
