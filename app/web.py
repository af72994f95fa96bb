"""App-wide web glue: user loading, error pages, template helpers, security headers."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Optional

from flask import Flask, jsonify, render_template, request
from flask_login import current_user
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.middleware.proxy_fix import ProxyFix

from app.auth import sessions
from app.errors import DomainError, Invalid
from app.extensions import db, login_manager
from app.ids import MAX_ID
from app.inputs import DeskRequest
from app.links import is_web_url
from app.models import STATUS_LABELS, VERDICT_LABELS, utcnow
from app.notifications.service import unread_count
from app.priority import priority_reason
from app.priority.checked import already_checked
from app.workflow.publication import published_record
from app.workflow.rules import can_administer, can_manage_sources, can_review, published_verdict


def init_app(app: Flask) -> None:
    """Register what every page needs."""
    app.request_class = DeskRequest  # control characters removed from all input (app.inputs)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to use the desk."
    login_manager.login_message_category = "info"

    # Cookies name a login session, not a user: signed out, it opens nothing (app.auth.sessions).
    login_manager.user_loader(sessions.load_user)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_json():
            code = {413: "too_large", 415: "unsupported_media_type", 400: "bad_request",
                    401: "unauthorized", 403: "forbidden", 404: "not_found",
                    405: "method_not_allowed", 429: "rate_limited"}.get(exc.code or 500, "error")
            message = exc.description or exc.name
            if exc.code == 413:
                message = f"The upload is larger than the limit of {app.config['MAX_CONTENT_LENGTH']:,} bytes."
            messages = (getattr(exc, "data", None) or {}).get("messages")
            if exc.code == 422 and messages:  # a request that does not match its schema (app.api);
                # details.field names the first, as the services' own Invalid errors do
                fields = invalid_fields(messages)
                return json_error("invalid", "Some fields are missing or wrong: " + "; ".join(
                    f"{name}: {why}" for name, why in fields.items()), 422, {"field": next(iter(fields))},
                    fields=fields)
            return json_error(code, message, exc.code or 500)
        if exc.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            exc.description = f"The file is larger than the {limit} MB upload limit. Nothing was stored."
        return render_template("errors/error.html", error=exc), exc.code or 500

    @app.errorhandler(OverflowError)
    def number_too_large(exc: OverflowError):
        """An id or page number beyond what the database stores names nothing: 404, not a crash."""
        if wants_json():
            return json_error("not_found", "Nothing has that number.", 404)
        return render_template("errors/error.html", error=NotFoundPage()), 404

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            field = exc.details.get("field") if isinstance(exc, Invalid) else None
            return json_error(exc.code, exc.message, exc.status, exc.details,
                              fields={field: exc.message} if isinstance(field, str) else None)
        return render_template("errors/error.html", error=exc), exc.status

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        """The database is down or restarting: say so (503); the pool reconnects by itself."""
        app.logger.warning("Database unavailable: %s", exc.orig or exc)
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - the connection is already gone
            pass
        message = "The database is not answering right now. Nothing was saved; try again in a moment."
        if wants_json():
            response = json_error("database_unavailable", message, 503)
        else:
            try:
                page = render_template("errors/error.html", error=DatabaseUnavailable(message))
            except Exception:  # the page itself needed the database (e.g. to load the user)
                page = message
            response = (page, 503)
        return (*response, {"Retry-After": "5"})

    @app.teardown_appcontext
    def release_session(_exc):
        """Close the session before Flask-SQLAlchemy's own teardown does, so a connection
        the database dropped after the response was made cannot turn it into a crash."""
        try:
            db.session.remove()
        except Exception as exc:  # noqa: BLE001 - the pool invalidates the dead connection
            app.logger.warning("Database connection lost while closing the session: %s", exc)

    app.session_interface = HttpsAwareSessionInterface()
    if app.config.get("CLAIMDESK_PROXY_COUNT"):
        hops = int(app.config["CLAIMDESK_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        return response

    @app.context_processor
    def desk_context() -> dict[str, Any]:
        """Today's date (due dates) and, for a signed-in page, the unread notifications count."""
        values: dict[str, Any] = {"today": utcnow().date()}
        if request.blueprint != "api" and current_user.is_authenticated:
            values["unread_notifications"] = unread_count(current_user)
        return values

    app.jinja_env.tests["web_url"] = is_web_url
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["nl2p"] = nl2p
    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, VERDICT_LABELS=VERDICT_LABELS,
                                 can_review=can_review, can_manage_sources=can_manage_sources,
                                 published_verdict=published_verdict, published_record=published_record,
                                 priority_reason=priority_reason, already_checked=already_checked,
                                 can_administer=can_administer)


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: ids beyond what an integer column holds match no route (404).

    The bound is in the pattern too: werkzeug counts a rule whose pattern matched but whose
    method differs before it checks ``max``, so ``PATCH /claims/2147483648`` (GET and PATCH are
    two rules) would answer 405 instead of 404."""

    regex = (r"(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
             r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])(?!\d)")

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class NotFoundPage:
    """The error page's wording for a number too large to exist."""

    code, name, description = 404, "Not Found", "Nothing in the desk has that number."


class DatabaseUnavailable:
    """What the error page shows while the database is away."""

    code, name = 503, "Database unavailable"

    def __init__(self, description: str) -> None:
        self.description = description


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions; every cookie set in a response to an https request is
    marked ``Secure`` (session and remember-me alike), whatever the config says."""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if request.is_secure:
            mark_cookies_secure(response)


def mark_cookies_secure(response) -> None:
    """Add ``Secure`` to each ``Set-Cookie`` header of ``response`` that lacks it."""
    cookies = response.headers.getlist("Set-Cookie")
    if all("; secure" in cookie.lower() for cookie in cookies):
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie if "; secure" in cookie.lower() else cookie + "; Secure")


def wants_json() -> bool:
    """API routes always answer JSON, errors included."""
    return request.path == "/api" or request.path.startswith("/api/")


def json_error(code: str, message: str, status: int, details: Optional[Mapping[str, Any]] = None,
               fields: Optional[Mapping[str, str]] = None):
    """``{"error": {"code", "message", "fields"?, "details"?}}`` with HTTP ``status`` (details may
    hold any names, ``status`` included; ``fields``: each wrong field and why)."""
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = dict(fields)
    if details:
        body["error"]["details"] = dict(details)
    return jsonify(body), status


def invalid_fields(messages: Mapping[str, Any]) -> dict[str, str]:
    """webargs/marshmallow errors (``{location: {field: [why], nested: {...}}}``) as
    ``{"field" or "outer.inner": "why"}``; errors about the body as a whole under ``body``."""
    fields: dict[str, str] = {}

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, path if key == "_schema" else (*path, str(key)))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            name = ".".join(path) or "body"
            fields[name] = " ".join(filter(None, (fields.get(name), *value)))
        elif isinstance(value, (list, tuple)):
            for inner in value:
                walk(inner, path)
        else:
            fields[".".join(path) or "body"] = str(value)

    for location_errors in messages.values():
        walk(location_errors, ())
    return fields


def format_when(value: datetime | None, with_time: bool = True) -> str:
    """UTC timestamps as the desk reads them: 2022-02-24 14:05 UTC."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def nl2p(text: str) -> Markup:
    """Paragraphs from plain text, every character escaped."""
    from markupsafe import escape

    paragraphs = [p for p in (text or "").split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{escape(p).replace(chr(10), Markup('<br>'))}</p>" for p in paragraphs))
