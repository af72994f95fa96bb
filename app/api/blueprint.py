"""The /api/v1 blueprint and its token check; the routes modules hang their views on ``bp``."""
from __future__ import annotations

from flask import Blueprint, g, request

from app.auth.service import user_for_token
from app.errors import Forbidden
from app.extensions import csrf
from app.models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
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
