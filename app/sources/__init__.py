"""Monitored sources: feeds, sitemaps and front pages polled for new articles, each item an
ingest job.

- ``parse``: reading feeds (feedparser), sitemaps and front pages (trafilatura's helpers) and
  robots.txt; no Flask, no database, no network.
- ``service``: the admins' changes (audited) and the poll (lease, robots.txt, conditional
  fetches, new items to jobs); ``app.ingest.pacing`` spaces requests to one host.
- ``tasks``: the queue's ``sources.poll`` task and the ``sources.due`` periodic task.
- ``routes``: the Sources pages; the API is ``app/api/source_routes.py``.
"""
from app.sources import tasks  # registers the queue's tasks at import
from app.sources.routes import bp

__all__ = ["bp", "tasks"]
