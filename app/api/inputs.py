"""Reading an API request's JSON body: each field checked for its type, named when wrong."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import request

from app.errors import Invalid, UnsupportedMedia


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/422 error that says what was wrong."""
    if not request.is_json:
        raise UnsupportedMedia("Send JSON with 'Content-Type: application/json'.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.")
    return data


def date_field(data: dict, name: str) -> Optional[datetime]:
    """An optional ISO 8601 date or date-time, as naive UTC."""
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 date.", field=name) from None


def str_field(data: dict, name: str, limit: int = 2000) -> Optional[str]:
    """An optional string, stripped and cut to ``limit``; empty is None."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string.", field=name)
    return value.strip()[:limit] or None


def id_field(data: dict, name: str) -> Optional[int]:
    """An optional id field: a whole number or absent (``true`` and ``"7"`` are refused)."""
    value = data.get(name)
    if value is None:
        return None
    if type(value) is not int:
        raise Invalid(f"{name} must be an integer.", field=name)
    return value
