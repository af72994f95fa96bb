"""Jobs pages: recent ingest jobs, and one job's page that follows it until it is done."""
from app.jobs.routes import bp

__all__ = ["bp"]
