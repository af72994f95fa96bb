"""Users and API tokens: creation, password checks, token lookup."""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.passwords import check_password, normalise_email
from app.auth.sessions import end_all_sessions
from app.database import begin_write
from app.errors import Forbidden, Invalid, NotFound
from app.inputs import clean_text
from app.extensions import db
from app.models import ROLES, ApiToken, User, hash_token, utcnow
from app.workflow.audit import record

NAME_MAX = 120  # User.name's column

# Checked against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH: Optional[str] = None


def authenticate(email: str, password: str) -> Optional[User]:
    """The active user with this e-mail and password, else None."""
    global _DUMMY_HASH
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = generate_password_hash("not-a-password")
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if user.check_password(password or "") else None


def create_user(email: str, *, name: str, role: str, password: str) -> User:
    """Create a user (the command line, the demo); e-mails are checked (email-validator,
    offline), unique and stored lower-case; the password must pass app.auth.passwords.
    Admins invite people from the desk instead (app.admin.service.invite)."""
    begin_write()
    try:
        user = new_user(email, name=name, role=role, password=password)
        db.session.flush()
        record("user_created", user=None, subject_user=user, after={"email": user.email, "role": user.role})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return user


def new_user(email: str, *, name: str, role: str, password: str) -> User:
    """A new user added to the session after every check (the caller began the write and commits)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", field="role")
    name = " ".join(clean_text(name or "").split()) or email.split("@")[0]
    if len(name) > NAME_MAX:
        raise Invalid(f"The name must be at most {NAME_MAX} characters long.", field="name")
    check_password(password, user_inputs=(email, name))
    begin_write()
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Invalid(f"A user with e-mail {email} already exists.", field="email")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    return user


def change_password(user: User, new_password: str, *, current_password: Optional[str] = None,
                    recorded_as: Optional[str] = None) -> None:
    """Set a new password (checked against app.auth.passwords) and end every sign-in of the
    user. With ``current_password`` (the account page) the old one must be given right.

    Raises:
        Invalid: the current password is wrong, or the new one is refused.
    """
    if current_password is not None and not user.check_password(current_password):
        raise Invalid("The current password is not right.", field="current_password")
    check_password(new_password, user_inputs=(user.email, user.name))
    if user.check_password(new_password):
        raise Invalid("The new password is the one you have now.", field="password")
    password_hash = generate_password_hash(new_password)
    begin_write()
    db.session.execute(sa.update(User).where(User.id == user.id).values(password_hash=password_hash))
    end_all_sessions(user.id)
    if recorded_as:  # e.g. "password_set" by the command line, for the audit log
        record(recorded_as, user=None, subject_user=user)
    db.session.commit()


def create_token(email: str, *, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for the user; the secret is returned once and stored only hashed."""
    begin_write()
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user with e-mail {email}.")
    secret = ApiToken.new_secret()
    token = ApiToken(user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret))
    db.session.add(token)
    db.session.commit()
    return token, secret


def user_for_token(secret: str) -> Optional[User]:
    """The active owner of a valid, unrevoked token, else None.

    The last use is recorded at most every five minutes, so reads stay reads.
    """
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.is_revoked or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        _record_use(token.id, now)
    return db.session.get(User, token.user_id)


def _record_use(token_id: int, when) -> None:
    """Note when a token was last used. Bookkeeping only: when the database cannot take the
    write (SQLite busy past its timeout), the request goes on without it."""
    try:
        begin_write()
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))
        db.session.commit()
    except sa.exc.OperationalError as exc:
        db.session.rollback()
        if "database is locked" not in str(exc.orig):
            raise
        current_app.logger.warning("API token %s: last use not recorded (database busy)", token_id)


def revoke_token(token_id: int, *, user: User) -> ApiToken:
    """Revoke a token: its owner or an admin may."""
    begin_write()
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"Token {token_id} does not exist.")
    if token.user_id != user.id and not user.is_admin:
        raise Forbidden("Only the token's owner or an admin can revoke it.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        if token.user_id != user.id:
            record("token_revoked", user=user, subject_user=token.user, after={"token": token.prefix, "name": token.name})
        db.session.commit()
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's own tokens, newest first (revoked ones included, for the record)."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def active_tokens_of_others(user: User) -> list[ApiToken]:
    """Unrevoked tokens of everyone else, for an admin to revoke; empty for other roles."""
    if not user.is_admin:
        return []
    return list(db.session.scalars(
        sa.select(ApiToken).join(User, ApiToken.user_id == User.id)
        .where(ApiToken.user_id != user.id, ApiToken.revoked_at.is_(None))
        .order_by(User.name, ApiToken.id.desc()).options(so.joinedload(ApiToken.user))))
