"""Articles: the ingest page, the article list and the article with its quotes highlighted."""
from app.articles.routes import bp

__all__ = ["bp"]
