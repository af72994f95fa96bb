"""People who use the desk, and their API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import one_of, utcnow

ROLES = ("editor", "reviewer", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES, "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    role: so.Mapped[str] = so.mapped_column(sa.String(20), default="editor")
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    tokens: so.WriteOnlyMapped["ApiToken"] = so.relationship(back_populates="user")
    login_sessions: so.WriteOnlyMapped["LoginSession"] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)

    # The secret of the sign-in this object was loaded for (app.auth.sessions); not a column.
    login_secret = None  # type: Optional[str]

    def get_id(self) -> str:
        """Flask-Login's "alternative id": the secret of this browser's sign-in, so a cookie
        names a LoginSession that the desk can end, never the user's own id."""
        if not self.login_secret:
            raise RuntimeError("Sign users in with app.auth.sessions.sign_in, not login_user directly.")
        return self.login_secret

    def __eq__(self, other: object) -> bool:
        """The same user (UserMixin compares ``get_id()``, which is a sign-in here, not a user)."""
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    __hash__ = object.__hash__

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash (werkzeug's default), never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(db.Model):
    """One browser's sign-in: its session and remember-me cookies carry the secret whose
    hash is stored here. Deleting the row ends that sign-in everywhere the cookies went."""

    __tablename__ = "login_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    remember: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[datetime]

    user: so.Mapped[User] = so.relationship(back_populates="login_sessions")


def hash_token(token: str) -> str:
    """API tokens are stored as SHA-256: they are long random strings, not passwords."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_used_at: so.Mapped[Optional[datetime]]
    revoked_at: so.Mapped[Optional[datetime]]

    user: so.Mapped[User] = so.relationship(back_populates="tokens")

    @staticmethod
    def new_secret() -> str:
        return "cd_" + secrets.token_urlsafe(32)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


LINK_PURPOSES = ("invite", "reset")


class AccountLink(db.Model):
    """A one-time link an admin hands to someone: an invitation to join the desk (e-mail,
    name and role chosen by the admin) or a password reset for an existing user. Only the
    token's hash is stored; the link works once, until ``expires_at``."""

    __tablename__ = "account_links"
    __table_args__ = (one_of("purpose", LINK_PURPOSES, "purpose"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.String(20))
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(120))
    role: so.Mapped[Optional[str]] = so.mapped_column(sa.String(20))
    # The user reset (reset) or created on acceptance (invite).
    user_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[datetime]
    used_at: so.Mapped[Optional[datetime]]
    revoked_at: so.Mapped[Optional[datetime]]

    user: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[user_id])
    created_by: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[created_by_id])

    def is_open(self, now: datetime) -> bool:
        """Neither used, revoked nor expired."""
        return self.used_at is None and self.revoked_at is None and self.expires_at > now
