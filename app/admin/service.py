"""People and permissions without a shell: invitations, roles, deactivation, password resets,
and the audit log of every admin action.

Each action takes the acting admin as ``by`` (None: the command line, where shell access
stands for admin rights), checks the rules, writes the change and one AuditEvent about the
person (``subject_user``) in one transaction. A one-time link (invitation or reset) is
returned with its secret once; only the secret's hash is stored.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from werkzeug.security import generate_password_hash

from app.auth.passwords import check_password, normalise_email
from app.auth.service import new_user
from app.auth.sessions import end_all_sessions
from app.database import begin_write
from app.errors import BadStatus, DomainError, Forbidden, Invalid, NotFound
from app.extensions import db
from app.ids import parse_id
from app.models import ROLES, AccountLink, AuditEvent, User, hash_token, utcnow
from app.transaction import rollback_on_error
from app.workflow.audit import record
from app.workflow.queries import Page, paginate
from app.workflow.rules import can_administer

# Every action the audit log page lists, with how it reads there.
ADMIN_ACTIONS = {
    "user_created": "created an account",
    "user_invited": "invited",
    "invitation_revoked": "withdrew the invitation of",
    "invitation_accepted": "accepted the invitation",
    "role_changed": "changed the role of",
    "user_deactivated": "deactivated",
    "user_reactivated": "reactivated",
    "password_reset_issued": "reset the password of",
    "reset_link_revoked": "withdrew the password-reset link of",
    "password_reset_completed": "set a new password from a reset link",
    "password_set": "set the password of",
    "token_revoked": "revoked an API token of",
    "webhook_created": "registered a webhook",
    "webhook_changed": "changed a webhook",
    "webhook_deleted": "deleted a webhook",
    "reopened": "reopened a claim",
}
BUSY_MESSAGE = "Another change was being saved at the same moment; nothing was changed. Try again."


class LinkClosed(DomainError):
    """A one-time link that was used, withdrawn or has expired."""

    code, status = "link_closed", 410


def check_admin(by: Optional[User]) -> None:
    """Refuse anyone but an active admin (None is the command line)."""
    if by is not None and not can_administer(by):
        raise Forbidden("Only admins manage people.")


def get_user(user_id: Any) -> User:
    user = db.session.get(User, parse_id(user_id)) if parse_id(user_id) else None
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user with e-mail {email}.")
    return user


def _secret_link(purpose: str, *, email: str, by: Optional[User], hours: float, **fields: Any) -> tuple[AccountLink, str]:
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    link = AccountLink(purpose=purpose, email=email, token_hash=hash_token(secret), created_by=by,
                       created_at=now, expires_at=now + timedelta(hours=hours), **fields)
    db.session.add(link)
    return link, secret


def _close_open_links(purpose: str, *, email: str) -> None:
    """Withdraw the open links of ``purpose`` for ``email`` (a new one replaces them)."""
    db.session.execute(sa.update(AccountLink).where(
        AccountLink.purpose == purpose, AccountLink.email == email, AccountLink.used_at.is_(None),
        AccountLink.revoked_at.is_(None)).values(revoked_at=utcnow()))


# --- invitations ------------------------------------------------------------------------------

def invite(email: str, *, name: str = "", role: str = "editor", by: Optional[User]) -> tuple[AccountLink, str]:
    """Invite someone: a link (valid ``CLAIMDESK_INVITE_HOURS``) where they choose their
    password and join with ``role``. A newer invitation to the same address replaces older ones.

    Returns:
        The link and its secret (shown to the admin once, to pass on).
    """
    check_admin(by)
    email = normalise_email(email)
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", field="role")
    name = " ".join((name or "").split())[:120] or None
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            raise Invalid(f"{email} already has an account.", field="email")
        _close_open_links("invite", email=email)
        link, secret = _secret_link("invite", email=email, by=by, name=name, role=role,
                                    hours=current_app.config["CLAIMDESK_INVITE_HOURS"])
        record("user_invited", user=by, after={"email": email, "name": name, "role": role,
                                               "expires_at": link.expires_at.isoformat(timespec="minutes")})
        db.session.commit()
    return link, secret


def open_link(secret: str, purpose: str) -> AccountLink:
    """The open link this secret names.

    Raises:
        NotFound: no such link. LinkClosed: used, withdrawn or expired (the message says which).
    """
    link = None
    if secret and len(secret) <= 100:
        link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == hash_token(secret)))
    if link is None or link.purpose != purpose:
        raise NotFound("This link is not valid. Check that it was copied whole, or ask an admin for a new one.")
    what = "invitation" if purpose == "invite" else "password-reset link"
    if link.used_at is not None:
        raise LinkClosed(f"This {what} was already used. Sign in, or ask an admin for a new one.")
    if link.revoked_at is not None:
        raise LinkClosed(f"This {what} was withdrawn by an admin. Ask an admin for a new one.")
    if link.expires_at <= utcnow():
        raise LinkClosed(f"This {what} has expired. Ask an admin for a new one.")
    return link


def accept_invite(secret: str, *, name: str, password: str) -> User:
    """Create the invited account with the chosen name and password; the link is used up."""
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        link = open_link(secret, "invite")
        user = new_user(link.email, name=name or link.name or "", role=link.role or "editor", password=password)
        link.used_at, link.user = utcnow(), user
        db.session.flush()
        record("invitation_accepted", user=user, subject_user=user, after={"email": user.email, "role": user.role})
        db.session.commit()
    return user


def revoke_link(link_id: Any, *, by: Optional[User]) -> AccountLink:
    """Withdraw an open invitation or reset link."""
    check_admin(by)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        link = db.session.get(AccountLink, parse_id(link_id)) if parse_id(link_id) else None
        if link is None:
            raise NotFound(f"Link {link_id} does not exist.")
        if link.used_at is not None or link.revoked_at is not None:
            raise BadStatus("This link was already used or withdrawn.")
        link.revoked_at = utcnow()
        action = "invitation_revoked" if link.purpose == "invite" else "reset_link_revoked"
        record(action, user=by, subject_user=link.user, after={"email": link.email})
        db.session.commit()
    return link


# --- roles and deactivation -------------------------------------------------------------------------

def _not_yourself(user: User, by: Optional[User], what: str) -> None:
    if by is not None and user.id == by.id:
        raise Forbidden(f"You cannot {what} yourself; ask another admin.")


def _keep_an_admin(user: User) -> None:
    """Refuse to take away the last active admin (nobody could manage people any more)."""
    if user.role == "admin" and user.active:
        others = db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.role == "admin", User.active.is_(True), User.id != user.id))
        if not others:
            raise Invalid(f"{user.name} is the only active admin; make someone else admin first.", field="role")


def change_role(user_id: Any, role: str, *, by: Optional[User]) -> User:
    """Give a user another role (takes effect on their next request; sign-ins stay)."""
    check_admin(by)
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", field="role")
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        user = get_user(user_id)
        _not_yourself(user, by, "change the role of")
        if user.role == role:
            return user
        if role != "admin":
            _keep_an_admin(user)
        before = user.role
        user.role = role
        record("role_changed", user=by, subject_user=user, before={"role": before}, after={"role": role})
        db.session.commit()
    return user


def set_active(user_id: Any, active: bool, *, by: Optional[User]) -> User:
    """Deactivate (every sign-in ends at once, API tokens and open reset links stop working)
    or reactivate a user (who then signs in afresh: no old sign-in comes back)."""
    check_admin(by)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        user = get_user(user_id)
        _not_yourself(user, by, "deactivate or reactivate")
        if user.active == active:
            return user
        if not active:
            _keep_an_admin(user)
            end_all_sessions(user.id)
            _close_open_links("reset", email=user.email)
        user.active = active
        record("user_reactivated" if active else "user_deactivated", user=by, subject_user=user,
               before={"active": not active}, after={"active": active})
        db.session.commit()
    return user


# --- passwords ---------------------------------------------------------------------------------------

def reset_password(user_id: Any, *, by: Optional[User]) -> tuple[AccountLink, str]:
    """Reset a user's password: the old one stops working and every sign-in ends now; the
    link (valid ``CLAIMDESK_RESET_HOURS``, once) lets them choose a new one."""
    check_admin(by)
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        user = get_user(user_id)
        if not user.active:
            raise BadStatus(f"{user.name} is deactivated; reactivate the account first.")
        user.password_hash = generate_password_hash(secrets.token_urlsafe(32))  # nobody knows it
        end_all_sessions(user.id)
        _close_open_links("reset", email=user.email)
        link, secret = _secret_link("reset", email=user.email, by=by, user=user,
                                    hours=current_app.config["CLAIMDESK_RESET_HOURS"])
        record("password_reset_issued", user=by, subject_user=user,
               after={"expires_at": link.expires_at.isoformat(timespec="minutes")})
        db.session.commit()
    return link, secret


def complete_reset(secret: str, *, password: str) -> User:
    """Set the new password chosen through a reset link; the link is used up."""
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        link = open_link(secret, "reset")
        user = link.user
        if user is None or not user.active:
            raise LinkClosed("This account is deactivated; ask an admin.")
        check_password(password, user_inputs=(user.email, user.name))
        user.set_password(password)
        end_all_sessions(user.id)
        link.used_at = utcnow()
        record("password_reset_completed", user=user, subject_user=user)
        db.session.commit()
    return user


# --- what the admin pages list -------------------------------------------------------------------------

def people() -> list[User]:
    """Everyone, active first, by name."""
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name, User.id)))


def pending_invitations() -> list[AccountLink]:
    """Invitations neither used nor withdrawn (expired ones included, marked by the page)."""
    return list(db.session.scalars(
        sa.select(AccountLink).where(AccountLink.purpose == "invite", AccountLink.used_at.is_(None),
                                     AccountLink.revoked_at.is_(None))
        .order_by(AccountLink.created_at.desc()).options(so.joinedload(AccountLink.created_by))))


def audit_log(*, action: str = "", person: Any = None, page: int = 1, per_page: int = 50) -> Page:
    """Admin actions, newest first; ``action`` one of ADMIN_ACTIONS, ``person`` a user id
    (the admin who acted or the person acted on)."""
    stmt = sa.select(AuditEvent).where(AuditEvent.action.in_(ADMIN_ACTIONS))
    if action:
        if action not in ADMIN_ACTIONS:
            raise Invalid(f"Unknown action {action!r}.", field="action")
        stmt = stmt.where(AuditEvent.action == action)
    person_id = parse_id(person) if person not in (None, "") else None
    if person not in (None, "") and person_id is None:
        raise Invalid("person must be a user id.", field="person")
    if person_id is not None:
        stmt = stmt.where(sa.or_(AuditEvent.user_id == person_id, AuditEvent.subject_user_id == person_id))
    return paginate(stmt, page=page, per_page=per_page, order_by=(AuditEvent.at.desc(), AuditEvent.id.desc()),
                    options=(so.joinedload(AuditEvent.user), so.joinedload(AuditEvent.subject_user)))
