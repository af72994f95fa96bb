"""Shared column helpers for the models."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa


def utcnow() -> datetime:
    """Now in UTC, naive: every timestamp in the database is naive UTC on every backend."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso_utc(value: Optional[datetime]) -> Optional[str]:
    """A naive-UTC timestamp as ISO 8601 with a Z (what the API, exports and JSON-LD write)."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    """A CHECK constraint that keeps ``column`` to ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name)
