"""Sign-ins the desk can end: one LoginSession row per browser sign-in.

Flask-Login keeps, in the signed session cookie and the remember-me cookie, whatever
``User.get_id()`` returns; here that is a random secret naming a LoginSession row (only its
SHA-256 is stored), never the user's id. A cookie is honoured only while its row exists,
has not expired and its user is active. So:

- signing out deletes this browser's row: a copy of its cookies opens nothing;
- "sign out everywhere", a password change and deactivation delete all of the user's rows
  (a password change then signs this browser in afresh); reactivating a user brings none back;
- a row lasts ``REMEMBER_COOKIE_DURATION`` when "keep me signed in" was ticked, else
  ``CLAIMDESK_SESSION_DAYS`` days; expired rows go when their user next signs in.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from flask import current_app, session
from flask_login import login_user, logout_user

from app.database import begin_write
from app.extensions import db
from app.models import LoginSession, User, hash_token, utcnow

SESSION_DAYS = 14


def _lifetime(remember: bool) -> timedelta:
    if remember:
        duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
        return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))
    return timedelta(days=float(current_app.config.get("CLAIMDESK_SESSION_DAYS", SESSION_DAYS)))


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a login session for ``user`` in this browser and sign it in (Flask-Login)."""
    secret = secrets.token_urlsafe(32)
    begin_write()
    now = utcnow()
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now))
    db.session.add(LoginSession(user_id=user.id, secret_hash=hash_token(secret), remember=remember,
                                created_at=now, expires_at=now + _lifetime(remember)))
    db.session.commit()
    user.login_secret = secret
    login_user(user, remember=remember)


def load_user(secret: str) -> Optional[User]:
    """The active user whose unexpired login session ``secret`` names (Flask-Login's loader)."""
    if not secret or len(secret) > 100:
        return None
    row = db.session.execute(
        sa.select(LoginSession.expires_at, User).join(User, LoginSession.user_id == User.id)
        .where(LoginSession.secret_hash == hash_token(secret))).first()
    if row is None or row.expires_at < utcnow() or not row.User.active:
        return None
    row.User.login_secret = secret
    return row.User


def current_secret() -> Optional[str]:
    """The secret of this browser's sign-in, if it is signed in."""
    value = session.get("_user_id")
    return value if isinstance(value, str) else None


def is_remembered() -> bool:
    """True when this browser's sign-in was made with "keep me signed in"."""
    secret = current_secret()
    return bool(secret and db.session.scalar(
        sa.select(LoginSession.remember).where(LoginSession.secret_hash == hash_token(secret))))


def sign_out() -> None:
    """End this browser's login session on the server, then drop its cookies."""
    secret = current_secret()
    if secret:
        begin_write()
        db.session.execute(sa.delete(LoginSession).where(LoginSession.secret_hash == hash_token(secret)))
        db.session.commit()
    logout_user()


def end_all_sessions(user_id: int) -> int:
    """End every login session of the user (in the caller's write transaction, not
    committed); returns how many there were."""
    begin_write()
    result = db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user_id))
    return result.rowcount or 0


def sign_out_everywhere(user: User) -> int:
    """End all of the user's sign-ins, this browser's included; returns how many ended."""
    ended = end_all_sessions(user.id)
    db.session.commit()
    logout_user()
    return ended


def active_session_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(LoginSession.id)).where(
        LoginSession.user_id == user.id, LoginSession.expires_at >= utcnow())) or 0
