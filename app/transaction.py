"""One write transaction per action: rolled back whole on any error, and SQLite's
"database is locked" (another write held the lock past the busy timeout) turned into Busy."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import OperationalError

from app.errors import Busy
from app.extensions import db


def is_database_locked(exc: OperationalError) -> bool:
    """True when SQLite gave up waiting for its write lock."""
    return "database is locked" in str(exc.orig)


@contextmanager
def rollback_on_error(busy_message: str) -> Iterator[None]:
    """Run a write; on any error roll the session back, raising Busy(``busy_message``)
    for a locked SQLite database and the error itself otherwise."""
    try:
        yield
    except OperationalError as exc:
        db.session.rollback()
        if is_database_locked(exc):
            raise Busy(busy_message) from None
        raise
    except BaseException:
        db.session.rollback()
        raise
