"""In-app notifications: written by the workflow services in the transaction of the change
they report (a claim assigned to you, returned to you, approved; a comment that mentions
you), read by their owner on the notifications page, the navbar count and the API.

Mentions: ``@`` followed by the part of a person's e-mail before the ``@`` (``@edith``), or
their name without spaces (``@EdithEditor``), or their first name when no other active
user shares it (``@Edith``); case does not matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import begin_write
from app.errors import NotFound
from app.extensions import db
from app.ids import parse_id
from app.workflow.queries import Page, paginate
from app.models import Claim, Notification, User, utcnow
from app.transaction import rollback_on_error

MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][\w.\-]*[A-Za-z0-9]|[A-Za-z0-9])")
BUSY_MESSAGE = "Another change was being saved at the same moment; try again."


def notify(users: Iterable[Optional[User]], kind: str, claim: Claim, *, actor: Optional[User], message: str,
           told: Iterable[Optional[User]] = ()) -> None:
    """Add a notification for each of ``users`` except the actor (nobody is told about
    their own action) and those already ``told`` by this action (a return that also
    mentions its editor is one notice), to the caller's transaction."""
    seen: set[int] = {u.id for u in told if u is not None}
    for user in users:
        if user is None or not user.active or user.id in seen or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        db.session.add(Notification(user=user, kind=kind, claim=claim, actor=actor, message=message))


def mentioned_users(text: str) -> list[User]:
    """The active users ``text`` mentions (see the module docstring), in order of mention."""
    handles = [m.group(1).lower() for m in MENTION.finditer(text or "")]
    if not handles:
        return []
    users = list(db.session.scalars(sa.select(User).where(User.active.is_(True))))
    first_names: dict[str, list[User]] = {}
    for user in users:
        first = (user.name.split() or [""])[0].lower()
        first_names.setdefault(first, []).append(user)
    found: list[User] = []
    for handle in handles:
        for user in users:
            if handle in (user.email.split("@")[0].lower(), "".join(user.name.split()).lower()):
                break
        else:
            same = first_names.get(handle, [])
            user = same[0] if len(same) == 1 else None
        if user is not None and user not in found:
            found.append(user)
    return found


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


@dataclass
class NotificationPage(Page):
    """A page of notifications and how many of the user's are unread."""

    unread: int = 0


def notifications_of(user: User, *, unread_only: bool = False, page: int = 1, per_page: int = 50) -> NotificationPage:
    """The user's notifications, newest first."""
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    found = paginate(stmt, page=page, per_page=per_page, order_by=(Notification.id.desc(),),
                     options=(so.joinedload(Notification.actor), so.joinedload(Notification.claim)))
    return NotificationPage(found.items, found.total, found.page, found.per_page, unread=unread_count(user))


def mark_read(user: User, ids: Optional[Iterable[int]] = None) -> int:
    """Mark the user's notifications ``ids`` (all when None) read; returns how many changed."""
    with rollback_on_error(BUSY_MESSAGE):
        begin_write()
        stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_([i for i in (parse_id(x) for x in ids) if i]))
        changed = db.session.execute(stmt.values(read_at=utcnow())).rowcount or 0
        db.session.commit()
    return changed


def open_notification(user: User, notification_id: int) -> Notification:
    """The user's notification, marked read (another user's is NotFound)."""
    item = db.session.get(Notification, parse_id(notification_id)) if parse_id(notification_id) else None
    if item is None or item.user_id != user.id:
        raise NotFound("There is no such notification.")
    if item.read_at is None:
        mark_read(user, [item.id])
        item = db.session.get(Notification, item.id)
    return item
