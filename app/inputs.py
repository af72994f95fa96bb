"""What the desk takes in from a request: one rule for text, one limit for JSON.

The rule: control characters are removed from every piece of text a request brings in,
before any view, form or service sees it. That is C0 controls U+0000-U+001F except tab,
line feed and carriage return, and DEL (U+007F): the same set ``normalise_text`` removes
from article text. They are invisible, no editor types them on purpose, and PostgreSQL
refuses NUL in text while SQLite stores it, so removing them keeps both databases alike.
A lone UTF-16 surrogate in a JSON string (``"\\ud800"``), which no database can store, becomes
U+FFFD. It applies to query strings, form fields (names and values), uploaded file names and
every string in a JSON body (keys included).

JSON bodies nested deeper than ``MAX_JSON_DEPTH`` are refused with 400 (no request of the
desk needs more than three levels; Python's parser would otherwise crash on 100,000).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest

MAX_JSON_DEPTH = 64
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` without control characters (tab, LF, CR kept); lone surrogates as U+FFFD."""
    if _REMOVED.search(value) is None:
        return value
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", value))


def clean_json(value: Any) -> Any:
    """Every string in a parsed JSON value cleaned (keys too), walked without recursion.

    Raises:
        BadRequest: the value is nested deeper than ``MAX_JSON_DEPTH``.
    """
    if isinstance(value, str):
        return clean_text(value)
    if not isinstance(value, (list, dict)):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(container, list):
            for i, item in enumerate(container):
                if isinstance(item, str):
                    container[i] = clean_text(item)
                elif isinstance(item, (list, dict)):
                    stack.append((item, depth + 1))
        else:
            for key in list(container):
                item = container[key]
                if isinstance(item, str):
                    item = clean_text(item)
                elif isinstance(item, (list, dict)):
                    stack.append((item, depth + 1))
                new_key = clean_text(key)
                if new_key != key:
                    del container[key]
                container[new_key] = item
    return root[0]


def _too_deep() -> BadRequest:
    return BadRequest(f"The JSON body is nested too deeply (more than {MAX_JSON_DEPTH} levels).")


class CleanMultiDict(ImmutableMultiDict):
    """Query and form parameters with their names and values cleaned (file names too)."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, Mapping):
            pairs = [(k, v) for k, vs in mapping.items() for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
        else:
            pairs = mapping
        super().__init__([(clean_text(k) if isinstance(k, str) else k, _clean_value(v)) for k, v in pairs])


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = clean_text(value.filename)
    return value


class DeskRequest(Request):
    """Flask's request with the rule above applied to everything it parses."""

    parameter_storage_class = CleanMultiDict  # request.args, request.form, request.files

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Parsed JSON with its strings cleaned; too deep a body is a 400 even when ``silent``."""
        try:
            raw = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise _too_deep() from None
        if raw is None:
            return None
        cleaned = clean_json(raw)
        if cache:
            self._cached_json = tuple(cleaned if v is raw else v for v in self._cached_json)  # type: ignore[assignment]
        return cleaned
