"""Absolute URLs for exports: from the current request, or from a base URL outside one (CLI)."""
from __future__ import annotations

from typing import Callable, Optional
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEFAULT_BASE_URL = "http://localhost:5000"


def external_url(endpoint: str, arg: str, *, base_url: Optional[str] = None) -> Callable[[int], str]:
    """A function from an id to the absolute URL of ``endpoint`` with ``arg=id``.

    In a request the URL uses the request's scheme and host. Elsewhere (the CLI) it uses
    ``base_url``, then the ``CLAIMDESK_BASE_URL`` setting, then http://localhost:5000.
    """
    if base_url is None and has_request_context():
        return lambda value: url_for(endpoint, _external=True, **{arg: value})
    base = urlsplit(base_url or current_app.config.get("CLAIMDESK_BASE_URL") or DEFAULT_BASE_URL)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ValueError(f"The base URL must look like https://desk.example.org, not {base_url!r}.")
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return lambda value: adapter.build(endpoint, {arg: value}, force_external=True)
