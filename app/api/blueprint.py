"""The /api/v1 blueprint (flask-smorest), its token check, its request parser and error docs.

The routes modules hang their views on ``bp``: see "Adding an API route" in app/api/__init__.py.
"""
from __future__ import annotations

from typing import Any, Callable

import flask_smorest
from flask import g, request
from webargs.flaskparser import FlaskParser

from app.auth.service import user_for_token
from app.errors import Forbidden, UnsupportedMedia
from app.extensions import csrf
from app.models import User


class DeskParser(FlaskParser):
    """webargs' Flask parser reading JSON through the desk's request (app.inputs: control
    characters removed, too deep a body a 400). A body that is not JSON is 415; no body at all
    reads as ``{}`` (so an action whose fields are all optional may be sent empty)."""

    def _raw_load_json(self, req) -> Any:
        if not req.is_json:
            if req.content_length or req.mimetype:
                raise UnsupportedMedia("Send JSON with 'Content-Type: application/json'.")
            return {}
        if not req.get_data(cache=True):
            return {}
        return req.get_json()  # invalid JSON: 400 bad_request


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
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>' (flask --app app create-token EMAIL).")
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
