"""The /api/v1 blueprint (flask-smorest), its token check, its request parser and error docs.

The routes modules hang their views on ``bp``: see "Adding an API route" in app/api/__init__.py.
"""
from __future__ import annotations

import functools
import json
from typing import Any, Callable

import flask_smorest
from flask import g, request
from webargs.flaskparser import FlaskParser

from app.auth.service import user_for_token
from app.errors import Forbidden, UnsupportedMedia
from app.extensions import csrf
from app.inputs import clean_json
from app.models import User


class DeskParser(FlaskParser):
    """webargs' Flask parser with the desk's rules for JSON bodies.

    A body that is not JSON is 415; no body at all reads as ``{}`` (an action whose fields are
    all optional may be sent empty); invalid or too deeply nested JSON is 400 (app.inputs). The
    schema checks the body as it was sent, and only what passed has its control characters
    removed (app.inputs.clean_json): a string over its limit is refused even if cleaning
    would shorten it. Query parameters follow their schema's ``unknown`` (app.api.fields.QuerySchema:
    refused)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req) -> Any:
        if not req.is_json:
            if req.content_length or req.mimetype:
                raise UnsupportedMedia("Send JSON with 'Content-Type: application/json'.")
            return {}
        if not req.get_data(cache=True):
            return {}
        req.get_json()  # the checks: invalid JSON or too deep a body is a 400
        return json.loads(req.get_data(cache=True))

    def parse(self, argmap, req=None, *, location=None, **kwargs) -> Any:
        data = super().parse(argmap, req, location=location, **kwargs)
        return clean_json(data) if (location or self.location) == "json" else data


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = DeskParser()


bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Claimdesk JSON API")
csrf.exempt(bp)  # token auth, no cookies: nothing for CSRF to protect

PUBLIC_ENDPOINTS: set[str] = {"api.openapi"}


class Unauthorized(Forbidden):
    code, status = "unauthorized", 401


@bp.before_request
def authenticate_token():
    """Every API call carries ``Authorization: Bearer <token>``; sessions are not used here."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'; every user makes their own "
                           "on the API tokens page (/account/tokens).")
    user = user_for_token(secret.strip())
    if user is None:
        raise Unauthorized("The API token is unknown, revoked, or its user is inactive.")
    g.api_user = user
    return None


def api_user() -> User:
    """The user whose token signed this request."""
    return g.api_user


def errors(*codes: int, public: bool = False) -> Callable:
    """Document the errors an operation answers (each ``{"error": ...}``); 401 is added
    unless the operation is ``public`` (listed in ``PUBLIC_ENDPOINTS``)."""
    from app.api.openapi import ERROR_TEXT
    from app.api.schemas import ErrorSchema

    def decorator(func: Callable) -> Callable:
        for code in sorted(set(codes) | (set() if public else {401})):
            func = bp.alt_response(code, schema=ErrorSchema, description=ERROR_TEXT[code])(func)
        return func
    return decorator


def role_first(check: Callable[[User], None]) -> Callable:
    """Run ``check(api_user())`` before the request is read: someone who may not use the
    operation at all is told so (403), not what was wrong with their body (422). Put it just
    under the route decorator."""
    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(api_user())
            return func(*args, **kwargs)
        return wrapper
    return decorator
