"""Marshmallow fields the API's schemas share: strict types, no silent coercion.

Strings are strings (``null``, ``["x"]``, ``true`` are refused, never stored as "None",
"['x']", "True"), integers are whole JSON numbers (``true``, ``1.5``, ``"7"`` refused),
lengths over a column's limit are refused, never cut.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from app.ids import MAX_ID
from app.inputs import clean_text
from app.links import is_web_url
from app.models import iso_utc

MAX_VERSION = 2**31 - 1  # Claim.version is an integer column


class WholeNumber(fields.Integer):
    """A JSON number with no fractional part: ``7`` (and ``7.0``, an integer in JSON Schema's
    sense); never ``true``, ``1.5`` or ``"7"``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


def Text(max_length: int, **kwargs: Any) -> fields.String:
    """A JSON string of at most ``max_length`` characters."""
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def Id(**kwargs: Any) -> fields.Integer:
    """A row id: a whole number from 1 to what an integer column holds."""
    return WholeNumber(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Version(*, required: bool = True) -> fields.Integer:
    """The claim ``version`` a change was made from (a stale one answers 409)."""
    return WholeNumber(
        required=required, validate=validate.Range(min=1, max=MAX_VERSION),
        metadata={"description": "The claim's version the change was made from; a stale one answers 409 "
                                 "`stale_version` and saves nothing."})


def Choice(values: tuple[str, ...] | list[str], **kwargs: Any) -> fields.String:
    """One of ``values``."""
    return fields.String(validate=validate.OneOf(list(values)), **kwargs)


class UtcDateTime(fields.DateTime):
    """ISO 8601 date-time. Loads as naive UTC (what the models store); dumps with a ``Z``."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return iso_utc(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        if not 1 <= parsed.year <= 9998:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        return parsed


class UserRef(fields.Field):
    """Someone to assign: a user id, an e-mail address, or ``null`` for nobody."""

    default_error_messages = {"invalid": "Give a user id (a whole number), an e-mail address, or null."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, metadata={
            "description": "A user id or e-mail; null for nobody.",
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID},
                      {"type": "string", "minLength": 1, "maxLength": 254}, {"type": "null"}],
        }, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | str:
        if type(value) is int and 1 <= value <= MAX_ID:
            return value
        if isinstance(value, str) and 1 <= len(value) <= 254:
            return value
        raise self.make_error("invalid")


class Span(fields.Function):
    """``[start, end]`` character offsets of a claim in its article."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(lambda claim: [claim.start, claim.end], metadata={
            "type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
            "description": "Character offsets [start, end) in the article text."}, **kwargs)


WEB_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s]+$"


def _web_url(value: str) -> None:
    cleaned = clean_text(value)  # control characters are dropped later (app.inputs)
    if not re.match(WEB_URL_PATTERN, cleaned) or not is_web_url(cleaned):
        raise ma.ValidationError("Give an http:// or https:// address.")


def WebUrl(**kwargs: Any) -> fields.String:
    """An http(s) address of at most 2,000 characters."""
    metadata = {"pattern": WEB_URL_PATTERN, **kwargs.pop("metadata", {})}
    return fields.String(validate=[validate.Length(max=2000), _web_url], metadata=metadata, **kwargs)


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false``: nothing else (no ``"yes"``, ``1`` or ``"true"``)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value


class StrictSchema(ma.Schema):
    """A request body: unknown fields are refused (422), never ignored."""

    class Meta:
        unknown = ma.RAISE


class QuerySchema(ma.Schema):
    """Query-string parameters: unknown ones are refused (422), so a misspelt filter is never
    silently ignored."""

    class Meta:
        unknown = ma.RAISE
