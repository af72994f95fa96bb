"""Per-host pacing of the desk's fetches: requests to one host at least
``CLAIMDESK_FETCH_HOST_INTERVAL`` seconds apart (or a robots.txt crawl delay), across every
process. The next free moment of each host is a row of ``fetch_hosts``; a request takes its
slot in a short transaction on a connection of its own (never the caller's session), then
sleeps until it. ``fetch_settings()`` (app/ingest/service.py) hands ``pace`` to the fetcher.
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from flask import current_app

from app.database import WRITE_OPTION
from app.extensions import db
from app.models import FetchHost, utcnow


def pace(host: str, *, at_least: Optional[float] = None) -> None:
    """Wait for this request's turn at ``host``."""
    interval = max(float(current_app.config.get("CLAIMDESK_FETCH_HOST_INTERVAL", 1.0)), at_least or 0.0)
    if interval <= 0:
        return
    host = host.lower()[:255]
    wait = 0.0
    for attempt in range(3):
        try:
            wait = _reserve(host, interval)
            break
        except sa.exc.IntegrityError:  # two first requests to a new host: the other inserted its row
            if attempt == 2:
                raise
    if wait > 0:
        time.sleep(wait)


def _reserve(host: str, interval: float) -> float:
    """Take the host's next slot; the seconds to wait for it."""
    now = utcnow()
    with db.engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})  # SQLite: BEGIN IMMEDIATE
        with connection.begin():
            next_at = connection.scalar(sa.select(FetchHost.next_at).where(FetchHost.host == host).with_for_update())
            slot = max(now, next_at) if next_at is not None else now
            values = {"next_at": slot + timedelta(seconds=interval)}
            if next_at is None:
                connection.execute(sa.insert(FetchHost).values(host=host, **values))
            else:
                connection.execute(sa.update(FetchHost).where(FetchHost.host == host).values(**values))
    return (slot - now).total_seconds()
